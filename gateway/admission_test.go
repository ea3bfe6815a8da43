package gateway_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/confgw/confgw/gateway"
	"github.com/confgw/confgw/internal/sipphone"
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

// floodInvites sends INVITEs to demo from p, never ACKing any, calling
// between after each, until stop closes.
func floodInvites(t *testing.T, p *sipraw.Peer, stop <-chan struct{}, between func()) {
	for {
		select {
		case <-stop:
			return
		default:
		}
		if err := p.Send(p.Request("INVITE", "demo", []string{"Content-Type: application/sdp"}, hostileSDP(9))); err != nil {
			t.Errorf("flood: %v", err)
			return
		}
		between()
	}
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

func TestAFloodOfUnacknowledgedInvitesFromOneAddressCannotKeepACallerFromAnotherAddressOutOfTheRoom(t *testing.T) {
	t.Parallel()
	lim := gateway.Limits{MaxCalls: 100, MaxUnacked: 50, MaxUnackedPerSource: 5, InviteRate: 20, InviteBurst: 10}
	h := newHarness(t, harnessOptions{limits: lim})
	reg := metricsOf(t, h)
	// The room plays a tone from a third address, so hearing it proves the
	// caller got all the way in.
	h.dial(h.phone(sipphone.Config{Name: "Resident", User: "+15550401", Tone: 440, Host: "127.0.0.3"}), "demo")
	eventually(t, "the resident in demo", func() bool { return len(phones(h.demo)) == 1 })

	// The flood: one socket on 127.0.0.1 sends INVITEs as fast as it can
	// and never ACKs anything, as the attack on `confgw serve` did.
	flood := dialRaw(t, "UDP", h.srv.Addr())
	var (
		mu         sync.Mutex
		statuses   = map[string]int{} // by Call-ID
		retryAfter = true
	)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	// About 200 a second, a little above the attack's rate.
	wg.Go(func() { floodInvites(t, flood, stop, func() { time.Sleep(5 * time.Millisecond) }) })
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			m, err := flood.Read(100 * time.Millisecond)
			if err != nil {
				continue
			}
			st := sipraw.StatusOf(m)
			if st < 200 {
				continue
			}
			mu.Lock()
			statuses[sipraw.Header(m, "Call-ID")] = st
			if st >= 300 && sipraw.Header(m, "Retry-After") == "" {
				retryAfter = false
			}
			mu.Unlock()
		}
	})
	maxPorts := 0
	floodHeld := func() bool {
		maxPorts = max(maxPorts, h.ports.InUse())
		return sample(t, reg, "confgw_calls_refused_total", "reason", "invite_rate") > 0
	}
	eventually(t, "the flood refused for its rate", floodHeld)
	// The caller comes once the flood is in full swing, with every
	// allowance of its source spent.
	eventually(t, "a hundred INVITEs of the flood refused", func() bool {
		floodHeld()
		return sample(t, reg, "confgw_calls_refused_total", "reason", "invite_rate")+
			sample(t, reg, "confgw_calls_refused_total", "reason", "max_unacked_per_source") >= 100
	})

	caller := h.dial(h.phone(sipphone.Config{Name: "Caller", User: "+15550402", Host: "127.0.0.2"}), "demo")
	eventually(t, "the caller from another address hearing the room during the flood", func() bool {
		floodHeld()
		return caller.Media.Hears(440)
	})
	close(stop)
	wg.Wait()

	mu.Lock()
	defer mu.Unlock()
	counts := map[int]int{}
	for _, st := range statuses {
		counts[st]++
	}
	t.Logf("flood answers by status: %v; RTP ports in use at most %d", counts, maxPorts)
	if counts[486] == 0 {
		t.Errorf("no INVITE of the flood refused with 486: %v", counts)
	}
	if !retryAfter {
		t.Error("a refusal without Retry-After")
	}
	// The resident, the caller and at most MaxUnackedPerSource from the
	// flood; without the caps the flood takes every port it can.
	if limit := 2 + lim.MaxUnackedPerSource; maxPorts > limit {
		t.Errorf("%d RTP ports in use during the flood, want at most %d", maxPorts, limit)
	}
	within(t, ackWait, "the flood's calls hung up and only the two callers' ports in use", func() bool {
		return h.ports.InUse() == 2 &&
			sample(t, reg, "confgw_phone_legs", "direction", "dial-in", "state", "awaiting_ack") == 0 &&
			sample(t, reg, "confgw_calls_unacked_total") >= float64(counts[200])
	})
	if n := len(phones(h.demo)); n != 2 {
		t.Errorf("%d phones in demo after the flood, want the resident and the caller", n)
	}
}

// Floods from as many addresses as the per-source cap divides into the
// global one hold every unacknowledged place; a caller from yet another
// address, who ACKs at once, still gets in: at the global cap it takes
// the oldest place of the greediest flooder, whose wait is given up.
func TestAFloodFromSeveralAddressesFillingTheGlobalCapStillLetsACallerIn(t *testing.T) {
	t.Parallel()
	lim := gateway.Limits{MaxCalls: 100, MaxUnacked: 6, MaxUnackedPerSource: 2}
	h := newHarness(t, harnessOptions{limits: lim})
	reg := metricsOf(t, h)
	h.dial(h.phone(sipphone.Config{Name: "Resident", User: "+15550411", Tone: 440, Host: "127.0.0.9"}), "demo")
	eventually(t, "the resident in demo", func() bool { return len(phones(h.demo)) == 1 })

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var peers []*sipraw.Peer
	for _, host := range []string{"127.0.0.2", "127.0.0.3", "127.0.0.4"} {
		p, err := sipraw.DialFrom("UDP", host, h.srv.Addr())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = p.Close() })
		peers = append(peers, p)
	}
	// Registered after the sockets' cleanups, so it runs before them: the
	// flood stops, on a failure too, before its sockets close.
	t.Cleanup(func() { close(stop); wg.Wait() })
	for _, p := range peers {
		// Reading whatever came, never ACKing, paces each at a flood's rate.
		wg.Go(func() { floodInvites(t, p, stop, func() { _, _ = p.Read(10 * time.Millisecond) }) })
	}
	eventually(t, "the flood holding every unacknowledged place", func() bool {
		return sample(t, reg, "confgw_phone_legs", "direction", "dial-in", "state", "awaiting_ack") == float64(lim.MaxUnacked)
	})
	caller := h.dial(h.phone(sipphone.Config{Name: "Caller", User: "+15550412", Host: "127.0.0.5"}), "demo")
	eventually(t, "the caller hearing the room during the flood", func() bool { return caller.Media.Hears(440) })
	if n := sample(t, reg, "confgw_calls_unacked_taken_back_total"); n < 1 {
		t.Errorf("%v flood calls taken back, want at least the caller's one", n)
	}
}
