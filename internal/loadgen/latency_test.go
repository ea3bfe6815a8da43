package loadgen

import (
	"testing"
	"time"

	"github.com/confgw/confgw/audio"
)

func TestAClickStartsOnItsFramesFirstSample(t *testing.T) {
	for _, rate := range []audio.Rate{audio.Narrowband, audio.Wideband} {
		f := audio.Frame{Rate: rate}
		fillClick(&f, true)
		s := f.Samples()
		if s[0] < onsetLevel || s[rate.Samples(clickLen)] != 0 || s[len(s)-1] != 0 {
			t.Errorf("%v click: first %d, after %v %d", rate, s[0], clickLen, s[rate.Samples(clickLen)])
		}
		fillClick(&f, false)
		for _, v := range f.Samples() {
			if v != 0 {
				t.Fatalf("%v silence holds %d", rate, v)
			}
		}
	}
}

// frames feeds w what a listener hears: quiet frames, then a frame whose
// onset lies at sample at, arriving when given.
func hearClick(w *clickWay, quiet, at int, arrival time.Time) {
	silent := make([]int16, 160)
	for range quiet {
		w.hear(silent, 8000, arrival)
	}
	f := make([]int16, 160)
	f[at] = onsetLevel + 1
	w.hear(f, 8000, arrival)
	f[at] = 0
	f[0] = onsetLevel // the click's tail: no new onset
	w.hear(f, 8000, arrival)
}

func TestClicksPairWithTheLatestSentBeforeThem(t *testing.T) {
	w := &clickWay{period: 400 * time.Millisecond}
	t0 := time.Unix(1000, 0)
	w.left(t0)
	hearClick(w, quietFrames, 16, t0.Add(60*time.Millisecond)) // 2 ms into its frame
	w.left(t0.Add(400 * time.Millisecond))                     // lost
	w.left(t0.Add(800 * time.Millisecond))
	hearClick(w, quietFrames, 0, t0.Add(870*time.Millisecond))
	hearClick(w, quietFrames, 0, t0.Add(1500*time.Millisecond)) // nothing sent within a period
	hearClick(w, 2, 0, t0.Add(1520*time.Millisecond))           // too soon after the last: its tail
	s := w.stats()
	if s.Clicks != 3 || s.Heard != 2 || s.Stray != 1 {
		t.Fatalf("%+v", s)
	}
	if s.Min != 60 || s.Max != 70 || s.P50 != 60 || s.P95 != 70 || s.OnsetInFrameMS != 0 {
		t.Fatalf("%+v", s)
	}
}
