package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/confgw/confgw/conference"
	confhttp "github.com/confgw/confgw/http"
	"github.com/confgw/confgw/mixer"
)

// serveConfig is every setting of `confgw serve`; each has a flag and a
// CONFGW_* variable.
type serveConfig struct {
	HTTP       string
	APIKey     string
	APIKeyFile string
	// apiKeyTyped is whether the admin key was given as --api-key on the
	// command line itself, where any local user can read it.
	apiKeyTyped      bool
	TokenTTL         time.Duration
	AuthBurst        int
	AuthInterval     time.Duration
	MinClientVersion string
	BreakoutDefault  bool
	LogFormat        string
	LogLevel         string
	DataDir          string
	MixGate          float64
	MixGateHangover  time.Duration
	SpeakingLevel    float64
	Demo             bool
	ShutdownTimeout  time.Duration
	PprofAddr        string
	MaxBans          int
	events           eventsConfig
	state            stateConfig
	sip              sipConfig
	webrtc           webrtcConfig
}

func newServe() *cobra.Command {
	var cfg serveConfig
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the gateway: the HTTP API and the SIP side",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg.apiKeyTyped = typed(cmd.Flags(), "api-key")
			return serve(cmd.Context(), cfg, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.HTTP, "http", "127.0.0.1:8080", "address of the HTTP API")
	f.StringVar(&cfg.APIKey, "api-key", "", "admin API key; prefer CONFGW_API_KEY or --api-key-file, as the command line is visible to every local user (generated and printed when no key is given)")
	f.StringVar(&cfg.APIKeyFile, "api-key-file", "", "file holding the admin API key")
	f.DurationVar(&cfg.TokenTTL, "token-ttl", confhttp.DefaultTokenTTL, "how long a participant token is good for")
	f.IntVar(&cfg.AuthBurst, "auth-failure-burst", confhttp.DefaultAuthFailureBurst, "failed authentications an address may make before it must wait (0: no limit, for a gateway behind a proxy)")
	f.DurationVar(&cfg.AuthInterval, "auth-failure-interval", confhttp.DefaultAuthFailureInterval, "how long an address that spent its burst waits for each further attempt")
	f.StringVar(&cfg.MinClientVersion, "min-client-version", "4.14", "oldest app client that can be moved between rooms")
	f.BoolVar(&cfg.BreakoutDefault, "breakout-default", true, "breakout rooms on for conferences that do not say")
	f.StringVar(&cfg.LogFormat, "log-format", "text", "log format: text or json")
	f.StringVar(&cfg.LogLevel, "log-level", "info", "log level: debug, info, warn or error")
	f.StringVar(&cfg.DataDir, "data-dir", "confgw-data", "where the conferences' state, the token key and recordings are kept")
	f.Float64Var(&cfg.MixGate, "mix-gate", -55, "dBov under which a participant's audio stays out of its room's mix, so that silent listeners share one encoding of it (0: mix everything)")
	f.DurationVar(&cfg.MixGateHangover, "mix-gate-hangover", 400*time.Millisecond, "how long a talker stays in the mix after its last frame above --mix-gate")
	f.Float64Var(&cfg.SpeakingLevel, "speaking-level", mixer.DefaultSpeakingLevel, "dBov above which a participant counts as speaking (participant.speaking)")
	f.BoolVar(&cfg.Demo, "demo", true, "create a ready \"demo\" conference with a host")
	f.DurationVar(&cfg.ShutdownTimeout, "shutdown-timeout", 10*time.Second, "how long in-flight requests get to finish on shutdown")
	f.StringVar(&cfg.PprofAddr, "pprof", "", "address for Go's /debug/pprof profiles (off when empty; keep it on loopback)")
	f.IntVar(&cfg.MaxBans, "max-bans", conference.DefaultMaxBans, "most bans one conference holds; more are refused with 409 ban_limit_reached")
	addEventsFlags(f, &cfg.events)
	addStateFlags(f, &cfg.state)
	addSIPFlags(f, &cfg.sip)
	addWebRTCFlags(f, &cfg.webrtc)
	return cmd
}

// eventsConfig sizes the events streams.
type eventsConfig struct {
	Replay      int
	Buffer      int
	MaxPerToken int
	MaxStreams  int
}

func addEventsFlags(f *pflag.FlagSet, c *eventsConfig) {
	f.IntVar(&c.Replay, "events-replay", conference.DefaultReplayEvents, "events each conference keeps for streams that reconnect with Last-Event-ID")
	f.IntVar(&c.Buffer, "events-buffer", confhttp.DefaultStreamBuffer, "events a stream may lag before it is cut with stream.lagged")
	f.IntVar(&c.MaxPerToken, "events-max-per-token", confhttp.DefaultMaxStreamsPerToken, "most events streams of one token in a conference; more get 429 too_many_streams")
	f.IntVar(&c.MaxStreams, "events-max-streams", confhttp.DefaultMaxStreams, "most events streams open at once; more get 503 streams_full")
}

func (c eventsConfig) validate() error {
	for _, f := range []struct {
		name string
		v    int
	}{{"--events-replay", c.Replay}, {"--events-buffer", c.Buffer}, {"--events-max-per-token", c.MaxPerToken}, {"--events-max-streams", c.MaxStreams}} {
		if f.v < 1 {
			return fmt.Errorf("%s %d: want 1 or more", f.name, f.v)
		}
	}
	return nil
}

func newLogger(format, level string, w io.Writer) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: %w", level, err)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format %q: want text or json", format)
}

func serve(ctx context.Context, cfg serveConfig, out, errOut io.Writer) error {
	log, err := newLogger(cfg.LogFormat, cfg.LogLevel, errOut)
	if err != nil {
		return err
	}
	minVersion, err := conference.ParseVersion(cfg.MinClientVersion)
	if err != nil {
		return fmt.Errorf("--min-client-version: %w", err)
	}
	if cfg.MaxBans < 1 {
		return fmt.Errorf("--max-bans %d: want 1 or more", cfg.MaxBans)
	}
	if err := cfg.events.validate(); err != nil {
		return err
	}
	if cfg.TokenTTL <= 0 {
		return fmt.Errorf("--token-ttl %s: want a positive duration", cfg.TokenTTL)
	}
	if cfg.AuthBurst < 0 || cfg.AuthInterval <= 0 {
		return fmt.Errorf("--auth-failure-burst %d --auth-failure-interval %s: want a burst of 0 or more and a positive interval", cfg.AuthBurst, cfg.AuthInterval)
	}
	keySource, err := adminKey(&cfg, log)
	if err != nil {
		return err
	}
	media, err := newMedia(cfg, log)
	if err != nil {
		return err
	}
	defer media.Close()
	state, err := openState(cfg, media.metrics)
	if err != nil {
		return err
	}
	if state != nil {
		defer state.Close()
	}
	key, err := tokenKey(cfg)
	if err != nil {
		return err
	}
	reg, err := conference.RestoreRegistry(conference.Config{
		MinClientVersion: minVersion,
		BreakoutDefault:  cfg.BreakoutDefault,
		NewRoomMedia:     media.rooms,
		Recorder:         conference.RecorderFunc(media.store.Start),
		Logger:           log,
		ReplayEvents:     cfg.events.Replay,
		Journal:          journal(state),
		MaxBans:          cfg.MaxBans,
	})
	if err != nil {
		return fmt.Errorf("--data-dir: %w", err)
	}
	// Every leg is hung up however serve returns; the store keeps the
	// conferences for the next start.
	defer reg.EndAll()
	if n := len(reg.List()); n > 0 {
		log.Info("conferences restored", "conferences", n, "data_dir", cfg.DataDir)
	}

	ln, err := net.Listen("tcp", cfg.HTTP)
	if err != nil {
		return fmt.Errorf("--http: %w", err)
	}
	sipSide, err := startSIP(ctx, cfg.sip, reg, media, log)
	if err != nil {
		ln.Close()
		return err
	}
	apps, err := startAppAudio(cfg.webrtc, cfg.sip.RTPTimeout, media.metrics, log)
	if err != nil {
		ln.Close()
		sipSide.shutdown(context.Background())
		return err
	}
	// On a clean shutdown reg.EndAll below has already taken every app
	// participant out, so sessions end with their participants.
	defer apps.Close()
	api := confhttp.New(confhttp.Options{
		Registry: reg, AdminKey: cfg.APIKey, Dialer: sipSide.dialer(),
		Tokens:     confhttp.NewTokens(confhttp.TokenOptions{Secret: key, TTL: cfg.TokenTTL}),
		AuthLimit:  authLimit(cfg),
		Recordings: media.store, AppAudio: apps, Logger: log, Metrics: media.metrics,
		Health: func() map[string]bool {
			return map[string]bool{"sip": sipSide.up(), "webrtc": apps.Server().Serving()}
		},
		Shedding:     sipSide.shedding,
		StreamBuffer: cfg.events.Buffer, MaxStreamsPerToken: cfg.events.MaxPerToken, MaxStreams: cfg.events.MaxStreams,
	})
	srv := &http.Server{Handler: api.Handler(), ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	if cfg.PprofAddr != "" {
		stopPprof, err := servePprof(cfg.PprofAddr, log)
		if err != nil {
			_ = srv.Close()
			sipSide.shutdown(context.Background())
			return err
		}
		defer stopPprof()
	}

	if err := welcome(out, cfg, keySource, reg, api, "http://"+ln.Addr().String(), sipSide.addr(), sipSide.srv.TLSAddr(), apps.Server().Addr().String()); err != nil {
		log.Error("creating the demo conference failed", "err", err)
	}
	log.Info("confgw serving", "http", ln.Addr().String(), "sip", sipSide.addr(), "webrtc", apps.Server().Addr().String())

	select {
	case <-ctx.Done():
	case err := <-served:
		sipSide.shutdown(context.Background())
		return fmt.Errorf("http server: %w", err)
	case <-sipSide.done():
		// Phones can no longer reach the gateway: exiting non-zero lets a
		// supervisor restart it, where staying up would pass for healthy.
		err := sipSide.runErr()
		log.Error("the SIP side stopped on its own; exiting", "err", err)
		api.Drain()
		_ = srv.Close()
		reg.EndAll()
		legsCtx, cancelLegs := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
		defer cancelLegs()
		sipSide.shutdown(legsCtx)
		return fmt.Errorf("SIP server: %w", err)
	}
	log.Info("shutting down")
	api.Drain()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		// Requests still running past the grace period are cut, not waited
		// for: the phones below must be hung up all the same.
		log.Warn("in-flight requests cut at the shutdown timeout", "err", err)
		_ = srv.Close()
	}
	reg.EndAll()
	legsCtx, cancelLegs := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancelLegs()
	sipSide.shutdown(legsCtx)
	log.Info("stopped")
	return nil
}

// authLimit is the API's AuthLimit from the flags, where a burst of 0 is
// the simplest way to say "none".
func authLimit(cfg serveConfig) confhttp.AuthLimit {
	if cfg.AuthBurst == 0 {
		return confhttp.AuthLimit{Burst: -1}
	}
	return confhttp.AuthLimit{Burst: cfg.AuthBurst, Interval: cfg.AuthInterval}
}

// adminKey settles cfg.APIKey and says where it came from: "" for a key
// generated here or typed as --api-key, which serve prints, or the
// variable or file it was read from, which it does not.
func adminKey(cfg *serveConfig, log *slog.Logger) (source string, err error) {
	switch {
	case cfg.APIKeyFile != "" && cfg.APIKey != "":
		return "", errors.New("--api-key and --api-key-file both give the admin key: give one")
	case cfg.APIKeyFile != "":
		b, err := os.ReadFile(cfg.APIKeyFile)
		if err != nil {
			return "", fmt.Errorf("--api-key-file: %w", err)
		}
		// Editors and echo end files with a newline no one means as key.
		cfg.APIKey = strings.TrimSpace(string(b))
		if cfg.APIKey == "" {
			return "", fmt.Errorf("--api-key-file %s is empty", cfg.APIKeyFile)
		}
		return "from " + cfg.APIKeyFile, nil
	case cfg.APIKey == "":
		cfg.APIKey = randomKey()
		return "", nil
	case cfg.apiKeyTyped:
		log.Warn("the admin key given as --api-key is visible to every local user in the process list; use CONFGW_API_KEY or --api-key-file")
		return "", nil
	}
	return "from " + envPrefix + "API_KEY", nil
}

func randomKey() string {
	var b [18]byte
	_, _ = rand.Read(b[:])
	return "cgw_" + hex.EncodeToString(b[:])
}

// demoHost is the host of the demo conference, which it creates unless a
// restart restored it: then its first app host carries on, so that the
// demo keeps the rooms and participants a newcomer gave it.
func demoHost(reg *conference.Registry) (conference.Participant, *conference.Conference, error) {
	conf, err := reg.Get("demo")
	if err != nil {
		conf, err = reg.Create(conference.Spec{ID: "demo", Title: "Demo meeting"})
		if err != nil {
			return conference.Participant{}, nil, err
		}
	}
	for _, p := range conf.Participants() {
		if p.Kind == conference.KindApp && p.Role == conference.RoleHost {
			return p, conf, nil
		}
	}
	host, err := conf.AddApp(conference.Admin, conference.AppSpec{Name: "Demo Host", Role: conference.RoleHost, ClientVersion: "4.14"})
	return host, conf, err
}

// welcome creates the demo conference and prints what a newcomer needs to
// try the gateway at once.
func welcome(out io.Writer, cfg serveConfig, keySource string, reg *conference.Registry, api *confhttp.Server, httpURL, sipAddr, tlsAddr, webrtcAddr string) error {
	shown := cfg.APIKey
	if keySource != "" {
		// A key the operator keeps in the environment or a file stays
		// there: printed, it would end up in every log collector.
		shown = "(" + keySource + ")"
	}
	fmt.Fprintf(out, "confgw is running\n  HTTP API:  %s\n  SIP:       %s\n", httpURL, sipAddr)
	if tlsAddr != "" {
		fmt.Fprintf(out, "  SIP TLS:   %s\n", tlsAddr)
	}
	fmt.Fprintf(out, "  WebRTC:    udp %s\n  admin key: %s\n", webrtcAddr, shown)
	if !cfg.Demo {
		return nil
	}
	host, conf, err := demoHost(reg)
	if err != nil {
		return err
	}
	tok, err := api.Tokens().Issue(conf.ID(), host.ID)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, `
The "demo" conference is ready; its host is %s (%s).
  host token: %s
  good until: %s (--token-ttl)
  console:    %s/?token=%s

Try:
  export CONFGW_SERVER=%s CONFGW_TOKEN=%s
  confgw rooms add
  confgw participants add --name Alice --client-version 4.14
  confgw move <participant id> 1
  confgw rooms
  confgw events
  curl -H "Authorization: Bearer $CONFGW_TOKEN" %s/v1/conferences/demo/rooms
Phones: call sip:demo@%s
`, host.Name, host.ID, tok, time.Now().Add(api.Tokens().TTL()).Format(time.RFC3339), httpURL, tok, httpURL, tok, httpURL, sipAddr)
	return nil
}
