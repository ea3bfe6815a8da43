package webrtc

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/audio/opus"
	"github.com/confgw/confgw/internal/tone"
	"github.com/confgw/confgw/internal/webrtcpeer"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/common/expfmt"
)

// generous bounds a wait on a loaded CI machine; tests wait on state and
// reach it long before this.
const generous = 20 * time.Second

func newServer(t *testing.T, cfg Config) *Server {
	t.Helper()
	if cfg.UDPAddr == "" {
		cfg.UDPAddr = "127.0.0.1:0"
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func newPeer(t *testing.T, c audio.Codec) *webrtcpeer.Peer {
	t.Helper()
	p, err := webrtcpeer.New(c)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	return p
}

// connect negotiates a session between p and s and, if accept, lets the
// peer apply the answer.
func connect(t *testing.T, s *Server, p *webrtcpeer.Peer, accept bool) *Session {
	t.Helper()
	offer, err := p.Offer()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), generous)
	defer cancel()
	sess, answer, err := s.Answer(ctx, offer)
	if err != nil {
		t.Fatal(err)
	}
	if accept {
		if err := p.Accept(answer); err != nil {
			t.Fatal(err)
		}
	}
	return sess
}

func waitDone(t *testing.T, sess *Session) string {
	t.Helper()
	select {
	case <-sess.Done():
		return sess.Reason()
	case <-time.After(generous):
		t.Fatalf("session still %s", sess.State())
		return ""
	}
}

// drive plays the room's part: one ReadFrame and one WriteFrame of a tone
// per frame period, collecting what the session says, until what it said
// and what the peer heard both carry their tones or the deadline passes.
func drive(t *testing.T, sess *Session, p *webrtcpeer.Peer, says, hears float64) {
	t.Helper()
	room := tone.Sine(hears, 8000, audio.NarrowbandHz)
	var (
		in, out audio.Frame
		said    []int16
	)
	tick := time.NewTicker(audio.FrameDuration)
	defer tick.Stop()
	deadline := time.After(generous)
	const window = 200 * time.Millisecond
	for {
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("after %v: room heard %d samples, %.2f of them at %v Hz; peer heard %.2f at %v Hz",
				generous, len(said), share(said, audio.NarrowbandHz, window, says), says, share(p.Heard(window), p.Rate(), window, hears), hears)
		}
		if sess.ReadFrame(&in) {
			said = append(said, in.Samples()...)
		}
		room.Next(&out)
		sess.WriteFrame(&out)
		if share(said, audio.NarrowbandHz, window, says) > 0.9 && share(p.Heard(window), p.Rate(), window, hears) > 0.9 {
			return
		}
	}
}

// share is the part of the last window of s, at rate, that lies at freq.
func share(s []int16, rate int, window time.Duration, freq float64) float64 {
	n := int(int64(rate) * int64(window) / int64(time.Second))
	if len(s) < n {
		return 0
	}
	return tone.Share(s[len(s)-n:], freq, rate)
}

func TestAPeerOfferingPCMUIsHeardAndHearsTheRoomOverDTLSSRTP(t *testing.T) {
	s := newServer(t, Config{})
	p := newPeer(t, audio.PCMU)
	sess := connect(t, s, p, true)
	if sess.Codec() != "PCMU" {
		t.Errorf("codec %q, want PCMU", sess.Codec())
	}
	select {
	case <-sess.Connected():
	case <-time.After(generous):
		t.Fatalf("session still %s", sess.State())
	}
	p.Speak(1000)
	drive(t, sess, p, 1000, 600)
	st := sess.Stats()
	if st.PacketsIn == 0 || st.PacketsOut == 0 {
		t.Errorf("stats %+v: want packets both ways", st)
	}
}

func TestAPeerIsAnsweredWithTheCodecItOffersAndHeardInIt(t *testing.T) {
	tests := []struct {
		codec       audio.Codec
		says, hears float64
	}{
		{opus.Codec, 1000, 600},
		{audio.PCMA, 800, 1200},
	}
	for _, tt := range tests {
		t.Run(tt.codec.Name, func(t *testing.T) {
			s := newServer(t, Config{})
			p := newPeer(t, tt.codec)
			sess := connect(t, s, p, true)
			if sess.Codec() != tt.codec.Name {
				t.Errorf("codec %q, want %s", sess.Codec(), tt.codec.Name)
			}
			p.Speak(tt.says)
			drive(t, sess, p, tt.says, tt.hears)
		})
	}
}

func TestTheAnswerCarriesTheSharedPortAsItsCandidate(t *testing.T) {
	s := newServer(t, Config{})
	p := newPeer(t, audio.PCMU)
	offer, err := p.Offer()
	if err != nil {
		t.Fatal(err)
	}
	sess, answer, err := s.Answer(context.Background(), offer)
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close(ReasonLeft)
	want := " " + s.Addr().IP.String() + " " + itoa(s.Addr().Port) + " typ host"
	if !strings.Contains(answer, want) {
		t.Errorf("answer has no candidate %q:\n%s", want, answer)
	}
}

// The answer asks a browser for discontinuous transmission, so that a
// silent user's browser stops sending rather than the gateway decoding
// its room noise 50 times a second.
func TestTheOpusAnswerAsksThePeerForDTX(t *testing.T) {
	s := newServer(t, Config{})
	p := newPeer(t, opus.Codec)
	offer, err := p.Offer()
	if err != nil {
		t.Fatal(err)
	}
	// As Chromium offers it: without usedtx.
	offer = strings.ReplaceAll(offer, ";usedtx=1", "")
	sess, answer, err := s.Answer(context.Background(), offer)
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close(ReasonLeft)
	if !strings.Contains(answer, "usedtx=1") {
		t.Errorf("answer does not ask for DTX:\n%s", answer)
	}
}

func TestAPublicIPReplacesTheHostAddressInTheCandidates(t *testing.T) {
	s := newServer(t, Config{PublicIP: "203.0.113.7"})
	p := newPeer(t, audio.PCMU)
	offer, err := p.Offer()
	if err != nil {
		t.Fatal(err)
	}
	sess, answer, err := s.Answer(context.Background(), offer)
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close(ReasonLeft)
	if !strings.Contains(answer, " 203.0.113.7 "+itoa(s.Addr().Port)+" typ host") {
		t.Errorf("answer does not offer the public address:\n%s", answer)
	}
	if strings.Contains(answer, " 127.0.0.1 ") {
		t.Errorf("answer still offers the private address:\n%s", answer)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestASessionWhoseHandshakeNeverCompletesEndsAsAnICEFailure(t *testing.T) {
	s := newServer(t, Config{HandshakeTimeout: 300 * time.Millisecond})
	p := newPeer(t, audio.PCMU)
	sess := connect(t, s, p, false) // the peer never learns the answer
	if got := waitDone(t, sess); got != ReasonICEFailed {
		t.Errorf("reason %q, want %q", got, ReasonICEFailed)
	}
}

func TestAConnectedPeerThatSendsNothingTimesOut(t *testing.T) {
	s := newServer(t, Config{RTPTimeout: 300 * time.Millisecond})
	p := newPeer(t, audio.PCMU)
	sess := connect(t, s, p, true)
	if got := waitDone(t, sess); got != ReasonTimedOut {
		t.Errorf("reason %q, want %q", got, ReasonTimedOut)
	}
}

func TestAPeerThatHangsUpEndsItsSession(t *testing.T) {
	s := newServer(t, Config{})
	p := newPeer(t, audio.PCMU)
	sess := connect(t, s, p, true)
	select {
	case <-sess.Connected():
	case <-time.After(generous):
		t.Fatalf("session still %s", sess.State())
	}
	// The gateway, DTLS's client, is done once the peer's Finished comes;
	// the peer only once the gateway's does. A peer closing between the
	// two sends no close_notify, and its hang-up would go unnoticed until
	// ICE gives up.
	ctx, cancel := context.WithTimeout(context.Background(), generous)
	defer cancel()
	if err := p.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}
	_ = p.Close()
	if got := waitDone(t, sess); got != ReasonLeft {
		t.Errorf("reason %q, want %q", got, ReasonLeft)
	}
}

func TestClosingTheServerEndsItsSessionsAndFreesThePort(t *testing.T) {
	s, err := New(Config{UDPAddr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	p := newPeer(t, audio.PCMU)
	sess := connect(t, s, p, true)
	addr := s.Addr().String()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if got := waitDone(t, sess); got != ReasonShutdown {
		t.Errorf("reason %q, want %q", got, ReasonShutdown)
	}
	again, err := New(Config{UDPAddr: addr})
	if err != nil {
		t.Fatalf("port not freed: %v", err)
	}
	_ = again.Close()
	offer, _ := newPeer(t, audio.PCMU).Offer()
	if _, _, err := s.Answer(context.Background(), offer); !errors.Is(err, ErrClosed) {
		t.Errorf("Answer after Close: %v, want ErrClosed", err)
	}
}

func TestAnOfferTheGatewayCannotServeIsRefusedWithItsReason(t *testing.T) {
	s := newServer(t, Config{})
	tests := []struct {
		name  string
		offer string
		want  error
	}{
		{"not SDP", "hello", ErrInvalidSDP},
		{"no audio", "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=rtpmap:96 VP8/90000\r\n", ErrInvalidSDP},
		{"G.729 only", "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 18\r\na=rtpmap:18 G729/8000\r\n", ErrNoSupportedCodec},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, _, err := s.Answer(context.Background(), tt.offer); !errors.Is(err, tt.want) {
				t.Errorf("err %v, want %v", err, tt.want)
			}
		})
	}
}

func TestOffersBeyondTheSessionLimitAreRefusedUntilOneEnds(t *testing.T) {
	s := newServer(t, Config{MaxSessions: 1})
	first := connect(t, s, newPeer(t, audio.PCMU), false)
	offer, err := newPeer(t, audio.PCMU).Offer()
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Answer(context.Background(), offer); !errors.Is(err, ErrFull) {
		t.Fatalf("second offer: %v, want ErrFull", err)
	}
	first.Close(ReasonLeft)
	waitDone(t, first)
	sess, _, err := s.Answer(context.Background(), offer)
	if err != nil {
		t.Fatalf("offer after the first ended: %v", err)
	}
	sess.Close(ReasonLeft)
}

func TestTheServersMetricsCountSessionsRefusalsAndEnds(t *testing.T) {
	s := newServer(t, Config{MaxSessions: 7})
	reg := prometheus.NewRegistry()
	for _, c := range s.Collectors() {
		reg.MustRegister(c)
	}
	sess := connect(t, s, newPeer(t, audio.PCMU), false)
	_, _, _ = s.Answer(context.Background(), "garbage")
	if got := testutil.ToFloat64(s.metrics.refused.WithLabelValues(refusedInvalid)); got != 1 {
		t.Errorf("refused invalid_sdp = %v, want 1", got)
	}
	text := gather(t, reg)
	for _, want := range []string{"confgw_webrtc_sessions 1", "confgw_webrtc_sessions_limit 7", `confgw_webrtc_packets_total{direction="in"} 0`,
		`confgw_webrtc_frames_dropped_total{direction="in"} 0`, `confgw_webrtc_frames_dropped_total{direction="out"} 0`} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %q:\n%s", want, text)
		}
	}
	sess.Close(ReasonLeft)
	waitDone(t, sess)
	if got := testutil.ToFloat64(s.metrics.ended.WithLabelValues(ReasonLeft)); got != 1 {
		t.Errorf("ended left = %v, want 1", got)
	}
	if text := gather(t, reg); !strings.Contains(text, "confgw_webrtc_sessions 0") {
		t.Errorf("an ended session is still counted:\n%s", text)
	}
}

func gather(t *testing.T, reg *prometheus.Registry) string {
	t.Helper()
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, f := range fams {
		if _, err := expfmt.MetricFamilyToText(&b, f); err != nil {
			t.Fatal(err)
		}
	}
	return b.String()
}

// A server whose shared port fails under it (pion's mux gives up on a read
// error) says it no longer serves, for /healthz to report it down.
func TestAServerWhosePortFailsSaysItNoLongerServes(t *testing.T) {
	s, err := New(Config{UDPAddr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !s.Serving() {
		t.Fatal("a new server says it does not serve")
	}
	_ = s.conn.Close()
	deadline := time.Now().Add(10 * time.Second)
	for s.Serving() {
		if time.Now().After(deadline) {
			t.Fatal("still serving after its port failed")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
