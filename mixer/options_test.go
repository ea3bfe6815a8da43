package mixer_test

import (
	"testing"
	"time"

	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/internal/tone"
	"github.com/confgw/confgw/mixer"
)

func TestWithTickObserver(t *testing.T) {
	var observed []time.Duration
	m := mixer.New(mixer.WithTickObserver(func(d time.Duration) { observed = append(observed, d) }))
	attach(t, m, talker(400), silent())
	tick(m, 4)
	if len(observed) != 4 {
		t.Fatalf("observer called %d times in 4 ticks", len(observed))
	}
	for i, d := range observed {
		if d < 0 {
			t.Errorf("tick %d observed as %v", i, d)
		}
	}
}

func TestWithTap(t *testing.T) {
	tap := &tapRecorder{}
	m := mixer.New(mixer.WithTap(tap))
	attach(t, m, talker(400), talker(700))
	tick(m, 5)
	if len(tap.mixes) != 5 {
		t.Fatalf("tap got %d mixes in 5 ticks", len(tap.mixes))
	}
	all := make([]int16, 0, 5*audio.NarrowbandFrameSamples)
	for _, f := range tap.mixes {
		all = append(all, f.Samples()...)
	}
	if !tone.Detect(all, 400, audio.NarrowbandHz) || !tone.Detect(all, 700, audio.NarrowbandHz) {
		t.Error("tap does not get both talkers")
	}
}
