package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/confgw/confgw/conference"
	"github.com/confgw/confgw/gateway"
	confhttp "github.com/confgw/confgw/http"
	"github.com/confgw/confgw/rtp/rtpsession"
	confsip "github.com/confgw/confgw/sip"
	"github.com/confgw/confgw/sourceaddr"
)

// sipConfig is the SIP side of serve.
type sipConfig struct {
	Listen         string
	PublicAddr     string
	RTPPorts       string
	RTPTimeout     time.Duration
	RingTimeout    time.Duration
	Trunk          string
	TrunkTransport string
	TrunkUser      string
	TrunkPassword  string
	ShedTickLate   time.Duration
	MaxSetupCalls  int
	Limits         gateway.Limits
	TCP            confsip.TCPLimits
	MaxMessage     int
	MaxInfoBody    int
	KeypadRate     float64
	KeypadBurst    int
	Quality        gateway.Quality
	SRTP           string
	TLS            string
	TLSCert        string
	TLSKey         string
	TrunkCA        string
}

func addSIPFlags(f *pflag.FlagSet, c *sipConfig) {
	f.StringVar(&c.Listen, "sip", "127.0.0.1:5060", "SIP listen address (UDP and TCP)")
	f.StringVar(&c.TLS, "sip-tls", "", "SIP over TLS listen address, such as 127.0.0.1:5061 (off by default; needs --sip-tls-cert and --sip-tls-key)")
	f.StringVar(&c.TLSCert, "sip-tls-cert", "", "PEM certificate chain SIP over TLS presents")
	f.StringVar(&c.TLSKey, "sip-tls-key", "", "PEM private key of --sip-tls-cert")
	f.StringVar(&c.PublicAddr, "sip-public-addr", "", "address put in Contact and SDP (default: the listen address)")
	f.StringVar(&c.RTPPorts, "rtp-ports", "10000-20000", "UDP port range for RTP, one even port per leg and the odd one above it for RTCP")
	f.DurationVar(&c.RTPTimeout, "rtp-timeout", 30*time.Second, "hang a leg up after this long without RTP")
	f.DurationVar(&c.RingTimeout, "ring-timeout", 45*time.Second, "give up a dial-out not answered by then")
	f.StringVar(&c.Trunk, "sip-trunk", "", "outbound trunk host:port for dial-out")
	f.StringVar(&c.TrunkTransport, "sip-trunk-transport", "udp", "transport to the trunk: udp, tcp or tls (the trunk's certificate verified against the system's roots or --sip-trunk-ca)")
	f.StringVar(&c.TrunkCA, "sip-trunk-ca", "", "PEM file of the certificate authorities a TLS trunk's certificate must chain to (default: the system's)")
	f.StringVar(&c.TrunkUser, "sip-trunk-user", "", "digest user for the trunk")
	f.StringVar(&c.TrunkPassword, "sip-trunk-password", "", "digest password for the trunk")
	f.StringVar(&c.SRTP, "srtp", string(gateway.SRTPOptional), "SRTP with SDES keys on phone legs: optional (answer RTP/SAVP offers with SRTP, RTP/AVP in the clear; dial out in the clear), required (488 to offers in the clear; dial out over RTP/SAVP) or off (488 to RTP/SAVP offers)")
	// A tick is 20 ms and Run makes up at most 5 missed ones (100 ms)
	// before audio is skipped: 50 ms late is halfway there, and far above
	// what timer slack and GC pauses cost a gateway that keeps up.
	f.DurationVar(&c.ShedTickLate, "shed-tick-late", 50*time.Millisecond, "answer new calls 503 while room ticks start this late (worst of the last second; 0: never)")
	// Set-up (INVITE to ACK) takes one round trip and a little work, well
	// under 400 ms; at the 250 calls/s that overloaded a 2-core gateway,
	// Little's law gives at most 100 calls in set-up while it keeps up.
	// More means INVITEs queue, are answered after callers retransmit or
	// give up, and each adds to the overload.
	f.IntVar(&c.MaxSetupCalls, "max-setup-calls", 100, "answer new calls 503 while this many are being set up (0: no cap)")
	// A source is an IP address (an IPv6 /64): phones behind one NAT share
	// it, hence per-source caps that a small office stays under.
	f.IntVar(&c.Limits.MaxCalls, "max-calls", 1000, "dial-in calls up at once; more get 503 (0: no cap)")
	f.IntVar(&c.Limits.MaxUnacked, "max-unacked", 100, "dial-in calls answered and awaiting their ACK at once; more get 503 (0: no cap)")
	f.IntVar(&c.Limits.MaxUnackedPerSource, "max-unacked-per-source", 10, "dial-in calls awaiting their ACK at once from one source address; more get 486 (0: no cap)")
	f.Float64Var(&c.Limits.InviteRate, "invite-rate-per-source", 5, "INVITEs per second one source address may send on average; more get 486 (0: no cap)")
	f.IntVar(&c.Limits.InviteBurst, "invite-burst-per-source", 20, "INVITEs one source address may send at once, above --invite-rate-per-source")
	// Why these defaults: see confsip.DefaultTCPLimits.
	d := confsip.DefaultTCPLimits
	f.IntVar(&c.TCP.MaxConns, "sip-tcp-max-conns", d.MaxConns, "SIP-TCP connections open at once; more are closed at accept (0: no cap)")
	f.IntVar(&c.TCP.MaxConnsPerSource, "sip-tcp-max-conns-per-source", d.MaxConnsPerSource, "SIP-TCP connections open at once from one source address; more are closed at accept (0: no cap)")
	f.DurationVar(&c.TCP.IdleTimeout, "sip-tcp-idle-timeout", d.IdleTimeout, "close a SIP-TCP connection silent this long that no call uses (0: never)")
	f.DurationVar(&c.TCP.MessageTimeout, "sip-tcp-message-timeout", d.MessageTimeout, "close a SIP-TCP connection whose message is not whole this long after its first byte (0: never)")
	f.Float64Var(&c.KeypadRate, "keypad-rate", gateway.DefaultKeypadRate, "keypad commands (*6, *1, *0) a second a phone caller may key on average after --keypad-burst; more are ignored and counted")
	f.IntVar(&c.KeypadBurst, "keypad-burst", gateway.DefaultKeypadBurst, "keypad commands a phone caller may key at once")
	f.IntVar(&c.MaxInfoBody, "sip-max-info-body", confsip.DefaultMaxInfoBody, "largest body of a SIP INFO in a call (a key in application/dtmf-relay is some 30 bytes); a larger one is answered 413, counted in confgw_sip_responses_total{status=\"413\"}")
	f.IntVar(&c.MaxMessage, "sip-max-message", confsip.DefaultMaxMessageSize, "largest SIP message in bytes; over TCP a larger one is answered 513 and its connection closed")
	f.DurationVar(&c.Quality.RTCPInterval, "rtcp-interval", rtpsession.DefaultRTCPInterval, "how often a phone leg sends its RTCP report (randomised by half either way)")
	f.IntVar(&c.Quality.RTCPBurst, "rtcp-burst", rtpsession.DefaultRTCPBurst, "RTCP datagrams under the phone's SSRC a leg reads per interval; more are dropped unread and counted")
	f.Float64Var(&c.Quality.LossPct, "quality-loss", gateway.DefaultQualityLossPct, "packet loss in percent, either way, past which a phone leg is poor once it lasts --quality-window")
	f.DurationVar(&c.Quality.Window, "quality-window", gateway.DefaultQualityWindow, "how long loss must last to raise participant.quality, and the least time between two of a leg")
}

// sipSide is the running SIP gateway as serve sees it.
type sipSide struct {
	srv  *confsip.Server
	gw   *gateway.Gateway
	stop context.CancelFunc
	// stopped is closed once the server's Run has returned, with its error
	// in err: serve watches it, because a SIP side that dies on its own
	// (accept failing at the fd limit closes both listeners) would otherwise
	// leave a process that answers HTTP but takes no calls.
	stopped chan struct{}
	err     error
}

func parsePortRange(s string) (lo, hi int, err error) {
	a, b, ok := strings.Cut(s, "-")
	if ok {
		lo, err = strconv.Atoi(a)
		if err == nil {
			hi, err = strconv.Atoi(b)
		}
	}
	if !ok || err != nil {
		return 0, 0, fmt.Errorf("--rtp-ports %q: want a range like 10000-20000", s)
	}
	return lo, hi, nil
}

// sipTLS is the WithTLS option the --sip-tls flags ask for; the three go
// together.
func sipTLS(c sipConfig) (confsip.Option, error) {
	if c.TLS == "" || c.TLSCert == "" || c.TLSKey == "" {
		return nil, errors.New("--sip-tls, --sip-tls-cert and --sip-tls-key go together")
	}
	cert, err := tls.LoadX509KeyPair(c.TLSCert, c.TLSKey)
	if err != nil {
		return nil, fmt.Errorf("--sip-tls-cert, --sip-tls-key: %w", err)
	}
	return confsip.WithTLS(c.TLS, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}), nil
}

func startSIP(ctx context.Context, c sipConfig, reg *conference.Registry, m *media, log *slog.Logger) (*sipSide, error) {
	lo, hi, err := parsePortRange(c.RTPPorts)
	if err != nil {
		return nil, err
	}
	if err := checkLimits(c.Limits); err != nil {
		return nil, err
	}
	srtpPolicy, err := gateway.ParseSRTPPolicy(c.SRTP)
	if err != nil {
		return nil, fmt.Errorf("--srtp: %w", err)
	}
	if err := checkTCPLimits(c.TCP, c.MaxMessage); err != nil {
		return nil, err
	}
	if err := checkQuality(c.Quality); err != nil {
		return nil, err
	}
	if c.KeypadRate <= 0 || c.KeypadBurst < 1 {
		return nil, fmt.Errorf("--keypad-rate %g, --keypad-burst %d: want more than 0 and 1 or more", c.KeypadRate, c.KeypadBurst)
	}
	if c.MaxInfoBody < 32 {
		return nil, fmt.Errorf("--sip-max-info-body %d: want 32 or more", c.MaxInfoBody)
	}
	ports, err := rtpsession.NewPorts(lo, hi)
	if err != nil {
		return nil, fmt.Errorf("--rtp-ports: %w", err)
	}
	opts := []confsip.Option{
		confsip.WithListenAddr(c.Listen),
		confsip.WithLogger(log),
		confsip.WithRingTimeout(c.RingTimeout),
		confsip.WithTCPLimits(c.TCP),
		confsip.WithSources(sourceaddr.Of),
		confsip.WithMaxMessageSize(c.MaxMessage),
		confsip.WithMaxInfoBody(c.MaxInfoBody),
	}
	if c.PublicAddr != "" {
		opts = append(opts, confsip.WithPublicAddr(c.PublicAddr))
	}
	if c.TLS != "" || c.TLSCert != "" || c.TLSKey != "" {
		tlsOpt, err := sipTLS(c)
		if err != nil {
			return nil, err
		}
		opts = append(opts, tlsOpt)
	}
	if c.Trunk != "" {
		trunk := confsip.Trunk{
			Addr: c.Trunk, Transport: c.TrunkTransport, Username: c.TrunkUser, Password: c.TrunkPassword,
		}
		if c.TrunkCA != "" {
			pem, err := os.ReadFile(c.TrunkCA)
			if err != nil {
				return nil, fmt.Errorf("--sip-trunk-ca: %w", err)
			}
			trunk.RootCAs = x509.NewCertPool()
			if !trunk.RootCAs.AppendCertsFromPEM(pem) {
				return nil, fmt.Errorf("--sip-trunk-ca %s: no PEM certificate in it", c.TrunkCA)
			}
		}
		opts = append(opts, confsip.WithTrunk(trunk))
	}
	srv, err := confsip.NewServer(opts...)
	if err != nil {
		return nil, fmt.Errorf("--sip: %w", err)
	}
	// The server holds the SIP port from here on; until Run owns it, every
	// failure must give it back, or the next serve finds it taken.
	gw, err := gateway.New(gateway.Config{
		Registry: reg, SIP: srv, Ports: ports, RTPTimeout: c.RTPTimeout, Logger: log,
		TickLateness: m.lateness.Worst, ShedTickLate: c.ShedTickLate, MaxSetupCalls: c.MaxSetupCalls,
		Limits: c.Limits, Quality: c.Quality, SRTP: srtpPolicy, KeypadRate: c.KeypadRate, KeypadBurst: c.KeypadBurst,
	})
	if err != nil {
		closeUnstarted(srv, log)
		return nil, err
	}
	if err := gw.Metrics().Register(m.metrics); err != nil {
		closeUnstarted(srv, log)
		return nil, fmt.Errorf("gateway metrics: %w", err)
	}
	runCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	s := &sipSide{srv: srv, gw: gw, stop: stop, stopped: make(chan struct{})}
	go func() {
		s.err = srv.Run(runCtx)
		close(s.stopped)
	}()
	select {
	case <-srv.Ready():
	case <-s.stopped:
		stop()
		return nil, fmt.Errorf("SIP: %w", s.err)
	}
	return s, nil
}

// closeUnstarted frees a SIP server that startSIP gives up on before Run.
func closeUnstarted(srv *confsip.Server, log *slog.Logger) {
	if err := srv.Close(); err != nil {
		log.Warn("closing the SIP server after a failed start", "err", err)
	}
}

// shedding tells why new calls are turned away now, or "" when taken.
func (s *sipSide) shedding() string { return s.gw.Shedding() }

// dialer answers no_outbound_trunk itself when no trunk is configured.
func (s *sipSide) dialer() confhttp.Dialer { return s.gw }

func (s *sipSide) addr() string { return s.srv.PublicAddr() }

// done is closed when the SIP server stops, asked to or not.
func (s *sipSide) done() <-chan struct{} { return s.stopped }

// runErr is why the SIP server stopped; call it once done is closed.
func (s *sipSide) runErr() error {
	<-s.stopped
	if s.err == nil {
		// Run returns nil only when asked to stop, which serve did not.
		return errors.New("SIP server stopped")
	}
	return s.err
}

// up tells whether the SIP server still serves.
func (s *sipSide) up() bool {
	select {
	case <-s.stopped:
		return false
	default:
		return true
	}
}

// shutdown hangs up every leg, then stops signalling.
func (s *sipSide) shutdown(ctx context.Context) {
	_ = s.gw.Shutdown(ctx)
	s.stop()
	<-s.stopped
}

func checkLimits(l gateway.Limits) error {
	switch {
	case l.MaxCalls < 0:
		return fmt.Errorf("--max-calls %d: want 0 or more", l.MaxCalls)
	case l.MaxUnacked < 0:
		return fmt.Errorf("--max-unacked %d: want 0 or more", l.MaxUnacked)
	case l.MaxUnackedPerSource < 0:
		return fmt.Errorf("--max-unacked-per-source %d: want 0 or more", l.MaxUnackedPerSource)
	case l.InviteRate < 0:
		return fmt.Errorf("--invite-rate-per-source %g: want 0 or more", l.InviteRate)
	case l.InviteRate > 0 && l.InviteBurst < 1:
		return fmt.Errorf("--invite-burst-per-source %d: want 1 or more", l.InviteBurst)
	}
	return nil
}

func checkTCPLimits(l confsip.TCPLimits, maxMessage int) error {
	switch {
	case l.MaxConns < 0:
		return fmt.Errorf("--sip-tcp-max-conns %d: want 0 or more", l.MaxConns)
	case l.MaxConnsPerSource < 0:
		return fmt.Errorf("--sip-tcp-max-conns-per-source %d: want 0 or more", l.MaxConnsPerSource)
	case l.IdleTimeout < 0:
		return fmt.Errorf("--sip-tcp-idle-timeout %v: want 0 or more", l.IdleTimeout)
	case l.MessageTimeout < 0:
		return fmt.Errorf("--sip-tcp-message-timeout %v: want 0 or more", l.MessageTimeout)
	case maxMessage < 1024:
		return fmt.Errorf("--sip-max-message %d: want 1024 or more", maxMessage)
	}
	return nil
}

func checkQuality(q gateway.Quality) error {
	switch {
	case q.RTCPInterval < time.Second:
		return fmt.Errorf("--rtcp-interval %s: want 1s or more", q.RTCPInterval)
	case q.RTCPBurst < 1:
		return fmt.Errorf("--rtcp-burst %d: want 1 or more", q.RTCPBurst)
	case q.LossPct <= 0 || q.LossPct > 100:
		return fmt.Errorf("--quality-loss %g: want more than 0 and at most 100", q.LossPct)
	case q.Window <= 0:
		return fmt.Errorf("--quality-window %s: want more than 0", q.Window)
	}
	return nil
}
