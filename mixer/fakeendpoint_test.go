package mixer_test

import (
	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/internal/tone"
)

// fakeEndpoint records everything it says and hears, one tick at a time.
type fakeEndpoint struct {
	say   func(f *audio.Frame) bool // nil: never talks
	said  []audio.Frame             // zero frames on silent ticks
	heard []int16
	// frames holds the pointer handed to each WriteFrame, to check which
	// listeners share a frame.
	frames []*audio.Frame
}

func (e *fakeEndpoint) ReadFrame(f *audio.Frame) bool {
	if e.say == nil || !e.say(f) {
		e.said = append(e.said, audio.Frame{})
		return false
	}
	e.said = append(e.said, *f)
	return true
}

func (e *fakeEndpoint) WriteFrame(f *audio.Frame) {
	e.heard = append(e.heard, f.Samples()...)
	e.frames = append(e.frames, f)
}

// lastHeard is what the endpoint heard in its most recent tick.
func (e *fakeEndpoint) lastHeard() []int16 {
	return e.heard[len(e.heard)-audio.NarrowbandFrameSamples:]
}

func silent() *fakeEndpoint { return &fakeEndpoint{} }

// talker sends a sine of freqHz at a level that three talkers can sum
// without clipping.
func talker(freqHz float64) *fakeEndpoint {
	g := tone.Sine(freqHz, 8000, audio.NarrowbandHz)
	return &fakeEndpoint{say: func(f *audio.Frame) bool { g.Next(f); return true }}
}

// constant sends every sample at v.
func constant(v int16) *fakeEndpoint {
	return &fakeEndpoint{say: func(f *audio.Frame) bool {
		for i := range f.Samples() {
			f.PCM[i] = v
		}
		return true
	}}
}
