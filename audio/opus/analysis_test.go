package opus

import (
	"math"
	"math/cmplx"
)

// tone is n samples of a sine at f Hz and amp (a fraction of full scale),
// sampled at rate.
func tone(f, amp float64, rate, n int) []int16 {
	s := make([]int16, n)
	for i := range s {
		s[i] = int16(math.Round(amp * 32767 * math.Sin(2*math.Pi*f*float64(i)/float64(rate))))
	}
	return s
}

// analysisLen is the transform length at rate: the power of two spanning
// at least half a second, so that a figure averages over 25 frames or more
// and one lucky or unlucky frame does not decide it. A bin is then under
// 2 Hz wide.
func analysisLen(rate int) int {
	n := 1
	for n < rate/2 {
		n <<= 1
	}
	return n
}

// guardHz is how far either side of a tone its own energy may reach in the
// spectrum: the window's main lobe is ±4 bins, under 8 Hz at 16 kHz and
// 4 Hz at 8 kHz. Anything further out is the codec's doing, including
// sidebands a frame-rate modulation of the tone would put 50 Hz away.
const guardHz = 12

// toneReport is what a spectrum says about a signal meant to be a single
// tone: the tone's level and the strongest anything else reaches, both in
// dBFS as a full-scale sine reads 0, and where that strongest other thing is.
type toneReport struct {
	toneDBFS, worstDBFS, worstHz float64
}

// below is how far below the tone the strongest other component is.
func (r toneReport) below() float64 { return r.toneDBFS - r.worstDBFS }

// analyse measures sig, which must hold at least analysisLen(rate)
// samples, around the tone f: it looks at the last of them, past whatever
// transient the codec starts with.
func analyse(sig []int16, rate int, f float64) toneReport {
	size := analysisLen(rate)
	x := sig[len(sig)-size:]
	buf := make([]complex128, size)
	var wsum float64
	for i, v := range x {
		// A 4-term Blackman-Harris window: its side lobes are 92 dB down,
		// well under anything measured, so leakage cannot pass for an
		// artefact.
		p := 2 * math.Pi * float64(i) / float64(size)
		w := 0.35875 - 0.48829*math.Cos(p) + 0.14128*math.Cos(2*p) - 0.01168*math.Cos(3*p)
		wsum += w
		buf[i] = complex(w*float64(v)/32767, 0)
	}
	fft(buf)
	r := toneReport{toneDBFS: math.Inf(-1), worstDBFS: math.Inf(-1)}
	binHz := float64(rate) / float64(size)
	for k := 0; k <= size/2; k++ {
		db := 20 * math.Log10(2*cmplx.Abs(buf[k])/wsum+1e-300)
		hz := float64(k) * binHz
		if math.Abs(hz-f) <= guardHz {
			r.toneDBFS = max(r.toneDBFS, db)
		} else if db > r.worstDBFS {
			r.worstDBFS, r.worstHz = db, hz
		}
	}
	return r
}

// fft transforms x in place; len(x) must be a power of two.
func fft(x []complex128) {
	n := len(x)
	for i, j := 1, 0; i < n; i++ {
		bit := n >> 1
		for ; j&bit != 0; bit >>= 1 {
			j ^= bit
		}
		j |= bit
		if i < j {
			x[i], x[j] = x[j], x[i]
		}
	}
	for size := 2; size <= n; size <<= 1 {
		step := cmplx.Exp(complex(0, -2*math.Pi/float64(size)))
		for start := 0; start < n; start += size {
			w := complex(1, 0)
			for k := range size / 2 {
				a, b := x[start+k], w*x[start+k+size/2]
				x[start+k], x[start+k+size/2] = a+b, a-b
				w *= step
			}
		}
	}
}
