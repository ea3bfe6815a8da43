package gateway_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	sipmsg "github.com/emiago/sipgo/sip"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/conference"
	"github.com/confgw/confgw/gateway"
	"github.com/confgw/confgw/internal/sipphone"
	"github.com/confgw/confgw/internal/sipraw"
)

// slowSender is a phone whose every send blocks for 150 ms until released,
// as a leg stuck on a full socket would: each main-room tick then starts
// well past its due time.
type slowSender struct{ release chan struct{} }

func (s *slowSender) ReadFrame(*audio.Frame) bool { return false }

func (s *slowSender) WriteFrame(*audio.Frame) {
	select {
	case <-s.release:
	case <-time.After(150 * time.Millisecond):
	}
}

// shedMetrics registers the gateway's collectors and reads
// confgw_calls_shed_total for a reason.
func shedMetrics(t *testing.T, gw *gateway.Gateway) func(reason string) float64 {
	t.Helper()
	reg := prometheus.NewRegistry()
	if err := gw.Metrics().Register(reg); err != nil {
		t.Fatal(err)
	}
	return func(reason string) float64 {
		t.Helper()
		fams, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range fams {
			if f.GetName() != "confgw_calls_shed_total" {
				continue
			}
			for _, m := range f.GetMetric() {
				for _, l := range m.GetLabel() {
					if l.GetName() == "reason" && l.GetValue() == reason {
						return m.GetCounter().GetValue()
					}
				}
			}
		}
		t.Fatalf("no confgw_calls_shed_total{reason=%q}", reason)
		return 0
	}
}

// inviteShed sends an INVITE over loopback and checks it is refused 503
// with a Retry-After of a few seconds, having taken no RTP port.
func inviteShed(t *testing.T, h *harness) {
	t.Helper()
	before := h.ports.InUse()
	res, err := sipraw.Do("INVITE", "demo", h.srv.Addr(), "udp")
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 503 {
		t.Fatalf("INVITE answered %d %s, want 503", res.StatusCode, res.Reason)
	}
	checkRetryAfter(t, res)
	if n := h.ports.InUse(); n != before {
		t.Fatalf("RTP ports in use went from %d to %d for a shed call", before, n)
	}
}

func checkRetryAfter(t *testing.T, res *sipmsg.Response) {
	t.Helper()
	h := res.GetHeader("Retry-After")
	if h == nil {
		t.Fatalf("a shed call's 503 has no Retry-After:\n%s", res)
	}
	if secs, err := strconv.Atoi(h.Value()); err != nil || secs < 1 || secs > 10 {
		t.Fatalf("Retry-After %q, want a few seconds", h.Value())
	}
}

func TestANewCallIsShedWhileTheMainRoomsTicksRunLateAndTakenOnceTheyCatchUp(t *testing.T) {
	h := newHarness(t, harnessOptions{shedTickLate: 50 * time.Millisecond})
	shed := shedMetrics(t, h.gw)
	up := h.dial(h.phone(sipphone.Config{}), "demo")
	slow := &slowSender{release: make(chan struct{})}
	released := false
	t.Cleanup(func() {
		if !released {
			close(slow.release)
		}
	})
	if _, err := h.demo.AddPhone(conference.PhoneSpec{Number: "+15550199", Media: slow}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the gateway sheds on late ticks", func() bool { return h.gw.Shedding() == gateway.ShedTickLate })

	inviteShed(t, h)
	if n := shed("tick_late"); n != 1 {
		t.Fatalf("confgw_calls_shed_total{reason=tick_late} = %v, want 1", n)
	}
	select {
	case <-up.Done():
		t.Fatal("shedding hung up a call that was already up")
	default:
	}

	close(slow.release)
	released = true
	eventually(t, "the gateway takes calls again", func() bool { return h.gw.Shedding() == "" })
	c := h.dial(h.phone(sipphone.Config{}), "demo")
	if err := c.HangUp(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	if err := up.HangUp(ctxT(t)); err != nil {
		t.Fatal(err)
	}
}

func TestANewCallIsShedWhileTheSetUpQueueIsFullAndTakenOnceItDrains(t *testing.T) {
	h := newHarness(t, harnessOptions{maxSetupCalls: 1})
	shed := shedMetrics(t, h.gw)
	release := make(chan struct{})
	gatewaySetBeforeAnswer(h, func(ctx context.Context) {
		select {
		case <-release:
		case <-ctx.Done():
		}
	})
	type dialled struct {
		c   *sipphone.Call
		err error
	}
	first := make(chan dialled, 1)
	p := h.phone(sipphone.Config{})
	go func() {
		c, err := p.Dial(ctxT(t), h.uri("demo"), sipphone.CallOptions{})
		first <- dialled{c, err}
	}()
	eventually(t, "one call in set-up fills the queue", func() bool { return h.gw.Shedding() == gateway.ShedSetupQueue })

	inviteShed(t, h)
	if n := shed("setup_queue"); n != 1 {
		t.Fatalf("confgw_calls_shed_total{reason=setup_queue} = %v, want 1", n)
	}

	close(release)
	var d dialled
	select {
	case d = <-first:
	case <-time.After(deadline):
		t.Fatal("the call held in set-up was never answered")
	}
	if d.err != nil {
		t.Fatalf("the call held in set-up: %v", d.err)
	}
	eventually(t, "the set-up queue drains", func() bool { return h.gw.SetupCalls() == 0 && h.gw.Shedding() == "" })
	c := h.dial(h.phone(sipphone.Config{}), "demo")
	for _, call := range []*sipphone.Call{c, d.c} {
		if err := call.HangUp(ctxT(t)); err != nil {
			t.Fatal(err)
		}
	}
}
