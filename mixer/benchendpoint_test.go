package mixer_test

import (
	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/internal/tone"
)

// benchEndpoint replays a few pre-generated frames, so that benchmarks time
// the mixer rather than a tone generator.
type benchEndpoint struct {
	rate   audio.Rate
	talk   bool
	frames [4]audio.Frame
	next   int
	heard  int16
}

func newBenchEndpoint(talk bool, freqHz float64, rate audio.Rate) *benchEndpoint {
	return newBenchEndpointAt(talk, freqHz, 4000, rate)
}

// newBenchEndpointAt is a bench endpoint whose tone peaks at peak: an open
// microphone in a quiet room is a talker at a peak of a few units.
func newBenchEndpointAt(talk bool, freqHz, peak float64, rate audio.Rate) *benchEndpoint {
	e := &benchEndpoint{talk: talk, rate: rate}
	g := tone.Sine(freqHz, peak, rate.Hz())
	for i := range e.frames {
		e.frames[i].Rate = rate
		g.Next(&e.frames[i])
	}
	return e
}

// NativeRate makes a room of wideband bench endpoints wideband.
func (e *benchEndpoint) NativeRate() audio.Rate { return e.rate }

func (e *benchEndpoint) ReadFrame(f *audio.Frame) bool {
	if !e.talk {
		return false
	}
	*f = e.frames[e.next]
	e.next = (e.next + 1) % len(e.frames)
	return true
}

// WriteFrame touches the frame as a real leg's encoder would.
func (e *benchEndpoint) WriteFrame(f *audio.Frame) { e.heard = f.PCM[f.Rate.FrameSamples()-1] }
