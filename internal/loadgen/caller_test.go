package loadgen

import (
	"strings"
	"testing"
)

func TestOfferAndAnswer(t *testing.T) {
	offer, err := offerSDP("127.0.0.1", 31000)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(offer), "m=audio 31000 RTP/AVP 0 ") || !strings.Contains(string(offer), "c=IN IP4 127.0.0.1") {
		t.Fatalf("offer does not put PCMU first on 127.0.0.1:31000:\n%s", offer)
	}
	if _, err := offerSDP("not an address", 31000); err == nil {
		t.Fatal("an offer from a bad local address")
	}
	answer := func(media string) []byte {
		return []byte("v=0\r\no=gw 1 1 IN IP4 127.0.0.2\r\ns=-\r\nc=IN IP4 127.0.0.2\r\nt=0 0\r\n" + media)
	}
	for _, tt := range []struct {
		name, media, want string
	}{
		{"PCMU", "m=audio 12000 RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\n", "127.0.0.2:12000"},
		{"PCMA only", "m=audio 12000 RTP/AVP 8\r\n", ""},
		{"declined", "m=audio 0 RTP/AVP 0\r\n", ""},
		{"a codec never offered", "m=audio 12000 RTP/AVP 9\r\na=rtpmap:9 G722/8000\r\n", ""},
	} {
		got, err := parseAnswer(answer(tt.media))
		switch {
		case tt.want == "" && err == nil:
			t.Errorf("%s: accepted, sending to %v", tt.name, got)
		case tt.want != "" && (err != nil || got.String() != tt.want):
			t.Errorf("%s: %v, %v; want %s", tt.name, got, err, tt.want)
		}
	}
}
