package tone

import (
	"math"
	"testing"

	"github.com/confgw/confgw/audio"
)

// mix sums tones of the given frequencies, each with peak amp, over n samples.
func mix(n int, amp float64, freqs ...float64) []int16 {
	out := make([]int16, n)
	part := make([]int16, n)
	for _, f := range freqs {
		Sine(f, amp, audio.NarrowbandHz).Fill(part)
		for i := range out {
			out[i] += part[i]
		}
	}
	return out
}

func TestGoertzelPowerOfPureTone(t *testing.T) {
	const n, amp = 160, 8000.0
	for _, freq := range []float64{400, 425, 700, 1100, 1633} {
		got := Goertzel(mix(n, amp, freq), freq, audio.NarrowbandHz)
		want := math.Pow(amp*n/2, 2)
		if math.Abs(got-want)/want > 0.02 {
			t.Errorf("%v Hz: power %.4g, want about %.4g", freq, got, want)
		}
	}
}

func TestShare(t *testing.T) {
	tests := []struct {
		name     string
		signal   []int16
		probe    float64
		min, max float64
	}{
		{"pure tone", mix(160, 8000, 400), 400, 0.97, 1.03},
		{"one of two", mix(160, 8000, 400, 700), 700, 0.47, 0.53},
		{"one of three", mix(160, 8000, 400, 700, 1100), 1100, 0.30, 0.37},
		{"absent", mix(160, 8000, 400, 700), 1100, 0, 0.01},
		{"absent, 75 Hz off", mix(160, 8000, 400), 475, 0, 0.05},
		{"silence", make([]int16, 160), 400, 0, 0},
		{"empty", nil, 400, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Share(tt.signal, tt.probe, audio.NarrowbandHz)
			if got < tt.min || got > tt.max {
				t.Errorf("share %.4f, want %.2f..%.2f", got, tt.min, tt.max)
			}
		})
	}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		name   string
		signal []int16
		probe  float64
		want   bool
	}{
		{"tone present", mix(160, 8000, 400), 400, true},
		{"other tone", mix(160, 8000, 400), 700, false},
		{"quiet tone present", mix(160, 50, 1100), 1100, true},
		{"both of two", mix(320, 8000, 400, 700), 400, true},
		{"neither of two", mix(320, 8000, 400, 700), 1100, false},
		{"each of three", mix(320, 8000, 400, 700, 1100), 700, true},
		{"below one LSB", mix(160, 0.6, 400), 400, false},
		{"silence", make([]int16, 160), 400, false},
		{"empty", nil, 400, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Detect(tt.signal, tt.probe, audio.NarrowbandHz); got != tt.want {
				t.Errorf("Detect(%v Hz) = %v, want %v (share %.3f)",
					tt.probe, got, tt.want, Share(tt.signal, tt.probe, audio.NarrowbandHz))
			}
		})
	}
}
