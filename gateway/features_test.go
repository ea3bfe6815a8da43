package gateway_test

import (
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	sipmsg "github.com/emiago/sipgo/sip"
	"github.com/pion/rtp"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/confgw/confgw/conference"
	"github.com/confgw/confgw/gateway"
	"github.com/confgw/confgw/internal/sipphone"
	"github.com/confgw/confgw/internal/sipraw"
	confsip "github.com/confgw/confgw/sip"
)

// TestHoldStopsAudioBothWays: a re-INVITE with sendonly (and later
// inactive) is answered recvonly (inactive), the held phone's tone stops
// reaching the other caller and nothing reaches the held phone; sendrecv
// brings both back.
func TestHoldStopsAudioBothWays(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	a := h.dial(h.phone(sipphone.Config{Tone: 440}), "demo")
	b := h.dial(h.phone(sipphone.Config{Tone: 770}), "demo")
	eventually(t, "both hear each other", func() bool { return a.Media.Hears(770) && b.Media.Hears(440) })

	for _, hold := range []struct{ offer, answer string }{{"sendonly", "recvonly"}, {"inactive", "inactive"}} {
		dir, err := a.Hold(ctxT(t), hold.offer)
		if err != nil {
			t.Fatal(err)
		}
		if dir != hold.answer {
			t.Fatalf("hold %s answered %s, want %s", hold.offer, dir, hold.answer)
		}
		eventually(t, "the other caller stops hearing the held phone", func() bool { return !b.Media.Hears(440) })
		before := a.Media.PacketsIn()
		eventually(t, "the other caller keeps getting audio", func() bool {
			n := b.Media.PacketsIn()
			time.Sleep(100 * time.Millisecond)
			return b.Media.PacketsIn() > n+2
		})
		// Twenty more packets to b with not one to a: a's stream is stopped.
		mark := b.Media.PacketsIn()
		eventually(t, "time passing for b", func() bool { return b.Media.PacketsIn() > mark+20 })
		if got := a.Media.PacketsIn(); got > before+3 {
			t.Fatalf("held phone still receives audio: %d packets since hold", got-before)
		}
		if dir, err := a.Hold(ctxT(t), "sendrecv"); err != nil || dir != "sendrecv" {
			t.Fatalf("resume: %q, %v", dir, err)
		}
		eventually(t, "audio both ways again", func() bool { return a.Media.Hears(770) && b.Media.Hears(440) })
	}
}

func pinConference(t *testing.T, h *harness) *conference.Conference {
	t.Helper()
	c, err := h.reg.Create(conference.Spec{ID: "board", Title: "Board", PIN: "2468"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func key(t *testing.T, c *sipphone.Call, digits string) {
	t.Helper()
	for i := 0; i < len(digits); i++ {
		if err := c.Media.SendDigit(digits[i]); err != nil {
			t.Fatal(err)
		}
		time.Sleep(40 * time.Millisecond) // paced like a finger, not timed for the test
	}
}

// TestPINRightAdmits: while keying, the caller is in no mixer (hears
// nobody); the right PIN puts it in the conference.
func TestPINRightAdmits(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	board := pinConference(t, h)
	first := h.dial(h.phone(sipphone.Config{Tone: 440}), "board")
	key(t, first, "2468#")
	eventually(t, "the first caller admitted", func() bool { return len(phones(board)) == 1 })

	second := h.dial(h.phone(sipphone.Config{Tone: 1200}), "board")
	eventually(t, "the second caller hearing prompts for a second", func() bool { return second.Media.PacketsIn() > 50 })
	if second.Media.Hears(440) || first.Media.Hears(1200) {
		t.Fatal("a caller still keying its PIN is mixed with the conference")
	}
	if n := len(phones(board)); n != 1 {
		t.Fatalf("%d phones in the conference during PIN entry, want 1", n)
	}
	key(t, second, "2468#")
	eventually(t, "both callers hear each other", func() bool { return second.Media.Hears(440) && first.Media.Hears(1200) })
}

func TestPINWrongThreeTimesHangsUp(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	board := pinConference(t, h)
	sub := board.Subscribe(16)
	defer sub.Close()
	call := h.dial(h.phone(sipphone.Config{Tone: 440}), "board")
	key(t, call, "1111#")
	key(t, call, "*99#")
	select {
	case <-call.Done():
		t.Fatal("hung up after two wrong PINs")
	default:
	}
	key(t, call, "2467#")
	closed(t, call.Done(), "BYE after the third wrong PIN")
	if n := len(phones(board)); n != 0 {
		t.Fatalf("%d phones joined with a wrong PIN", n)
	}
	select {
	case e := <-sub.C:
		t.Fatalf("conference saw %s for a caller that never got in", e.Type)
	default:
	}
}

// TestEndingConferenceHangsUpCallersKeyingThePIN: a caller still keying
// the PIN is no member yet, but ending the conference ends its call too.
func TestEndingConferenceHangsUpCallersKeyingThePIN(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	pinConference(t, h)
	call := h.dial(h.phone(sipphone.Config{Tone: 440}), "board")
	key(t, call, "24")
	if err := h.reg.End(conference.Admin, "board"); err != nil {
		t.Fatal(err)
	}
	closed(t, call.Done(), "BYE to the caller keying the PIN when the conference ended")
}

func TestOptionsAndUnsupportedMethods(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	send := func(m sipmsg.RequestMethod) *sipmsg.Response {
		res, err := sipraw.Do(string(m), "demo", h.srv.Addr(), "udp")
		if err != nil {
			t.Fatalf("%s: %v", m, err)
		}
		return res
	}
	if res := send(sipmsg.OPTIONS); res.StatusCode != 200 {
		t.Errorf("OPTIONS: %d", res.StatusCode)
	}
	res := send(sipmsg.MESSAGE)
	if res.StatusCode != 405 {
		t.Fatalf("MESSAGE: %d, want 405", res.StatusCode)
	}
	if allow := res.GetHeader("Allow"); allow == nil || !strings.Contains(allow.Value(), "INVITE") {
		t.Fatalf("405 without a usable Allow: %v", allow)
	}
}

// TestDialOutAnsweredAfterLongRinging: the callee picks up after ringing for
// longer than the RTP timeout; ringing sends no RTP, so the call must not
// count that time against the leg.
func TestDialOutAnsweredAfterLongRinging(t *testing.T) {
	far, trunk := trunkPhone(t, sipphone.Answer{Delay: 1200 * time.Millisecond})
	h := newHarness(t, harnessOptions{trunk: trunk, rtpTimeout: 400 * time.Millisecond})
	p, err := h.gw.DialOut(ctxT(t), h.demo, "+15550199")
	if err != nil {
		t.Fatal(err)
	}
	var callee *sipphone.Call
	select {
	case callee = <-far.Incoming():
	case <-time.After(deadline):
		t.Fatal("the far end never answered")
	}
	// Half a second of the room's audio reaching the callee (the room is
	// silent but sends every 20 ms) outlasts the 400 ms timeout by itself.
	eventually(t, "the callee receiving the room", func() bool { return callee.Media.PacketsIn() > 25 })
	got, err := h.demo.Participant(p.ID)
	if err != nil || got.Phone.State != conference.PhoneConnected {
		t.Fatalf("after a long ring the dial-out is %+v, %v; want connected", got.Phone, err)
	}
}

// trunkPhone is the far end of the trunk: a phone the gateway dials.
func trunkPhone(t *testing.T, a sipphone.Answer) (*sipphone.Phone, *confsip.Trunk) {
	t.Helper()
	p := newPhone(t, sipphone.Config{Tone: 770, Answer: a})
	t.Cleanup(p.Close)
	return p, &confsip.Trunk{Addr: p.Addr(), Username: a.Username, Password: a.Password}
}

func TestDialOutAnswered(t *testing.T) {
	for _, tc := range []struct {
		name   string
		answer sipphone.Answer
	}{
		{"plain", sipphone.Answer{}},
		{"digest challenge", sipphone.Answer{Username: "gw", Password: "s3cret"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			far, trunk := trunkPhone(t, tc.answer)
			h := newHarness(t, harnessOptions{trunk: trunk})
			caller := h.dial(h.phone(sipphone.Config{Tone: 440}), "demo")
			p, err := h.gw.DialOut(ctxT(t), h.demo, "+15550199")
			if err != nil {
				t.Fatal(err)
			}
			if p.Phone.State != conference.PhoneRinging || p.Phone.Direction != conference.DialOut {
				t.Fatalf("DialOut returned %+v", p.Phone)
			}
			var callee *sipphone.Call
			select {
			case callee = <-far.Incoming():
			case <-time.After(deadline):
				t.Fatal("the far end never answered")
			}
			eventually(t, "the dial-out connected", func() bool {
				got, err := h.demo.Participant(p.ID)
				return err == nil && got.Phone.State == conference.PhoneConnected && got.Phone.Codec == "PCMU"
			})
			eventually(t, "caller and callee hear each other", func() bool {
				return caller.Media.Hears(770) && callee.Media.Hears(440)
			})
			if tc.answer.Password != "" && far.Invites() < 2 {
				t.Fatalf("%d INVITEs: the digest challenge was not answered", far.Invites())
			}
			if err := h.demo.HangUp(conference.Admin, p.ID); err != nil {
				t.Fatal(err)
			}
			closed(t, callee.Done(), "BYE at the far end")
		})
	}
}

func TestDialOutRejected(t *testing.T) {
	_, trunk := trunkPhone(t, sipphone.Answer{Status: 486})
	h := newHarness(t, harnessOptions{trunk: trunk})
	sub := h.demo.Subscribe(16)
	defer sub.Close()
	p, err := h.gw.DialOut(ctxT(t), h.demo, "+15550199")
	if err != nil {
		t.Fatal(err)
	}
	e := nextEvent(t, sub, conference.EventPhoneFailed)
	if e.Status != 486 || e.Participant.ID != p.ID {
		t.Fatalf("phone.failed %+v status %d, want 486", e.Participant, e.Status)
	}
	eventually(t, "the failed leg gone", func() bool { return len(phones(h.demo)) == 0 })
}

func TestDialOutRingTimeoutCancels(t *testing.T) {
	far, trunk := trunkPhone(t, sipphone.Answer{Ring: true})
	h := newHarness(t, harnessOptions{trunk: trunk, ringTimeout: 300 * time.Millisecond})
	sub := h.demo.Subscribe(16)
	defer sub.Close()
	if _, err := h.gw.DialOut(ctxT(t), h.demo, "+15550199"); err != nil {
		t.Fatal(err)
	}
	e := nextEvent(t, sub, conference.EventPhoneFailed)
	if e.Status != 408 {
		t.Fatalf("ring timeout ended with %d, want 408", e.Status)
	}
	eventually(t, "the far end got CANCEL", func() bool { return far.Cancels() == 1 })
}

func TestDialOutHungUpWhileRinging(t *testing.T) {
	far, trunk := trunkPhone(t, sipphone.Answer{Ring: true})
	h := newHarness(t, harnessOptions{trunk: trunk})
	p, err := h.gw.DialOut(ctxT(t), h.demo, "+15550199")
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "the far end ringing", func() bool { return far.Invites() == 1 })
	if err := h.demo.HangUp(conference.Admin, p.ID); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the far end got CANCEL", func() bool { return far.Cancels() == 1 })
}

func TestDialOutWithoutTrunkOrWithBadNumber(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	if _, err := h.gw.DialOut(ctxT(t), h.demo, "+15550199"); !errors.Is(err, conference.ErrNoOutboundTrunk) {
		t.Fatalf("no trunk: %v", err)
	}
	_, trunk := trunkPhone(t, sipphone.Answer{})
	h2 := newHarness(t, harnessOptions{trunk: trunk})
	for _, bad := range []string{"", "1\r\nX-Evil: 1", "a@b", "sip:x@y", "1;transport=tcp"} {
		if _, err := h2.gw.DialOut(ctxT(t), h2.demo, bad); !errors.Is(err, conference.ErrInvalid) {
			t.Errorf("DialOut(%q): %v, want invalid", bad, err)
		}
	}
	if n := len(phones(h2.demo)); n != 0 {
		t.Fatalf("%d legs created for bad numbers", n)
	}
}

func TestRTPTimeoutHangsUp(t *testing.T) {
	h := newHarness(t, harnessOptions{rtpTimeout: 500 * time.Millisecond})
	sub := h.demo.Subscribe(16)
	defer sub.Close()
	call := h.dial(h.phone(sipphone.Config{Tone: 440}), "demo")
	nextEvent(t, sub, conference.EventParticipantJoined)
	call.Media.SetMuted(true)
	e := nextEvent(t, sub, conference.EventParticipantLeft)
	if e.Reason != conference.ReasonRTPTimeout {
		t.Fatalf("left with %q, want RTP timeout", e.Reason)
	}
	closed(t, call.Done(), "BYE after the RTP timeout")
}

func TestMetrics(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	reg := prometheus.NewRegistry()
	if err := h.gw.Metrics().Register(reg); err != nil {
		t.Fatal(err)
	}
	call := h.dial(h.phone(sipphone.Config{Tone: 440}), "demo")
	// A payload type the call never negotiated is dropped, and counted.
	foreign, err := net.DialUDP("udp", nil, call.Media.Remote())
	if err != nil {
		t.Fatal(err)
	}
	defer foreign.Close()
	eventually(t, "an RTP packet of a foreign payload type counted as dropped", func() bool {
		pkt, _ := (&rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 96, SequenceNumber: 1, SSRC: 99}, Payload: make([]byte, 160)}).Marshal()
		_, _ = foreign.Write(pkt)
		return sample(t, reg, "confgw_rtp_packets_dropped_total", "reason", "wrong_payload_type") >= 1
	})
	eventually(t, "a connected dial-in leg and RTP both ways counted", func() bool {
		return sample(t, reg, "confgw_phone_legs", "direction", "dial-in", "state", "connected") == 1 &&
			sample(t, reg, "confgw_rtp_packets_total", "direction", "in") > 5 &&
			sample(t, reg, "confgw_rtp_packets_total", "direction", "out") > 5
	})
	if got := sample(t, reg, "confgw_sip_responses_total", "direction", "sent", "status", "200"); got < 1 {
		t.Fatalf("200 OK not counted: %v", got)
	}
}

// sample reads the value of the series of name with the given labels.
func sample(t *testing.T, reg *prometheus.Registry, name string, kv ...string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	next:
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			for i := 0; i+1 < len(kv); i += 2 {
				if labels[kv[i]] != kv[i+1] {
					continue next
				}
			}
			switch {
			case m.GetGauge() != nil:
				return m.GetGauge().GetValue()
			case m.GetCounter() != nil:
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}

// TestShutdownHangsUpEveryLeg: Shutdown sends BYE to connected legs and
// CANCEL to ringing ones before it returns.
func TestShutdownHangsUpEveryLeg(t *testing.T) {
	far, trunk := trunkPhone(t, sipphone.Answer{Ring: true})
	h := newHarness(t, harnessOptions{trunk: trunk})
	call := h.dial(h.phone(sipphone.Config{Tone: 440}), "demo")
	if _, err := h.gw.DialOut(ctxT(t), h.demo, "+15550199"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the far end ringing", func() bool { return far.Invites() == 1 })
	if err := h.gw.Shutdown(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	closed(t, call.Done(), "BYE on shutdown")
	eventually(t, "CANCEL on shutdown", func() bool { return far.Cancels() == 1 })
	if n := len(phones(h.demo)); n != 0 {
		t.Fatalf("%d phones left after shutdown", n)
	}
	if _, err := h.gw.DialOut(ctxT(t), h.demo, "+15550199"); !errors.Is(err, gateway.ErrShuttingDown) {
		t.Fatalf("DialOut after shutdown: %v", err)
	}
}
