package mixer_test

import (
	"testing"

	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/mixer"
)

func TestSetTap(t *testing.T) {
	first, second := &tapRecorder{}, &tapRecorder{}
	m := mixer.New()
	m.MixOnce() // no tap yet: must not fail

	m.SetTap(first)
	tick(m, 2)
	m.SetTap(second)
	tick(m, 3)
	m.SetTap(nil)
	tick(m, 1)

	if len(first.mixes) != 2 || len(second.mixes) != 3 {
		t.Errorf("taps got %d and %d mixes, want 2 and 3", len(first.mixes), len(second.mixes))
	}
	// An empty room still ticks the tap, with silence.
	for _, f := range second.mixes {
		if f != (audio.Frame{}) {
			t.Fatal("empty room's mix is not silence")
		}
	}
}
