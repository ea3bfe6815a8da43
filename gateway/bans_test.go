package gateway_test

import (
	"errors"
	"testing"

	"github.com/confgw/confgw/conference"
	"github.com/confgw/confgw/gateway"
	"github.com/confgw/confgw/internal/sipphone"
)

// A host hangs a caller up with a ban: the number's next call is answered
// 403 with the reason phrase before any port is taken, and counted, while
// another number still gets in; once the ban is lifted the number gets in
// again.
func TestABannedNumberIsRefusedWith403UntilItsBanIsLifted(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	reg := metricsOf(t, h)
	banned := sipphone.Config{Name: "Heckler", User: "+15550100", Tone: 440}
	call := h.dial(h.phone(banned), "demo")
	eventually(t, "the caller in", func() bool { return len(phones(h.demo)) == 1 })
	pid := phones(h.demo)[0].ID
	if err := h.demo.HangUpAndBan(conference.Admin, pid, conference.BanSpec{Reason: "heckling"}); err != nil {
		t.Fatal(err)
	}
	closed(t, call.Done(), "BYE at the banned caller")
	eventually(t, "the banned caller's port given back", func() bool { return h.ports.InUse() == 0 })

	_, err := h.phone(banned).Dial(ctxT(t), h.uri("demo"), sipphone.CallOptions{})
	var se *sipphone.StatusError
	if !errors.As(err, &se) || se.Status != 403 || se.Reason != gateway.BannedReason {
		t.Fatalf("a banned number's dial-in: %v (%+v), want 403 %q", err, se, gateway.BannedReason)
	}
	if se.Reason != "Forbidden (banned from this conference)" {
		t.Fatalf("reason phrase %q", se.Reason)
	}
	if n := sample(t, reg, "confgw_calls_refused_total", "reason", "banned"); n != 1 {
		t.Fatalf("confgw_calls_refused_total{reason=banned} = %v, want 1", n)
	}
	if n := h.ports.InUse(); n != 0 {
		t.Fatalf("the refused call took %d ports", n)
	}

	other := h.dial(h.phone(sipphone.Config{Name: "Guest", User: "+15550177", Tone: 770}), "demo")
	eventually(t, "another number in", func() bool { return len(phones(h.demo)) == 1 })

	if err := h.demo.Unban(conference.Admin, "+15550100"); err != nil {
		t.Fatal(err)
	}
	again := h.dial(h.phone(banned), "demo")
	eventually(t, "the number in again once its ban is lifted", func() bool { return len(phones(h.demo)) == 2 })
	eventually(t, "the two hear each other", func() bool { return again.Media.Hears(770) && other.Media.Hears(440) })
}
