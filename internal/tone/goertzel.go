package tone

import (
	"math"
)

// DetectShare is the least fraction of a signal's energy that must sit at a
// frequency for Detect to report it. A pure tone scores about 1, each of n
// equal tones about 1/n, and a tone absent from the signal scores only its
// neighbours' spectral leakage (under 0.05 for tones at least 75 Hz apart
// over one 160-sample frame), so a tenth separates the two cases with a
// wide margin while still finding a tone among several talkers.
const DetectShare = 0.1

// minMeanSquare keeps Detect from reporting tones in near-silence, where a
// single LSB of noise or G.711's idle pattern could dominate the ratio.
const minMeanSquare = 1.0

// Goertzel returns the power of samples at freqHz: the squared magnitude of
// the signal's discrete-time Fourier transform at that frequency. A tone of
// peak A at exactly freqHz over N samples yields about (A*N/2)^2. Unlike a
// DFT bin, freqHz need not be a multiple of sampleRate/N.
func Goertzel(samples []int16, freqHz float64, sampleRate int) float64 {
	coeff := 2 * math.Cos(2*math.Pi*freqHz/float64(sampleRate))
	var s1, s2 float64
	for _, x := range samples {
		s1, s2 = float64(x)+coeff*s1-s2, s1
	}
	return s1*s1 + s2*s2 - coeff*s1*s2
}

// Detect reports whether a tone of freqHz carries at least DetectShare of
// the energy of samples taken at sampleRate. Judging relative to the
// signal's own energy keeps the answer independent of volume, so the same
// check works on a quiet leg and on a mix of several talkers.
func Detect(samples []int16, freqHz float64, sampleRate int) bool {
	return Share(samples, freqHz, sampleRate) >= DetectShare
}

// Share returns the fraction, from 0 to about 1, of the energy of samples
// that lies at freqHz; signals too quiet to judge score 0.
func Share(samples []int16, freqHz float64, sampleRate int) float64 {
	if len(samples) == 0 {
		return 0
	}
	var energy float64
	for _, x := range samples {
		energy += float64(x) * float64(x)
	}
	n := float64(len(samples))
	if energy/n < minMeanSquare {
		return 0
	}
	// A tone holding all the energy E = N*A^2/2 has power (A*N/2)^2, which
	// is N*E/2: scale by that so a pure tone scores 1.
	return 2 * Goertzel(samples, freqHz, sampleRate) / (n * energy)
}
