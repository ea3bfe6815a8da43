package gateway_test

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/confgw/confgw/internal/sipraw"
	confsip "github.com/confgw/confgw/sip"
)

// ackWait bounds how long a test waits for an un-ACKed call to be hung up:
// the ACK timeout and some slack, far less than the 32 s of 64*T1.
const ackWait = confsip.DefaultAckTimeout + 3*time.Second

func metricsOf(t *testing.T, h *harness) *prometheus.Registry {
	t.Helper()
	reg := prometheus.NewRegistry()
	if err := h.gw.Metrics().Register(reg); err != nil {
		t.Fatal(err)
	}
	return reg
}

// rawInvite sends a PCMU INVITE to "demo" from p and returns its final
// response.
func rawInvite(t *testing.T, p *sipraw.Peer) string {
	t.Helper()
	if err := p.Send(p.Request("INVITE", "demo", []string{"Content-Type: application/sdp"}, hostileSDP(9))); err != nil {
		t.Fatal(err)
	}
	res, err := p.Final(deadline)
	if err != nil {
		t.Fatalf("no final response to INVITE: %v", err)
	}
	return res
}

func TestACallAnsweredButNeverAcknowledgedIsHungUpWithinTheAckTimeoutAndGivesItsPortBack(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	reg := metricsOf(t, h)
	p := dialRaw(t, "UDP", h.srv.Addr())
	if res := rawInvite(t, p); sipraw.StatusOf(res) != 200 {
		t.Fatalf("INVITE answered %q, want 200", res)
	}
	answered := time.Now()
	eventually(t, "the call counted as awaiting its ACK, holding a port", func() bool {
		return sample(t, reg, "confgw_phone_legs", "direction", "dial-in", "state", "awaiting_ack") == 1 &&
			h.ports.InUse() == 1
	})

	// The peer never ACKs; the gateway must give up and say so with a BYE.
	bye := ""
	for bye == "" {
		m, err := p.Read(time.Until(answered.Add(ackWait)))
		if err != nil {
			t.Fatalf("no BYE within %v of the 200: %v", ackWait, err)
		}
		if strings.HasPrefix(m, "BYE ") {
			bye = m
		}
	}
	_ = p.Send(sipraw.Response(bye, 200, "OK"))
	within(t, ackWait, "the port back and the call counted as unacknowledged", func() bool {
		return h.ports.InUse() == 0 &&
			sample(t, reg, "confgw_calls_unacked_total") == 1 &&
			sample(t, reg, "confgw_phone_legs", "direction", "dial-in", "state", "awaiting_ack") == 0
	})
	if n := len(phones(h.demo)); n != 0 {
		t.Fatalf("%d phones in the conference after an unacknowledged call", n)
	}
	eventually(t, "no call left on the SIP side", func() bool { return h.srv.ActiveCalls() == 0 })
}
