package sdp

import (
	"strings"
	"testing"
)

const muxOffer = "v=0\r\no=- 1 1 IN IP4 198.51.100.7\r\ns=-\r\nc=IN IP4 198.51.100.7\r\nt=0 0\r\n" +
	"m=audio 4000 RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\na=rtcp-mux\r\n"

func TestAnOfferOfRTCPMuxIsAccepted(t *testing.T) {
	o, err := ParseOffer([]byte(muxOffer))
	if err != nil {
		t.Fatal(err)
	}
	p, err := Negotiate(o, Supported)
	if err != nil {
		t.Fatal(err)
	}
	if !p.RTCPMux {
		t.Fatal("rtcp-mux offered but not negotiated")
	}
	b, err := NewSession("confgw").BuildAnswer(local, o, p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "a=rtcp-mux\r\n") {
		t.Errorf("the answer does not accept rtcp-mux:\n%s", b)
	}
	a, err := ParseAnswer(b)
	if err != nil || !a.RTCPMux {
		t.Errorf("our answer read back as %+v, %v", a, err)
	}
}

func TestAnOfferWithoutRTCPMuxIsAnsweredWithoutIt(t *testing.T) {
	o, err := ParseOffer([]byte(strings.Replace(muxOffer, "a=rtcp-mux\r\n", "", 1)))
	if err != nil {
		t.Fatal(err)
	}
	p, _ := Negotiate(o, Supported)
	b, _ := NewSession("confgw").BuildAnswer(local, o, p)
	if p.RTCPMux || strings.Contains(string(b), "rtcp-mux") {
		t.Errorf("rtcp-mux in an answer to an offer without it:\n%s", b)
	}
}

func TestTheRTCPAttributeSaysWhereReportsGo(t *testing.T) {
	for attr, want := range map[string]string{
		"a=rtcp:4001\r\n":                    "198.51.100.7:4001",
		"a=rtcp:5003 IN IP4 203.0.113.9\r\n": "203.0.113.9:5003",
		"a=rtcp:5003 IN IP6 2001:db8::9\r\n": "[2001:db8::9]:5003",
		"a=rtcp:nonsense\r\n":                "invalid AddrPort",
		"a=rtcp:0\r\n":                       "invalid AddrPort",
		"a=rtcp:7000 IN IP4 not-an-ip\r\n":   "198.51.100.7:7000",
	} {
		o, err := ParseOffer([]byte(strings.Replace(muxOffer, "a=rtcp-mux\r\n", attr, 1)))
		if err != nil {
			t.Fatalf("%q: %v", attr, err)
		}
		p, _ := Negotiate(o, Supported)
		if got := p.RemoteRTCP.String(); got != want {
			t.Errorf("%q: RTCP at %s, want %s", attr, got, want)
		}
	}
}
