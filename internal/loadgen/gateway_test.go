package loadgen

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/confgw/confgw/conference"
	"github.com/confgw/confgw/gateway"
	"github.com/confgw/confgw/rtp/rtpsession"
	confsip "github.com/confgw/confgw/sip"
)

// startGateway runs a real gateway on loopback with conference "demo" and
// returns its SIP address; everything stops when the test ends.
func startGateway(t *testing.T) string {
	t.Helper()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	reg := conference.NewRegistry(conference.Config{NewRoomMedia: conference.MixerRooms(nil)})
	if _, err := reg.Create(conference.Spec{ID: "demo", Title: "Demo"}); err != nil {
		t.Fatal(err)
	}
	srv, err := confsip.NewServer(confsip.WithListenAddr("127.0.0.1:0"), confsip.WithLogger(quiet))
	if err != nil {
		t.Fatal(err)
	}
	ports, err := rtpsession.NewPorts(40000, 44998)
	if err != nil {
		t.Fatal(err)
	}
	gw, err := gateway.New(gateway.Config{Registry: reg, SIP: srv, Ports: ports, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan error, 1)
	go func() { ran <- srv.Run(ctx) }()
	t.Cleanup(func() {
		sctx, scancel := context.WithTimeout(context.Background(), time.Minute)
		defer scancel()
		if err := gw.Shutdown(sctx); err != nil {
			t.Errorf("gateway shutdown: %v", err)
		}
		cancel()
		if err := <-ran; err != nil {
			t.Errorf("sip server: %v", err)
		}
		reg.EndAll()
	})
	select {
	case <-srv.Ready():
	case <-time.After(time.Minute):
		t.Fatal("sip server never ready")
	}
	return srv.Addr()
}

func holdConfig(target string, legs int) Config {
	cfg := Defaults()
	cfg.Target, cfg.Legs, cfg.Rate, cfg.Hold = target, legs, 100, 3*time.Second
	// Small sockets make the test cross several of them.
	cfg.LegsPerSocket = 8
	return cfg
}

func TestHoldAgainstGateway(t *testing.T) {
	cfg := holdConfig(startGateway(t), 30)
	r, err := Run(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	logReport(t, r)
	if r.Attempted != 30 || r.Established != 30 || r.Failed != 0 || r.Dropped != 0 || len(r.Failures) != 0 {
		t.Fatalf("calls: %d attempted, %d up, %d failed %v, %d dropped", r.Attempted, r.Established, r.Failed, r.Failures, r.Dropped)
	}
	if r.Sockets != 4 {
		t.Errorf("%d sockets for 30 legs at 8 a socket", r.Sockets)
	}
	// A gateway keeping time sends 50 a second; only a wide band is
	// asserted, since a loaded machine running -race can lag it.
	if r.ReceivedPPSPerLeg.Min < 20 || r.ReceivedPPSPerLeg.Max > 60 {
		t.Errorf("received pps per leg %+v, want about 50", r.ReceivedPPSPerLeg)
	}
	if r.SilentLegs != 0 || r.LevelDBFS.Min < -25 {
		t.Errorf("level %+v with %d silent legs: every leg should hear the talkers", r.LevelDBFS, r.SilentLegs)
	}
	if r.Sampled != cfg.Sample || r.SampledHearingMix != r.Sampled || !r.MixMinusOK {
		t.Fatalf("%d of %d sampled hear the mix, mix-minus %t: %+v", r.SampledHearingMix, r.Sampled, r.MixMinusOK, r.Hearing)
	}
	if r.GeneratorCPUSeconds <= 0 {
		t.Error("no CPU time measured")
	}
}

// TestAbsentTalkerIsCaught silences talker 1's tone: every other sampled
// leg must be reported as missing 700 Hz, and the run as failed.
func TestAbsentTalkerIsCaught(t *testing.T) {
	cfg := holdConfig(startGateway(t), 12)
	cfg.absentTalkers = []int{1}
	r, err := Run(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	logReport(t, r)
	if r.Failed != 0 || r.Sampled != cfg.Sample {
		t.Fatalf("%d calls failed, %d sampled", r.Failed, r.Sampled)
	}
	for _, h := range r.Hearing {
		want := h.Leg != 1
		if got := len(h.Missing) == 1 && h.Missing[0] == talkerFreqs[1]; got != want || h.Self {
			t.Errorf("leg %d: missing %v, hears itself %t", h.Leg, h.Missing, h.Self)
		}
	}
	if r.SampledHearingMix != 1 || r.OK() {
		t.Fatalf("%d sampled hear the mix, problems %q: the absent talker went unnoticed", r.SampledHearingMix, r.Problems)
	}
}

func TestCPSAgainstGateway(t *testing.T) {
	cfg := Defaults()
	cfg.Mode, cfg.Target = ModeCPS, startGateway(t)
	cfg.CPS, cfg.Duration, cfg.CallHold = 20, time.Second, 300*time.Millisecond
	r, err := Run(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	logReport(t, r)
	if r.Mode != "cps" || r.Attempted != 20 || r.Established != 20 || r.Failed != 0 {
		t.Fatalf("%d attempted, %d up, %d failed %v", r.Attempted, r.Established, r.Failed, r.Failures)
	}
	if r.SetupMS.Max <= 0 || r.SetupMS.P50 > r.SetupMS.P99 || r.CPSAchieved <= 0 || r.PacketsReceived == 0 {
		t.Fatalf("set-up %+v, %.1f calls/s, %d packets heard", r.SetupMS, r.CPSAchieved, r.PacketsReceived)
	}
}

func TestUnknownConferenceFails(t *testing.T) {
	cfg := holdConfig(startGateway(t), 3)
	cfg.To, cfg.Hold = "nosuch", 100*time.Millisecond
	r, err := Run(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if r.Failed != 3 || r.Failures["404"] != 3 || r.OK() {
		t.Fatalf("failed %d %v, ok %t", r.Failed, r.Failures, r.OK())
	}
}

func TestBadConfig(t *testing.T) {
	for _, mut := range []func(*Config){
		func(c *Config) { c.Target = "nowhere" },
		func(c *Config) { c.Local = "::1" },
		func(c *Config) { c.Transport = "sctp" },
		func(c *Config) { c.Talkers = MaxTalkers + 1 },
		func(c *Config) { c.Mode = "soak" },
		func(c *Config) { c.Mode, c.CPS = ModeCPS, 0 },
	} {
		cfg := Defaults()
		mut(&cfg)
		if _, err := Run(t.Context(), cfg); err == nil {
			t.Errorf("%+v ran", cfg)
		}
	}
}

func logReport(t *testing.T, r *Report) {
	t.Helper()
	var b strings.Builder
	_ = r.WriteTable(&b)
	t.Log("\n" + b.String())
}
