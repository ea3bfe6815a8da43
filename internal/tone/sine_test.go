package tone

import (
	"math"
	"testing"

	"github.com/confgw/confgw/audio"
)

func TestGeneratorKeepsPhaseAcrossFrames(t *testing.T) {
	framed := Sine(700, 8000, audio.NarrowbandHz)
	var a, b audio.Frame
	framed.Next(&a)
	framed.Next(&b)

	whole := make([]int16, 2*audio.NarrowbandFrameSamples)
	Sine(700, 8000, audio.NarrowbandHz).Fill(whole)

	joined := append(a.Samples(), b.Samples()...)
	for i := range whole {
		if joined[i] != whole[i] {
			t.Fatalf("sample %d: framed %d, continuous %d", i, joined[i], whole[i])
		}
	}
}

func TestSinePeaks(t *testing.T) {
	tests := []struct {
		name      string
		freq, amp float64
		max, min  int16
	}{
		// Both frequencies divide 8 kHz so that a sample lands on each crest.
		{"400 Hz", 400, 8000, 8000, -8000},
		{"1000 Hz", 1000, 12345, 12345, -12345},
		{"overdriven clips", 1000, 40000, 32767, -32768},
		{"silent", 1000, 0, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			buf := make([]int16, audio.NarrowbandHz/10)
			Sine(tt.freq, tt.amp, audio.NarrowbandHz).Fill(buf)
			max, min := buf[0], buf[0]
			for _, s := range buf {
				max = maxInt16(max, s)
				min = minInt16(min, s)
			}
			if max != tt.max || min != tt.min {
				t.Errorf("peaks %d..%d, want %d..%d", min, max, tt.min, tt.max)
			}
		})
	}
}

// Counting zero crossings checks the frequency without relying on Goertzel,
// which is itself under test.
func TestSineFrequency(t *testing.T) {
	for _, freq := range []float64{400, 700, 1100, 3000} {
		buf := make([]int16, audio.NarrowbandHz) // one second
		// A quarter-sample phase offset keeps samples off exact zeros.
		g := Sine(freq, 10000, audio.NarrowbandHz)
		g.phase = 2 * math.Pi * freq / audio.NarrowbandHz / 4
		g.Fill(buf)
		crossings := 0
		for i := 1; i < len(buf); i++ {
			if (buf[i-1] < 0) != (buf[i] < 0) {
				crossings++
			}
		}
		if want := int(2 * freq); crossings < want-1 || crossings > want+1 {
			t.Errorf("%v Hz: %d zero crossings in 1 s, want %d", freq, crossings, want)
		}
	}
}

func maxInt16(a, b int16) int16 {
	if a > b {
		return a
	}
	return b
}

func minInt16(a, b int16) int16 {
	if a < b {
		return a
	}
	return b
}
