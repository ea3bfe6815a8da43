package mixer_test

import (
	"github.com/confgw/confgw/conference/mixer"
	"github.com/confgw/confgw/internal/tone"
)

// fakeEndpoint records everything it says and hears, one tick at a time.
type fakeEndpoint struct {
	say   func(f *mixer.Frame) bool // nil: never talks
	said  []mixer.Frame             // zero frames on silent ticks
	heard []int16
	// frames holds the pointer handed to each WriteFrame, to check which
	// listeners share a frame.
	frames []*mixer.Frame
}

func (e *fakeEndpoint) ReadFrame(f *mixer.Frame) bool {
	if e.say == nil || !e.say(f) {
		e.said = append(e.said, mixer.Frame{})
		return false
	}
	e.said = append(e.said, *f)
	return true
}

func (e *fakeEndpoint) WriteFrame(f *mixer.Frame) {
	e.heard = append(e.heard, f[:]...)
	e.frames = append(e.frames, f)
}

// lastHeard is what the endpoint heard in its most recent tick.
func (e *fakeEndpoint) lastHeard() []int16 {
	return e.heard[len(e.heard)-mixer.FrameSamples:]
}

func silent() *fakeEndpoint { return &fakeEndpoint{} }

// talker sends a sine of freqHz at a level that three talkers can sum
// without clipping.
func talker(freqHz float64) *fakeEndpoint {
	g := tone.Sine(freqHz, 8000, tone.SampleRate)
	return &fakeEndpoint{say: func(f *mixer.Frame) bool { g.Next(f); return true }}
}

// constant sends every sample at v.
func constant(v int16) *fakeEndpoint {
	return &fakeEndpoint{say: func(f *mixer.Frame) bool {
		for i := range f {
			f[i] = v
		}
		return true
	}}
}
