package tone

import (
	"math"

	"github.com/confgw/confgw/audio"
)

// Generator produces a sine wave in successive blocks. Phase carries over
// from one block to the next, so frames joined end to end form one
// continuous tone with no clicks that would smear energy across the spectrum.
type Generator struct {
	amplitude float64
	freq      float64
	rate      int     // Fill's, in samples per second
	phase     float64 // radians
}

// Sine returns a generator of a freqHz tone whose peak is amplitude, in
// int16 sample units; peaks beyond the int16 range are clipped, as a real
// over-driven source would be.
func Sine(freqHz, amplitude float64, sampleRate int) *Generator {
	return &Generator{amplitude: amplitude, freq: freqHz, rate: sampleRate}
}

// Next fills f with the following 20 ms of the tone at f's rate, so one
// generator serves a room that changes rate.
func (g *Generator) Next(f *audio.Frame) {
	g.fill(f.Samples(), f.Rate.Hz())
}

// Fill writes the following len(dst) samples of the tone at the rate Sine
// was given, for callers whose blocks are not mixer frames (RTP packets of
// another ptime, jitter tests).
func (g *Generator) Fill(dst []int16) { g.fill(dst, g.rate) }

func (g *Generator) fill(dst []int16, rate int) {
	step := 2 * math.Pi * g.freq / float64(rate)
	for i := range dst {
		dst[i] = toSample(g.amplitude * math.Sin(g.phase))
		g.phase += step
		// Wrapping keeps the float's precision for long-running tones.
		if g.phase >= 2*math.Pi {
			g.phase -= 2 * math.Pi
		}
	}
}

func toSample(v float64) int16 {
	v = math.Round(v)
	switch {
	case v > math.MaxInt16:
		return math.MaxInt16
	case v < math.MinInt16:
		return math.MinInt16
	}
	return int16(v)
}
