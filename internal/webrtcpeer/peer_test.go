package webrtcpeer

import (
	"strings"
	"testing"

	"github.com/confgw/confgw/audio"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestAPeersOfferHasItsCodecAndALoopbackCandidate(t *testing.T) {
	p, err := New(audio.PCMA)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	offer, err := p.Offer()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"a=rtpmap:8 PCMA/8000", " 127.0.0.1 ", "a=fingerprint:"} {
		if !strings.Contains(offer, want) {
			t.Errorf("offer lacks %q:\n%s", want, offer)
		}
	}
}
