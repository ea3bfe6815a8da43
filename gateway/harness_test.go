package gateway_test

import (
	"context"
	"crypto/tls"
	"io"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/confgw/confgw/conference"
	"github.com/confgw/confgw/gateway"
	"github.com/confgw/confgw/internal/sipphone"
	"github.com/confgw/confgw/mixer"
	"github.com/confgw/confgw/rtp/rtpsession"
	confsip "github.com/confgw/confgw/sip"
)

// deadline only catches hangs: every wait is on a condition. A minute,
// because three phones mixing under -race on a 2-core machine that other
// jobs load have been seen to need more than twenty seconds.
const deadline = 60 * time.Second

func logger() *slog.Logger {
	if os.Getenv("GATEWAY_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

type harness struct {
	t    *testing.T
	reg  *conference.Registry
	demo *conference.Conference
	srv  *confsip.Server
	gw   *gateway.Gateway
	// ports is where legs take their RTP ports, to tell a call that took
	// none.
	ports *rtpsession.Ports

	mu     sync.Mutex
	phones []*sipphone.Phone
}

type harnessOptions struct {
	trunk       *confsip.Trunk
	ringTimeout time.Duration
	rtpTimeout  time.Duration
	// shedTickLate and maxSetupCalls set admission; zero sheds nothing.
	shedTickLate  time.Duration
	maxSetupCalls int
	limits        gateway.Limits
	quality       gateway.Quality
	srtp          gateway.SRTPPolicy
	// tls, when set, has the gateway also listen for SIP over TLS.
	tls *tls.Config
}

// newHarness runs a gateway on loopback with conference "demo" (dial-in
// "demo") and tears everything down in the order a server would.
func newHarness(t *testing.T, o harnessOptions) *harness {
	t.Helper()
	var lateness mixer.Lateness
	reg := conference.NewRegistry(conference.Config{NewRoomMedia: conference.MixerRooms(nil, mixer.WithLateness(lateness.Observe))})
	demo, err := reg.Create(conference.Spec{ID: "demo", Title: "Demo"})
	if err != nil {
		t.Fatal(err)
	}
	opts := []confsip.Option{confsip.WithListenAddr("127.0.0.1:0"), confsip.WithLogger(logger())}
	if o.trunk != nil {
		opts = append(opts, confsip.WithTrunk(*o.trunk))
	}
	if o.tls != nil {
		opts = append(opts, confsip.WithTLS("127.0.0.1:0", o.tls))
	}
	if o.ringTimeout > 0 {
		opts = append(opts, confsip.WithRingTimeout(o.ringTimeout))
	}
	srv, err := confsip.NewServer(opts...)
	if err != nil {
		t.Fatal(err)
	}
	ports, err := rtpsession.NewPorts(30000, 39998)
	if err != nil {
		t.Fatal(err)
	}
	gw, err := gateway.New(gateway.Config{
		Registry: reg, SIP: srv, Ports: ports, RTPTimeout: o.rtpTimeout, Logger: logger(),
		TickLateness: lateness.Worst, ShedTickLate: o.shedTickLate, MaxSetupCalls: o.maxSetupCalls,
		Limits: o.limits, Quality: o.quality, SRTP: o.srtp,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan error, 1)
	go func() { ran <- srv.Run(ctx) }()
	h := &harness{t: t, reg: reg, demo: demo, srv: srv, gw: gw, ports: ports}
	t.Cleanup(func() {
		sctx, scancel := context.WithTimeout(context.Background(), deadline)
		defer scancel()
		if err := gw.Shutdown(sctx); err != nil {
			t.Errorf("gateway shutdown: %v", err)
		}
		cancel()
		select {
		case err := <-ran:
			if err != nil {
				t.Errorf("sip server: %v", err)
			}
		case <-time.After(deadline):
			t.Error("sip server did not stop")
		}
		h.mu.Lock()
		for _, p := range h.phones {
			p.Close()
		}
		h.mu.Unlock()
		reg.EndAll()
	})
	select {
	case <-srv.Ready():
	case <-time.After(deadline):
		t.Fatal("sip server never ready")
	}
	return h
}

func (h *harness) phone(cfg sipphone.Config) *sipphone.Phone {
	h.t.Helper()
	p := newPhone(h.t, cfg)
	h.mu.Lock()
	h.phones = append(h.phones, p)
	h.mu.Unlock()
	return p
}

// newPhone makes a phone the caller closes (phones needed before the
// harness, as dial-out peers, close in the test's own cleanup).
func newPhone(t *testing.T, cfg sipphone.Config) *sipphone.Phone {
	t.Helper()
	if cfg.Logger == nil {
		cfg.Logger = logger()
	}
	p, err := sipphone.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func (h *harness) uri(user string) string { return "sip:" + user + "@" + h.srv.Addr() }

func (h *harness) dial(p *sipphone.Phone, user string) *sipphone.Call {
	h.t.Helper()
	c, err := p.Dial(ctxT(h.t), h.uri(user), sipphone.CallOptions{})
	if err != nil {
		h.t.Fatalf("dialling %s: %v", user, err)
	}
	return c
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	t.Cleanup(cancel)
	return ctx
}

// eventually waits for cond; it fails only when cond never comes true.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	end := time.Now().Add(deadline)
	for !cond() {
		if time.Now().After(end) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func closed(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(deadline):
		t.Fatalf("timed out waiting for %s", what)
	}
}

// phones lists the conference's phone participants.
func phones(c *conference.Conference) []conference.Participant {
	var out []conference.Participant
	for _, p := range c.Participants() {
		if p.Kind == conference.KindPhone {
			out = append(out, p)
		}
	}
	return out
}

// nextEvent waits for an event of typ on s.
func nextEvent(t *testing.T, s *conference.Subscription, typ string) conference.Event {
	t.Helper()
	timeout := time.After(deadline)
	for {
		select {
		case e, ok := <-s.C:
			if !ok {
				t.Fatalf("subscription closed before %s", typ)
			}
			if e.Type == typ {
				return e
			}
		case <-timeout:
			t.Fatalf("timed out waiting for event %s", typ)
		}
	}
}
