package sdp

import (
	"bytes"
	"net/netip"
	"strings"
	"testing"
)

func FuzzParseOffer(f *testing.F) {
	f.Add(offerOf("m=audio 49170 RTP/AVP 0 8 101", "a=rtpmap:101 telephone-event/8000", "a=fmtp:101 0-16", "a=ptime:20", "a=sendrecv"))
	f.Add(offerOf("m=video 5000 RTP/AVP 31", "m=audio 5004 RTP/AVP 96", "a=rtpmap:96 PCMA/8000", "a=sendonly"))
	f.Add(body("v=0", "o=- 1 1 IN IP6 2001:db8::1", "s=-", "t=0 0", "m=audio 5004 RTP/AVP 0", "c=IN IP6 2001:db8::1", "a=inactive"))
	f.Add([]byte("v=0\no=- 0 0 IN IP4 0.0.0.0\ns=-\nc=IN IP4 0.0.0.0\nt=0 0\nm=audio 1 RTP/AVP 127\n"))
	f.Add([]byte("garbage"))
	f.Add(offerOf("m=audio 4000 RTP/SAVP 0 101", "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:"+testKey+"|2^20|1:4", "a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:"+testKey, "a=rtpmap:101 telephone-event/8000"))
	f.Add(offerOf("m=audio 4000 RTP/SAVP 8", "a=crypto:9 AES_CM_128_HMAC_SHA1_80 inline:"+testKey+" WSH=64 KDR=1", "a=crypto:x AES_CM_128_HMAC_SHA1_80 inline:===="))
	f.Fuzz(func(t *testing.T, b []byte) {
		o, err := ParseOffer(b)
		if err != nil {
			if strings.ContainsAny(err.Error(), "\r\n") {
				t.Fatalf("error text unfit for a reason phrase: %q", err)
			}
			return
		}
		p, err := Negotiate(o, Supported)
		if err != nil {
			return
		}
		// Whatever we accept, we must answer with something the peer, and we
		// ourselves, can read back to the same choice.
		answer, err := NewSession("confgw").BuildAnswer(Local{Addr: netip.MustParseAddr("192.0.2.10"), Port: 30000}, o, p)
		if err != nil {
			t.Fatalf("BuildAnswer: %v", err)
		}
		back, err := ParseAnswer(answer)
		if err != nil {
			t.Fatalf("our answer does not parse: %v\n%s", err, answer)
		}
		if (back.SRTP == nil) != (p.SRTP == nil) || back.SRTP != nil && (back.SRTP.Tag != p.SRTP.Tag || !bytes.Equal(back.SRTP.Remote, p.SRTP.Local)) {
			t.Fatalf("answer's keys read back as %v, built from %v\n%s", back.SRTP, p.SRTP, answer)
		}
		if back.Codec.PayloadType != p.Codec.PayloadType || back.Direction != p.Direction.Reverse() {
			t.Fatalf("answer read back as %+v, built from %+v\n%s", back, p, answer)
		}
	})
}
