package sip_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/confgw/confgw/internal/sipphone"
	"github.com/confgw/confgw/internal/sipraw"
	confsip "github.com/confgw/confgw/sip"
)

// fakeSDP is an answer good enough for the test phone: nothing listens at
// its port, and these tests look at signalling only.
func fakeSDP(direction string) []byte {
	return []byte("v=0\r\no=gw 1 1 IN IP4 127.0.0.1\r\ns=gw\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" +
		"m=audio 9 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=" + direction + "\r\n")
}

// recorder is a handler that answers every call and remembers what it saw.
type recorder struct {
	calls    chan *confsip.Call
	acks     chan []byte
	offers   chan []byte
	reoffers chan []byte
}

func newRecorder() *recorder {
	return &recorder{calls: make(chan *confsip.Call, 4), acks: make(chan []byte, 4),
		offers: make(chan []byte, 4), reoffers: make(chan []byte, 4)}
}

func (r *recorder) ServeInvite(in *confsip.Incoming) {
	r.offers <- in.Offer()
	c, ack, err := in.Answer(fakeSDP("sendrecv"), r)
	if err != nil {
		return
	}
	r.acks <- ack
	r.calls <- c
	<-c.Done()
}

func (r *recorder) Reoffer(offer []byte) ([]byte, error) {
	r.reoffers <- offer
	return fakeSDP("recvonly"), nil
}

func (r *recorder) Reanswer([]byte) {}

func newPhone(t *testing.T, cfg sipphone.Config) *sipphone.Phone {
	t.Helper()
	p, err := sipphone.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

func within[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(deadline):
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}

func closedWithin(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(deadline):
		t.Fatalf("timed out waiting for %s", what)
	}
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	t.Cleanup(cancel)
	return ctx
}

func TestAnswerThenCallerHangsUp(t *testing.T) {
	rec := newRecorder()
	srv := startServer(t, rec)
	ph := newPhone(t, sipphone.Config{Name: "Alice", User: "+15550100", Tone: 440})
	call, err := ph.Dial(ctxT(t), "sip:demo@"+srv.Addr(), sipphone.CallOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if offer := within(t, rec.offers, "offer"); len(offer) == 0 {
		t.Fatal("handler saw no SDP offer")
	}
	c := within(t, rec.calls, "answered call")
	if err := call.HangUp(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	closedWithin(t, c.Done(), "call end")
	if !errors.Is(c.Err(), confsip.ErrRemoteHangUp) {
		t.Fatalf("call ended with %v, want ErrRemoteHangUp", c.Err())
	}
	if srv.ActiveCalls() != 0 {
		t.Fatalf("%d calls still registered", srv.ActiveCalls())
	}
}

func TestServerHangsUp(t *testing.T) {
	rec := newRecorder()
	srv := startServer(t, rec)
	ph := newPhone(t, sipphone.Config{})
	call, err := ph.Dial(ctxT(t), "sip:demo@"+srv.Addr(), sipphone.CallOptions{})
	if err != nil {
		t.Fatal(err)
	}
	c := within(t, rec.calls, "answered call")
	if err := c.HangUp(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	closedWithin(t, call.Done(), "BYE at the phone")
	if !errors.Is(c.Err(), confsip.ErrLocalHangUp) {
		t.Fatalf("call ended with %v", c.Err())
	}
}

func TestLateOfferAnswerComesInAck(t *testing.T) {
	rec := newRecorder()
	srv := startServer(t, rec)
	ph := newPhone(t, sipphone.Config{})
	call, err := ph.Dial(ctxT(t), "sip:demo@"+srv.Addr(), sipphone.CallOptions{NoSDP: true})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = call.HangUp(ctxT(t)) }()
	if offer := within(t, rec.offers, "offer"); len(offer) != 0 {
		t.Fatalf("late-offer INVITE reported an offer: %q", offer)
	}
	if ack := within(t, rec.acks, "ACK body"); len(ack) == 0 {
		t.Fatal("the phone's answer in the ACK was lost")
	}
}

func TestReinviteReachesRenegotiator(t *testing.T) {
	rec := newRecorder()
	srv := startServer(t, rec)
	ph := newPhone(t, sipphone.Config{})
	call, err := ph.Dial(ctxT(t), "sip:demo@"+srv.Addr(), sipphone.CallOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = call.HangUp(ctxT(t)) }()
	within(t, rec.calls, "answered call")
	dir, err := call.Hold(ctxT(t), "sendonly")
	if err != nil {
		t.Fatal(err)
	}
	if dir != "recvonly" {
		t.Fatalf("hold answered %q, want the renegotiator's recvonly", dir)
	}
	if offer := within(t, rec.reoffers, "re-offer"); len(offer) == 0 {
		t.Fatal("renegotiator got an empty offer")
	}
}

// TestCancelBeforeAnswer holds the answer until the caller cancels, so the
// CANCEL always lands before any final response.
func TestCancelBeforeAnswer(t *testing.T) {
	cause := make(chan error, 1)
	srv := startServer(t, confsip.HandlerFunc(func(in *confsip.Incoming) {
		_ = in.Ringing()
		<-in.Context().Done()
		cause <- context.Cause(in.Context())
		if _, _, err := in.Answer(fakeSDP("sendrecv"), nil); err == nil {
			t.Error("answered a cancelled call")
		}
	}))
	ph := newPhone(t, sipphone.Config{})
	ctx, cancel := context.WithCancel(ctxT(t))
	_, err := ph.Dial(ctx, "sip:demo@"+srv.Addr(), sipphone.CallOptions{OnResponse: func(status int) {
		if status == 180 {
			cancel()
		}
	}})
	var se *sipphone.StatusError
	if !errors.As(err, &se) || se.Status != 487 {
		t.Fatalf("dial error %v, want 487", err)
	}
	if c := within(t, cause, "cancel seen by handler"); !errors.Is(c, confsip.ErrCanceled) {
		t.Fatalf("handler saw cause %v, want ErrCanceled", c)
	}
}

// TestRefusedCallsGetTheirStatus: a handler's reject reaches the caller
// with its status (the reason cleaned of anything that could inject a
// header), and an INVITE its handler leaves unanswered gets 500.
func TestRefusedCallsGetTheirStatus(t *testing.T) {
	tests := []struct {
		name    string
		handler func(in *confsip.Incoming)
		want    int
	}{
		{"reject with a hostile reason", func(in *confsip.Incoming) { _ = in.Reject(400, "Malformed SDP: no audio\r\nX-Evil: 1") }, 400},
		{"left unanswered", func(*confsip.Incoming) {}, 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startServer(t, confsip.HandlerFunc(tt.handler))
			ph := newPhone(t, sipphone.Config{})
			_, err := ph.Dial(ctxT(t), "sip:demo@"+srv.Addr(), sipphone.CallOptions{})
			var se *sipphone.StatusError
			if !errors.As(err, &se) || se.Status != tt.want {
				t.Fatalf("dial error %v, want %d", err, tt.want)
			}
		})
	}
}

func TestShutdownHangsUpCalls(t *testing.T) {
	rec := newRecorder()
	srv, err := confsip.NewServer(confsip.WithListenAddr("127.0.0.1:0"), confsip.WithLogger(quietLogger()))
	if err != nil {
		t.Fatal(err)
	}
	srv.Handle(rec)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	<-srv.Ready()
	ph := newPhone(t, sipphone.Config{})
	call, err := ph.Dial(ctxT(t), "sip:demo@"+srv.Addr(), sipphone.CallOptions{})
	if err != nil {
		t.Fatal(err)
	}
	within(t, rec.calls, "answered call")
	cancel()
	closedWithin(t, call.Done(), "BYE on shutdown")
	if err := within(t, done, "Run to return"); err != nil {
		t.Fatal(err)
	}
}

func ExampleValidateTarget() {
	fmt.Println(confsip.ValidateTarget("+15550100") == nil, confsip.ValidateTarget("1\r\nVia: x") == nil)
	// Output: true false
}

// TestRejectReasonCannotInjectHeaders: the reason phrase comes from our
// own code but may quote input; line breaks in it must never start a new
// header on the wire.
func TestRejectReasonCannotInjectHeaders(t *testing.T) {
	srv := startServer(t, confsip.HandlerFunc(func(in *confsip.Incoming) {
		_ = in.Reject(400, "Malformed SDP: no audio\r\nX-Evil: 1")
	}))
	p, err := sipraw.Dial("udp", srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := p.Send(p.Request("INVITE", "demo", []string{"Content-Type: application/sdp"}, "v=0\r\n")); err != nil {
		t.Fatal(err)
	}
	res, err := p.Final(deadline)
	if err != nil {
		t.Fatal(err)
	}
	status, _, _ := strings.Cut(res, "\r\n")
	if status != "SIP/2.0 400 Malformed SDP: no audioX-Evil: 1" {
		t.Fatalf("status line %q", status)
	}
	if sipraw.Header(res, "X-Evil") != "" {
		t.Fatalf("reason injected a header:\n%s", res)
	}
}

func TestARejectionWithRetryAfterTellsTheCallerWhenToTryAgainInWholeSeconds(t *testing.T) {
	srv := startServer(t, confsip.HandlerFunc(func(in *confsip.Incoming) {
		_ = in.RejectRetryAfter(503, "Service Unavailable", 2500*time.Millisecond)
	}))
	res, err := sipraw.Do("INVITE", "demo", srv.Addr(), "udp")
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 503 {
		t.Fatalf("status %d, want 503", res.StatusCode)
	}
	if h := res.GetHeader("Retry-After"); h == nil || h.Value() != "3" {
		t.Fatalf("Retry-After %v, want 3 (2.5 s rounded up)", h)
	}
}
