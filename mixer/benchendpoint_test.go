package mixer_test

import (
	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/internal/tone"
)

// benchEndpoint replays a few pre-generated frames, so that benchmarks time
// the mixer rather than a tone generator.
type benchEndpoint struct {
	talk   bool
	frames [4]audio.Frame
	next   int
	heard  int16
}

func newBenchEndpoint(talk bool, freqHz float64) *benchEndpoint {
	e := &benchEndpoint{talk: talk}
	g := tone.Sine(freqHz, 4000, audio.NarrowbandHz)
	for i := range e.frames {
		g.Next(&e.frames[i])
	}
	return e
}

func (e *benchEndpoint) ReadFrame(f *audio.Frame) bool {
	if !e.talk {
		return false
	}
	*f = e.frames[e.next]
	e.next = (e.next + 1) % len(e.frames)
	return true
}

// WriteFrame touches the frame as a real leg's encoder would.
func (e *benchEndpoint) WriteFrame(f *audio.Frame) { e.heard = f.PCM[audio.NarrowbandFrameSamples-1] }
