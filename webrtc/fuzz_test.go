package webrtc

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// browserOffer is an offer shaped as Chromium sends it, for seeds.
const browserOffer = "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\na=msid-semantic: WMS\r\n" +
	"m=audio 9 UDP/TLS/RTP/SAVPF 111 0 8\r\nc=IN IP4 0.0.0.0\r\na=rtcp:9 IN IP4 0.0.0.0\r\n" +
	"a=candidate:1 1 udp 2113937151 127.0.0.1 50000 typ host generation 0\r\n" +
	"a=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\na=ice-options:trickle\r\n" +
	"a=fingerprint:sha-256 AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89\r\n" +
	"a=setup:actpass\r\na=mid:0\r\na=sendrecv\r\na=rtcp-mux\r\n" +
	"a=rtpmap:111 opus/48000/2\r\na=fmtp:111 minptime=10;useinbandfec=1\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n"

// Anyone with a participant token can send an offer: whatever it holds,
// the server answers or refuses it, and never panics, in our code or in
// pion's.
func FuzzAnswer(f *testing.F) {
	f.Add(browserOffer)
	f.Add(strings.Replace(browserOffer, "a=setup:actpass", "a=setup:holdconn", 1))
	f.Add(strings.Replace(browserOffer, "a=fingerprint:sha-256", "a=fingerprint:md5", 1))
	f.Add(strings.Replace(browserOffer, "a=mid:0\r\n", "", 1))
	f.Add(strings.Replace(browserOffer, "a=ice-ufrag:abcd\r\n", "", 1))
	f.Add(strings.Replace(browserOffer, "m=audio 9 UDP/TLS/RTP/SAVPF 111 0 8", "m=audio 9 RTP/AVP 0", 1))
	f.Add(browserOffer + "m=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:1\r\n")
	s, err := New(Config{UDPAddr: "127.0.0.1:0", HandshakeTimeout: time.Second})
	if err != nil {
		f.Fatal(err)
	}
	defer s.Close()
	f.Fuzz(func(t *testing.T, offer string) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		sess, answer, err := s.Answer(ctx, offer)
		if err != nil {
			if sess != nil || answer != "" {
				t.Fatal("a refused offer returned a session or an answer")
			}
			if errors.Is(err, ErrFull) || errors.Is(err, ErrClosed) {
				t.Fatalf("refused for the wrong reason: %v", err)
			}
			return
		}
		if !strings.Contains(answer, "a=fingerprint:") {
			t.Errorf("an answer without a DTLS fingerprint:\n%s", answer)
		}
		sess.Close(ReasonLeft)
	})
}
