// Package gateway bridges SIP calls and conferences: a dial-in call becomes
// a phone participant of the conference it dialled, a dial-out from the API
// becomes a call through the trunk, and the conference's hang-ups become
// BYEs.
package gateway

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/confgw/confgw/conference"
	"github.com/confgw/confgw/rtp/rtpsession"
	confsip "github.com/confgw/confgw/sip"
)

// Config is what a Gateway bridges.
type Config struct {
	Registry *conference.Registry
	// SIP is the signalling server; New makes the gateway its handler. Its
	// trunk (confsip.WithTrunk) is what DialOut calls through.
	SIP *confsip.Server
	// Ports hands out RTP ports.
	Ports *rtpsession.Ports
	// RTPTimeout hangs up a leg that sent no RTP for that long;
	// rtpsession.DefaultTimeout when zero.
	RTPTimeout time.Duration
	// MediaAddr is the IP put in our SDP; by default the SIP public host.
	MediaAddr netip.Addr
	// PINTimeout bounds PIN entry (60 s by default).
	PINTimeout time.Duration
	// TickLateness reports how late room ticks start, the worst of the last
	// second (mixer.Lateness.Worst); nil never sheds on it.
	TickLateness func() time.Duration
	// ShedTickLate turns new calls away while TickLateness exceeds it;
	// zero never does.
	ShedTickLate time.Duration
	// MaxSetupCalls turns new calls away while that many are being set up;
	// zero sets no cap.
	MaxSetupCalls int
	// Limits caps dial-in calls; the zero value caps nothing.
	Limits Limits
	// Quality sets the legs' RTCP and when a poor call is announced.
	Quality Quality
	// KeypadRate is how many keypad commands a second a caller may key
	// on average once KeypadBurst are spent; more are ignored. Zero or
	// less takes DefaultKeypadRate and DefaultKeypadBurst.
	KeypadRate  float64
	KeypadBurst int

	// SRTP is whether legs protect their media; SRTPOptional when empty.
	SRTP   SRTPPolicy
	Logger *slog.Logger
}

// ErrShuttingDown refuses new calls once Shutdown has begun. It carries a
// code so that the API answers it as a refusal to retry elsewhere or later,
// not as a fault of its own.
var ErrShuttingDown = &conference.Error{Code: conference.CodeShuttingDown, Msg: "the gateway is shutting down: try again shortly"}

// Gateway is the SIP handler and the API's Dialer.
type Gateway struct {
	reg        *conference.Registry
	sip        *confsip.Server
	ports      *rtpsession.Ports
	rtpTimeout time.Duration
	pinTimeout time.Duration
	quality    Quality
	// keypadRate and keypadBurst bound each caller's keypad commands.
	keypadRate  float64
	keypadBurst int
	bindIP      net.IP
	mediaAddr   netip.Addr
	log         *slog.Logger
	metrics     *Metrics
	noAckLog    logEvery
	refuseLog   logEvery
	admission   *admission
	srtp        SRTPPolicy

	tickLateness func() time.Duration
	shedTickLate time.Duration
	maxSetup     int
	// setup counts the calls being set up; see SetupCalls.
	setup atomic.Int64
	// shedLog lets the shedding warning out once a second: an overload
	// sheds many calls a second and must not add a log line for each.
	shedLog logEvery

	// beforeAnswer, set by tests only, holds a dial-in call just before
	// its answer so that a CANCEL can land deterministically.
	beforeAnswer atomic.Pointer[func(ctx context.Context)]

	mu      sync.Mutex
	closing bool
	legs    map[*leg]struct{}
	wg      sync.WaitGroup
}

// New builds a gateway and makes it cfg.SIP's handler.
func New(cfg Config) (*Gateway, error) {
	if cfg.Registry == nil || cfg.SIP == nil || cfg.Ports == nil {
		return nil, errors.New("gateway: Registry, SIP and Ports are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.RTPTimeout <= 0 {
		cfg.RTPTimeout = rtpsession.DefaultTimeout
	}
	if cfg.PINTimeout <= 0 {
		cfg.PINTimeout = 60 * time.Second
	}
	if cfg.KeypadRate <= 0 {
		cfg.KeypadRate = DefaultKeypadRate
	}
	if cfg.KeypadBurst <= 0 {
		cfg.KeypadBurst = DefaultKeypadBurst
	}
	if cfg.SRTP == "" {
		cfg.SRTP = SRTPOptional
	}
	if _, err := ParseSRTPPolicy(string(cfg.SRTP)); err != nil {
		return nil, fmt.Errorf("gateway: %w", err)
	}
	host, _, err := net.SplitHostPort(cfg.SIP.Addr())
	if err != nil {
		return nil, fmt.Errorf("gateway: SIP address: %w", err)
	}
	bind := net.ParseIP(host)
	if !cfg.MediaAddr.IsValid() {
		a, err := netip.ParseAddr(cfg.SIP.PublicHost())
		if err != nil {
			return nil, fmt.Errorf("gateway: SIP public host %q is not an IP address: set MediaAddr: %w", cfg.SIP.PublicHost(), err)
		}
		cfg.MediaAddr = a
	}
	g := &Gateway{
		reg: cfg.Registry, sip: cfg.SIP, ports: cfg.Ports,
		rtpTimeout: cfg.RTPTimeout, pinTimeout: cfg.PINTimeout,
		bindIP: bind, mediaAddr: cfg.MediaAddr.Unmap(),
		log:       cfg.Logger,
		legs:      map[*leg]struct{}{},
		admission: newAdmission(cfg.Limits),
		quality:   cfg.Quality.normalise(),
		srtp:      cfg.SRTP,

		keypadRate: cfg.KeypadRate, keypadBurst: cfg.KeypadBurst,

		shedLog:      logEvery{every: time.Second},
		tickLateness: cfg.TickLateness, shedTickLate: cfg.ShedTickLate, maxSetup: cfg.MaxSetupCalls,
	}
	g.metrics = newMetrics(g)
	cfg.SIP.ObserveResponses(g.metrics.observeResponse)
	cfg.SIP.Handle(g)
	return g, nil
}

// enter counts a leg in; false once shutting down.
func (g *Gateway) enter(l *leg) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closing {
		return false
	}
	g.wg.Add(1)
	if l != nil {
		g.legs[l] = struct{}{}
	}
	return true
}

func (g *Gateway) forget(l *leg) {
	g.mu.Lock()
	delete(g.legs, l)
	g.mu.Unlock()
}

func (g *Gateway) liveLegs() []*leg {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := make([]*leg, 0, len(g.legs))
	for l := range g.legs {
		out = append(out, l)
	}
	return out
}

// Shutdown hangs up every leg (BYE, or CANCEL while ringing) and returns
// once all are over or ctx ends.
func (g *Gateway) Shutdown(ctx context.Context) error {
	g.mu.Lock()
	g.closing = true
	g.mu.Unlock()
	for _, l := range g.liveLegs() {
		l.stop(errShutdown)
	}
	done := make(chan struct{})
	go func() { g.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("gateway shutdown: %w", ctx.Err())
	}
}
