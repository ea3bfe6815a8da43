// Package loadgen is a SIP/RTP and WebRTC load generator for sizing a
// gateway: it places many calls into a conference, plays PCMU into each
// from a few goroutines with batched socket I/O, joins app participants'
// audio over WebRTC (Opus, with ICE, DTLS and SRTP), and reports call
// set-up, packet loss, concealed frames, received level, whether sampled
// legs hear the others (mix-minus) and the gateway's own metrics.
package loadgen

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"time"
)

// Mode is what a run measures.
type Mode string

const (
	// ModeHold places every call, holds them all and measures the media.
	ModeHold Mode = "hold"
	// ModeCPS places calls at a steady rate, each held briefly, and
	// measures call set-up.
	ModeCPS Mode = "cps"
	// ModeLatency puts one phone leg and one WebRTC app participant in
	// the room and times clicks through the gateway both ways.
	ModeLatency Mode = "latency"
)

// Config describes a run. Zero fields take the defaults of Defaults.
type Config struct {
	Mode      Mode
	Target    string // the gateway's SIP host:port
	To        string // user part dialled: the conference's dial-in
	Local     string // IP the generator binds and advertises
	Transport string // udp or tcp

	// Hold mode.
	Legs int
	Rate float64 // calls placed per second while ramping up
	Hold time.Duration

	// CPS mode.
	CPS      float64
	Duration time.Duration
	CallHold time.Duration

	Talkers      int // phone legs sending a distinct loud tone (hold mode)
	Sample       int // legs checked for the mix, talkers included
	SetupTimeout time.Duration
	// Settle is how long every call is up before the measured window opens,
	// for jitter buffers to fill and the gateway to latch each leg.
	Settle time.Duration
	// LegsPerSocket is how many legs share one RTP port.
	LegsPerSocket int
	MaxLoss       float64
	Logger        *slog.Logger

	// WebRTC legs (hold mode): app participants added through the API at
	// Server with Token (the admin key or a host's token) to Conference,
	// each joining its audio over WebRTC with Opus. WebRTCTalkers of them
	// send a distinct loud tone, after the phone talkers' tones.
	WebRTC        int
	WebRTCTalkers int
	// WebRTCNoDTX has quiet WebRTC legs send their faint tone 50 times a
	// second even when the gateway's answer asks for discontinuous
	// transmission (usedtx=1), as a browser that ignores it would: the
	// gateway then decodes every leg's packets.
	WebRTCNoDTX bool
	Server      string
	Token       string
	Conference  string // empty: To, as a demo's dial-in is its id

	// Latency mode: clicks each way, one every ClickEvery, after Settle.
	Clicks     int
	ClickEvery time.Duration

	// absentTalkers send the quiet tone in place of their own, so tests
	// can show a missing talker is caught.
	absentTalkers []int
}

// Defaults is the configuration a bare `confgw loadtest` runs.
func Defaults() Config {
	return Config{
		Mode: ModeHold, Target: "127.0.0.1:5060", To: "demo", Local: "127.0.0.1", Transport: "udp",
		Legs: 100, Rate: 50, Hold: 30 * time.Second,
		CPS: 10, Duration: 30 * time.Second, CallHold: 2 * time.Second,
		Talkers: 4, Sample: 10, SetupTimeout: 10 * time.Second, Settle: time.Second,
		LegsPerSocket: 200, MaxLoss: 0.005,
		WebRTCTalkers: 2, Server: "http://127.0.0.1:8080",
		Clicks: 30, ClickEvery: 400 * time.Millisecond,
	}
}

func (c *Config) validate() error {
	var errs []error
	if _, _, err := net.SplitHostPort(c.Target); err != nil {
		errs = append(errs, fmt.Errorf("target %q: %w", c.Target, err))
	}
	if ip := net.ParseIP(c.Local); ip == nil || ip.To4() == nil {
		errs = append(errs, fmt.Errorf("local %q: want an IPv4 address", c.Local))
	}
	c.Transport = strings.ToLower(c.Transport)
	if c.Transport != "udp" && c.Transport != "tcp" {
		errs = append(errs, fmt.Errorf("transport %q: want udp or tcp", c.Transport))
	}
	switch c.Mode {
	case ModeHold:
		if c.Legs < 0 || c.WebRTC < 0 || c.Legs+c.WebRTC < 1 || c.Rate <= 0 || c.Hold <= 0 {
			errs = append(errs, errors.New("hold mode needs legs or WebRTC legs (at least one in all), rate > 0 and hold > 0"))
		}
		if c.Talkers < 0 || c.WebRTCTalkers < 0 || c.Talkers+c.WebRTCTalkers > MaxTalkers {
			errs = append(errs, fmt.Errorf("talkers %d and WebRTC talkers %d: want 0..%d in all", c.Talkers, c.WebRTCTalkers, MaxTalkers))
		}
		// A handful of legs is a fair smoke test: they all talk.
		c.Talkers = min(c.Talkers, c.Legs)
		c.WebRTCTalkers = min(c.WebRTCTalkers, c.WebRTC)
		if c.WebRTC > 0 {
			errs = append(errs, c.validateAPI()...)
		}
	case ModeCPS:
		if c.CPS <= 0 || c.Duration <= 0 || c.CallHold < 0 {
			errs = append(errs, errors.New("cps mode needs cps > 0, duration > 0 and call-hold >= 0"))
		}
		if c.WebRTC != 0 {
			errs = append(errs, errors.New("WebRTC legs run in hold mode only"))
		}
	case ModeLatency:
		if c.Clicks < 1 || c.ClickEvery < 200*time.Millisecond {
			errs = append(errs, errors.New("latency mode needs clicks >= 1 and click-every >= 200ms"))
		}
		errs = append(errs, c.validateAPI()...)
	default:
		errs = append(errs, fmt.Errorf("mode %q: want hold, cps or latency", c.Mode))
	}
	if c.Sample < 0 || c.LegsPerSocket < 1 || c.SetupTimeout <= 0 || c.MaxLoss < 0 {
		errs = append(errs, errors.New("sample, max-loss >= 0; legs per socket and setup timeout > 0"))
	}
	if c.Conference == "" {
		c.Conference = c.To
	}
	return errors.Join(errs...)
}

// validateAPI checks what app participants need: the API and a token.
func (c *Config) validateAPI() []error {
	var errs []error
	if u, err := url.Parse(c.Server); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("server %q: want the API's http:// or https:// address", c.Server))
	}
	if c.Token == "" {
		errs = append(errs, errors.New("WebRTC legs need a token: the admin key or a host's token, to add participants"))
	}
	return errs
}
