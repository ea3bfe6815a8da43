package sdp

import (
	"net/netip"
	"strings"
	"testing"

	pion "github.com/pion/sdp/v3"
)

var local = Local{Addr: netip.MustParseAddr("192.0.2.10"), Port: 30000}

func TestBuildOffer(t *testing.T) {
	s := NewSession("confgw")
	b, err := s.BuildOffer(local, SendRecv)
	if err != nil {
		t.Fatalf("BuildOffer: %v", err)
	}
	text := string(b)
	for _, line := range []string{
		"m=audio 30000 RTP/AVP 0 8 101\r\n",
		"c=IN IP4 192.0.2.10\r\n",
		"a=rtpmap:0 PCMU/8000\r\n",
		"a=rtpmap:8 PCMA/8000\r\n",
		"a=rtpmap:101 telephone-event/8000\r\n",
		"a=fmtp:101 0-15\r\n",
		"a=ptime:20\r\n",
		"a=sendrecv\r\n",
	} {
		if !strings.Contains(text, line) {
			t.Errorf("offer lacks %q:\n%s", line, text)
		}
	}
	// Our own offer must pass our own checks, as the peer's parser would.
	o, err := ParseOffer(b)
	if err != nil {
		t.Fatalf("our offer does not parse: %v\n%s", err, text)
	}
	if o.SessionID != s.ID || o.SessionVersion != s.Version || o.TelephoneEvent == nil || len(o.Codecs) != 3 {
		t.Errorf("offer read back as %+v", o)
	}
}

func TestBuildOfferIPv6(t *testing.T) {
	s := NewSession("confgw")
	b, err := s.BuildOffer(Local{Addr: netip.MustParseAddr("2001:db8::10"), Port: 30000}, SendRecv)
	if err != nil {
		t.Fatalf("BuildOffer: %v", err)
	}
	if !strings.Contains(string(b), "c=IN IP6 2001:db8::10\r\n") {
		t.Errorf("IPv6 offer:\n%s", b)
	}
	if _, err := s.BuildOffer(Local{Port: 1}, SendRecv); err == nil {
		t.Errorf("BuildOffer without an address succeeded")
	}
}

func TestSessionVersion(t *testing.T) {
	s := NewSession("confgw")
	if s.ID>>63 != 0 {
		t.Fatalf("session ID %d has the top bit set", s.ID)
	}
	versionOf := func(b []byte) uint64 {
		var sd pion.SessionDescription
		if err := sd.Unmarshal(b); err != nil {
			t.Fatalf("unmarshal: %v", err)
		}
		if sd.Origin.SessionID != s.ID {
			t.Fatalf("session ID changed to %d from %d", sd.Origin.SessionID, s.ID)
		}
		return sd.Origin.SessionVersion
	}
	first, _ := s.BuildOffer(local, SendRecv)
	v1 := versionOf(first)
	same, _ := s.BuildOffer(local, SendRecv)
	if v := versionOf(same); v != v1 {
		t.Errorf("unchanged re-offer moved version %d -> %d", v1, v)
	}
	hold, _ := s.BuildOffer(local, SendOnly)
	if v := versionOf(hold); v != v1+1 {
		t.Errorf("hold re-offer version = %d, want %d", v, v1+1)
	}
	resume, _ := s.BuildOffer(local, SendRecv)
	if v := versionOf(resume); v != v1+2 {
		t.Errorf("resume re-offer version = %d, want %d", v, v1+2)
	}
}

func TestBuildAnswer(t *testing.T) {
	tests := []struct {
		name  string
		offer []byte
		want  []string
		avoid []string
	}{{
		name:  "codec and events",
		offer: offerOf("m=audio 4000 RTP/AVP 8 0 101", "a=rtpmap:101 telephone-event/8000", "a=fmtp:101 0-16"),
		want:  []string{"m=audio 30000 RTP/AVP 8 101\r\n", "a=rtpmap:8 PCMA/8000\r\n", "a=rtpmap:101 telephone-event/8000\r\n", "a=fmtp:101 0-15\r\n", "a=ptime:20\r\n", "a=sendrecv\r\n"},
		avoid: []string{"a=rtpmap:0 "},
	}, {
		name:  "no events offered, none answered",
		offer: offerOf("m=audio 4000 RTP/AVP 0"),
		want:  []string{"m=audio 30000 RTP/AVP 0\r\n"},
		avoid: []string{"telephone-event"},
	}, {
		name:  "dynamic type answered with the caller's number",
		offer: offerOf("m=audio 4000 RTP/AVP 96 102", "a=rtpmap:96 PCMU/8000", "a=rtpmap:102 telephone-event/8000"),
		want:  []string{"m=audio 30000 RTP/AVP 96 102\r\n", "a=rtpmap:96 PCMU/8000\r\n", "a=rtpmap:102 telephone-event/8000\r\n"},
	}, {
		name:  "hold answered recvonly",
		offer: offerOf("m=audio 4000 RTP/AVP 0", "a=sendonly"),
		want:  []string{"a=recvonly\r\n"},
	}, {
		name:  "recvonly answered sendonly",
		offer: offerOf("m=audio 4000 RTP/AVP 0", "a=recvonly"),
		want:  []string{"a=sendonly\r\n"},
	}, {
		name:  "inactive answered inactive",
		offer: offerOf("m=audio 4000 RTP/AVP 0", "a=inactive"),
		want:  []string{"a=inactive\r\n"},
	}, {
		name:  "other m-lines declined in place",
		offer: offerOf("m=video 5000 RTP/AVP 31", "m=audio 4000 RTP/AVP 0", "m=audio 4002 RTP/SAVP 0"),
		want:  []string{"m=video 0 RTP/AVP 31\r\nm=audio 30000 RTP/AVP 0\r\n", "m=audio 0 RTP/SAVP 0\r\n"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := ParseOffer(tt.offer)
			if err != nil {
				t.Fatalf("ParseOffer: %v", err)
			}
			p, err := Negotiate(o, Supported)
			if err != nil {
				t.Fatalf("Negotiate: %v", err)
			}
			b, err := NewSession("confgw").BuildAnswer(local, o, p)
			if err != nil {
				t.Fatalf("BuildAnswer: %v", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(string(b), w) {
					t.Errorf("answer lacks %q:\n%s", w, b)
				}
			}
			for _, a := range tt.avoid {
				if strings.Contains(string(b), a) {
					t.Errorf("answer has %q:\n%s", a, b)
				}
			}
		})
	}
}

func TestBuildAnswerToHandMadeOffer(t *testing.T) {
	o := &Offer{Addr: netip.MustParseAddr("192.0.2.50"), Port: 4000, Codecs: []Codec{{PayloadType: 0, Name: "PCMU", ClockRate: 8000}}}
	p, err := Negotiate(o, Supported)
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewSession("confgw").BuildAnswer(local, o, p)
	if err != nil {
		t.Fatal(err)
	}
	if back, err := ParseAnswer(b); err != nil || back.Codec.Name != "PCMU" {
		t.Fatalf("answer read back as %+v, %v:\n%s", back, err, b)
	}
}
