package sip_test

import (
	"strings"
	"testing"

	sipmsg "github.com/emiago/sipgo/sip"

	"github.com/confgw/confgw/internal/sipphone"
	"github.com/confgw/confgw/internal/sipraw"
	confsip "github.com/confgw/confgw/sip"
)

// keyRecorder is a recorder whose calls take keys sent in INFO.
type keyRecorder struct {
	*recorder
	keys chan rune
}

func (r keyRecorder) Key(d rune) { r.keys <- d }

func (r keyRecorder) ServeInvite(in *confsip.Incoming) {
	c, _, err := in.Answer(fakeSDP("sendrecv"), r)
	if err != nil {
		return
	}
	r.calls <- c
	<-c.Done()
}

// A PBX's keys in INFO reach the call, and each INFO gets the answer RFC
// 6086 gives it: 200 for legacy INFO, 469 for an Info-Package the gateway
// does not offer, 415 for a body it does not read, 413 past the limit.
func TestAnInfoInACallCarriesAKeyOrGetsItsRefusal(t *testing.T) {
	rec := keyRecorder{recorder: newRecorder(), keys: make(chan rune, 16)}
	srv := startServer(t, rec)
	ph := newPhone(t, sipphone.Config{})
	call, err := ph.Dial(ctxT(t), "sip:demo@"+srv.Addr(), sipphone.CallOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = call.HangUp(ctxT(t)) }()
	within(t, rec.calls, "answered call")

	cases := []struct {
		name, ct, body string
		extra          []sipmsg.Header
		status         int
		key            rune
	}{
		{"a key in dtmf-relay", "application/dtmf-relay", "Signal=5\r\nDuration=160\r\n", nil, 200, '5'},
		{"a key in dtmf", "application/dtmf", "*", nil, 200, '*'},
		{"an empty INFO, as a keep-alive", "", "", nil, 200, 0},
		{"an Info-Package", "application/dtmf-relay", "Signal=5\r\n", []sipmsg.Header{sipmsg.NewHeader("Info-Package", "dtmf")}, 469, 0},
		{"another body", "application/media_control+xml", "<media_control/>", nil, 415, 0},
		{"a malformed body", "application/dtmf-relay", "Signal=55\r\n", nil, 400, 0},
		{"a body past the limit", "application/dtmf-relay", "Signal=5\r\n" + strings.Repeat(" ", confsip.DefaultMaxInfoBody), nil, 413, 0},
	}
	for _, tc := range cases {
		status, err := call.Info(ctxT(t), tc.ct, tc.body, tc.extra...)
		if err != nil || status != tc.status {
			t.Fatalf("%s: %d %v, want %d", tc.name, status, err, tc.status)
		}
		if tc.key != 0 {
			if d := within(t, rec.keys, tc.name); d != tc.key {
				t.Fatalf("%s: key %q, want %q", tc.name, d, tc.key)
			}
		}
	}
	select {
	case d := <-rec.keys:
		t.Fatalf("a refused INFO delivered %q", d)
	default:
	}
}

// An INFO that belongs to no call is answered 481, and OPTIONS names INFO
// among the methods allowed.
func TestAnInfoOutsideAnyCallIsRefused(t *testing.T) {
	srv := startServer(t, newRecorder())
	res, err := sipraw.Do("INFO", "demo", srv.Addr(), "udp")
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 481 {
		t.Fatalf("INFO outside a call: %d, want 481", res.StatusCode)
	}
	res, err = sipraw.Do("OPTIONS", "demo", srv.Addr(), "udp")
	if err != nil {
		t.Fatal(err)
	}
	if a := res.GetHeader("Allow"); a == nil || !strings.Contains(a.Value(), "INFO") {
		t.Fatalf("OPTIONS Allow: %v", a)
	}
}
