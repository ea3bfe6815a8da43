package gateway_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/confgw/confgw/conference"
	"github.com/confgw/confgw/internal/sipphone"
	"github.com/confgw/confgw/internal/sipraw"
)

var tones = []float64{440, 770, 1200}

// TestThreePhonesMixMinus: three callers each play a tone into "demo"; each
// hears the other two and not itself. The admin then hangs one up: it gets
// a BYE and the others stop hearing it.
func TestThreePhonesMixMinus(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	var calls []*sipphone.Call
	for i, f := range tones {
		p := h.phone(sipphone.Config{Name: "Caller", User: "+1555010" + string(rune('0'+i)), Tone: f})
		calls = append(calls, h.dial(p, "demo"))
	}
	eventually(t, "three phone participants", func() bool { return len(phones(h.demo)) == 3 })
	hearsOthersOnly := func(i int, among []int) bool {
		if calls[i].Media.Hears(tones[i]) {
			return false
		}
		for _, j := range among {
			if j != i && !calls[i].Media.Hears(tones[j]) {
				return false
			}
		}
		return true
	}
	eventually(t, "everyone hears the two others and not itself", func() bool {
		return hearsOthersOnly(0, []int{0, 1, 2}) && hearsOthersOnly(1, []int{0, 1, 2}) && hearsOthersOnly(2, []int{0, 1, 2})
	})

	third := phones(h.demo)[2]
	if third.Phone == nil || third.Phone.Number != "+15550102" || third.Phone.Direction != conference.DialIn ||
		third.Phone.State != conference.PhoneConnected || third.Phone.Codec != "PCMU" {
		t.Fatalf("third participant = %+v, phone %+v", third, third.Phone)
	}
	if err := h.demo.HangUp(conference.Admin, third.ID); err != nil {
		t.Fatal(err)
	}
	closed(t, calls[2].Done(), "BYE at the phone hung up by the admin")
	eventually(t, "the two left stop hearing the third and still hear each other", func() bool {
		return !calls[0].Media.Hears(tones[2]) && !calls[1].Media.Hears(tones[2]) &&
			calls[0].Media.Hears(tones[1]) && calls[1].Media.Hears(tones[0])
	})
	if n := len(phones(h.demo)); n != 2 {
		t.Fatalf("%d phones left, want 2", n)
	}
}

func TestCallerHangsUp(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	sub := h.demo.Subscribe(64)
	defer sub.Close()
	call := h.dial(h.phone(sipphone.Config{Name: "Bob", User: "+15550111", Tone: 440}), "demo")
	joined := nextEvent(t, sub, conference.EventParticipantJoined)
	if joined.Participant.Name != "Bob" {
		t.Fatalf("joined as %q, want the From display name", joined.Participant.Name)
	}
	if err := call.HangUp(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	left := nextEvent(t, sub, conference.EventParticipantLeft)
	if left.Reason != conference.ReasonCallerHungUp || left.Participant.ID != joined.Participant.ID {
		t.Fatalf("left %+v with reason %q", left.Participant, left.Reason)
	}
}

func dialStatus(t *testing.T, h *harness, user string, opts sipphone.CallOptions, cfg sipphone.Config) int {
	t.Helper()
	_, err := h.phone(cfg).Dial(ctxT(t), h.uri(user), opts)
	var se *sipphone.StatusError
	if !errors.As(err, &se) {
		t.Fatalf("dial %s: %v, want a refusal", user, err)
	}
	return se.Status
}

func TestRefusals(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	if s := dialStatus(t, h, "nosuch", sipphone.CallOptions{}, sipphone.Config{}); s != 404 {
		t.Errorf("unknown conference: %d, want 404", s)
	}
	if s := dialStatus(t, h, "demo", sipphone.CallOptions{}, sipphone.Config{Codecs: []string{"G729"}}); s != 488 {
		t.Errorf("G729 only: %d, want 488", s)
	}
	bad := sipphone.CallOptions{SDP: []byte("v=0\r\nthis is not SDP\r\n")}
	if s := dialStatus(t, h, "demo", bad, sipphone.Config{}); s != 400 {
		t.Errorf("malformed SDP: %d, want 400", s)
	}
	if n := len(phones(h.demo)); n != 0 {
		t.Fatalf("%d phones joined after refusals", n)
	}
}

// TestCancelBeforeAnswer holds the answer until the caller's CANCEL has
// been seen, so the 487 is certain.
func TestCancelBeforeAnswer(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	seen := make(chan error, 1)
	gatewaySetBeforeAnswer(h, func(ctx context.Context) {
		<-ctx.Done()
		seen <- context.Cause(ctx)
	})
	ctx, cancel := context.WithCancel(ctxT(t))
	_, err := h.phone(sipphone.Config{}).Dial(ctx, h.uri("demo"), sipphone.CallOptions{OnResponse: func(status int) {
		if status == 100 || status == 180 {
			cancel()
		}
	}})
	var se *sipphone.StatusError
	if !errors.As(err, &se) || se.Status != 487 {
		t.Fatalf("dial: %v, want 487", err)
	}
	closed(t, ctxDone(seen), "the gateway noticing the CANCEL")
	if n := len(phones(h.demo)); n != 0 {
		t.Fatalf("%d phones joined a cancelled call", n)
	}
}

func ctxDone(ch <-chan error) <-chan struct{} {
	out := make(chan struct{})
	go func() { <-ch; close(out) }()
	return out
}

// TestMalformedSDPSaysWhy: the 400 for a bad offer carries the reason in
// its status line, so the engineer reading a trace on the trunk sees it.
func TestMalformedSDPSaysWhy(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	tests := []struct{ sdp, want string }{
		{"v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=video 5000 RTP/AVP 31\r\n", "no audio media line"},
		{"hello\x00world", "syntax error"},
	}
	for _, tt := range tests {
		p := dialRaw(t, "UDP", h.srv.Addr())
		if err := p.Send(p.Request("INVITE", "demo", []string{"Content-Type: application/sdp"}, tt.sdp)); err != nil {
			t.Fatal(err)
		}
		res, err := p.Final(deadline)
		if err != nil {
			t.Fatal(err)
		}
		status, _, _ := strings.Cut(res, "\r\n")
		if !strings.HasPrefix(status, "SIP/2.0 400 ") || !strings.Contains(status, tt.want) {
			t.Errorf("status line %q, want 400 saying %q", status, tt.want)
		}
	}
}

// TestByeReachesAPhoneBehindNAT: a phone behind NAT puts its private
// address in Contact; the host's hang-up must still reach it, at the
// address its messages came from.
func TestByeReachesAPhoneBehindNAT(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	// Nothing listens at the Contact: only the source address reaches the phone.
	p, invite, ok := answeredRaw(t, h, func(m string) string {
		return sipraw.ReplaceHeader(m, "Contact", "Contact: <sip:phone@127.0.0.2:9>")
	})
	if err := p.Send(sipraw.InDialog(invite, ok, "ACK", 1)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the phone in demo", func() bool { return len(phones(h.demo)) == 1 })
	if err := h.demo.HangUp(conference.Admin, phones(h.demo)[0].ID); err != nil {
		t.Fatal(err)
	}
	end := time.Now().Add(deadline)
	for {
		m, err := p.Read(time.Until(end))
		if err != nil {
			t.Fatalf("no BYE at the phone's source address: %v", err)
		}
		if strings.HasPrefix(m, "BYE ") {
			if err := p.Send(sipraw.Response(m, 200, "OK")); err != nil {
				t.Fatal(err)
			}
			return
		}
	}
}
