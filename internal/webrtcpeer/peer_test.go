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

func TestPlayoutConcealsWhatIsNotThereWhenDue(t *testing.T) {
	var p playout
	p.tick() // nothing yet: not started, nothing concealed
	p.push()
	p.tick() // one waiting: still filling
	p.push()
	p.tick() // two: plays one
	p.tick() // plays the other
	p.tick() // none left: concealed, and refills
	p.push()
	p.tick() // one waiting: refilling, concealed
	p.push()
	p.tick() // plays
	if c, o := p.counts(); c != 2 || o != 0 {
		t.Fatalf("concealed %d, overflowed %d; want 2 and 0", c, o)
	}
	for range maxDepth + 2 { // one is waiting already
		p.push()
	}
	if _, o := p.counts(); o != 3 {
		t.Fatalf("overflowed %d, want 3", o)
	}
}
