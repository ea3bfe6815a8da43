package resample

import (
	"time"

	"github.com/confgw/confgw/audio"
)

const (
	// NarrowRate is the rate, in samples per second, Up reads and Down
	// writes: a narrowband frame's.
	NarrowRate = audio.NarrowbandHz

	// WideRate is the rate, in samples per second, that Up writes and Down
	// reads: a wideband frame's, twice NarrowRate.
	WideRate = audio.WidebandHz

	// Delay is the latency each of Up and Down adds: the linear-phase
	// filter's group delay of delaySamples samples at WideRate, the same at
	// every frequency. A voice going phone → room → phone pays it twice.
	Delay = delaySamples * time.Second / WideRate
)

const (
	// taps is the length of the half-band prototype. It is of the form
	// 4k+3 so that the outermost taps are non-zero ones: any other length
	// would carry zeros at its ends and pay delay for nothing.
	taps = 55

	// delaySamples is the prototype's centre index, its group delay in
	// samples at WideRate.
	delaySamples = (taps - 1) / 2

	// phaseTaps is how many taps are non-zero besides the centre one: those
	// an odd distance from it. They form Up's filtering phase and the part
	// of Down that reads every other input sample.
	phaseTaps = (taps + 1) / 2

	// centre is the centre tap, ½, in Q15. Every other tap an even
	// (non-zero) distance from it is zero: that is what half-band means.
	centre = 1 << 14
)

// Up converts a NarrowRate stream to WideRate. The zero value is ready to
// use and starts from silence.
type Up struct {
	// ring holds the last phaseTaps input samples twice over, so that the
	// window ending at the newest one is always one contiguous slice,
	// ring[pos:pos+phaseTaps], oldest first, without wrapping in the inner
	// loop or copying the history every frame.
	ring [2 * phaseTaps]int16
	pos  int
}

// Reset forgets the history, as if u were new: for a stream that restarts,
// so that the old stream's last 3.5 ms do not bleed into the new one.
func (u *Up) Reset() { *u = Up{} }

// Process writes to dst the WideRate version of src, which continues
// whatever src the previous call was given. len(dst) must be 2*len(src);
// callers pass whole frames (160 samples in, 320 out for 20 ms), though any
// split of a stream gives the same output. dst and src must not overlap.
//
// It panics if the lengths do not match, since writing part of a frame or
// leaving part of dst stale would be a silent glitch in the audio.
func (u *Up) Process(dst, src []int16) {
	if len(dst) != 2*len(src) {
		panic("resample: Up.Process needs len(dst) == 2*len(src)")
	}
	for i, x := range src {
		u.ring[u.pos] = x
		u.ring[u.pos+phaseTaps] = x
		if u.pos++; u.pos == phaseTaps {
			u.pos = 0
		}
		w := (*[phaseTaps]int16)(u.ring[u.pos : u.pos+phaseTaps])

		// Even output: the taps an odd distance from the centre (upPhase,
		// written out tap by tap in taps.go so that each is a constant).
		// The taps are for a gain of 1 but zero-stuffing halves the level,
		// hence the shift by 14, not 15.
		dst[2*i] = saturate((upPhase(w) + 1<<13) >> 14)

		// Odd output: only the centre tap sees a non-zero input, and ½
		// times the gain of 2 is 1, so it is an input sample, delayed to
		// line up with the even output's centre.
		dst[2*i+1] = w[phaseTaps/2]
	}
}

// Down converts a WideRate stream to NarrowRate. The zero value is ready to
// use and starts from silence.
type Down struct {
	// ring holds the last taps input samples twice over, like Up's.
	ring [2 * taps]int16
	pos  int
}

// Reset forgets the history, as if d were new: for a stream that restarts,
// so that the old stream's last 3.4 ms do not bleed into the new one.
func (d *Down) Reset() { *d = Down{} }

// Process writes to dst the NarrowRate version of src, which continues
// whatever src the previous call was given. len(src) must be 2*len(dst);
// callers pass whole frames (320 samples in, 160 out for 20 ms), though any
// split of a stream into even-length blocks gives the same output. dst and
// src must not overlap.
//
// It panics if the lengths do not match, since writing part of a frame or
// leaving part of dst stale would be a silent glitch in the audio.
func (d *Down) Process(dst, src []int16) {
	if len(src) != 2*len(dst) {
		panic("resample: Down.Process needs len(src) == 2*len(dst)")
	}
	for i := range dst {
		// Only every other filter output is kept, so only those are
		// computed: push a pair, filter once. The output is aligned on the
		// first of the pair so that Up then Down is a whole number of
		// NarrowRate samples late.
		d.push(src[2*i])
		w := (*[taps]int16)(d.ring[d.pos : d.pos+taps])
		acc := centre*int32(w[delaySamples]) + downPhase(w)
		dst[i] = saturate((acc + 1<<14) >> 15)
		d.push(src[2*i+1])
	}
}

func (d *Down) push(x int16) {
	d.ring[d.pos] = x
	d.ring[d.pos+taps] = x
	if d.pos++; d.pos == taps {
		d.pos = 0
	}
}

// saturate clips v to int16: the filter overshoots sharp full-scale edges
// by up to a few percent, and wrapping there would turn a peak into a loud
// click of the opposite sign.
func saturate(v int32) int16 {
	if v > 32767 {
		return 32767
	}
	if v < -32768 {
		return -32768
	}
	return int16(v)
}
