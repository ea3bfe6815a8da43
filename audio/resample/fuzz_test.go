package resample

import (
	"encoding/binary"
	"testing"
)

// Whatever samples a leg delivers, in whatever blocks, Up and Down must not
// panic, must equal the direct-form definition (so no overflow slipped past
// saturation), and must stay within the filter's worst-case gain of the
// input's peak.
func FuzzUpAndDownNeverPanicAndStayBounded(f *testing.F) {
	f.Add(uint8(160), []byte{})
	f.Add(uint8(1), []byte{0xff, 0x7f, 0x00, 0x80, 0xff, 0x7f, 0x00, 0x80})
	f.Add(uint8(7), make([]byte, 640))
	full := make([]byte, 0, 1000)
	for i := range 500 {
		full = binary.LittleEndian.AppendUint16(full, uint16([2]int16{32767, -32768}[i*7%3%2]))
	}
	f.Add(uint8(160), full)
	f.Fuzz(func(t *testing.T, block uint8, data []byte) {
		in := make([]int16, len(data)/2)
		for i := range in {
			in[i] = int16(binary.LittleEndian.Uint16(data[2*i:]))
		}
		n := max(int(block), 1)
		var u Up
		var d Down
		wide := make([]int16, 2*len(in))
		narrow := make([]int16, len(in))
		for i := 0; i < len(in); i += n {
			j := min(i+n, len(in))
			u.Process(wide[2*i:2*j], in[i:j])
			d.Process(narrow[i:j], wide[2*i:2*j])
		}
		if !equal(t, wide, upDirect(in)) {
			t.Fatal("Up differs from the direct form")
		}
		if !equal(t, narrow, downDirect(wide)) {
			t.Fatal("Down differs from the direct form")
		}
		var absTaps int64 = centre
		for _, c := range halfTaps {
			absTaps += 2 * int64(max(c, -c))
		}
		checkBound(t, "Up", wide, peak(in), absTaps-centre, 14)
		checkBound(t, "Down", narrow, peak(wide), absTaps, 15)
	})
}

func peak(s []int16) int64 {
	var p int64
	for _, x := range s {
		p = max(p, int64(x), -int64(x))
	}
	return p
}

// checkBound fails if some sample of out exceeds what taps summing to
// absTaps (in units of 2^-shift) can make of inputs no larger than inPeak,
// plus one for rounding.
func checkBound(t *testing.T, name string, out []int16, inPeak, absTaps int64, shift uint) {
	t.Helper()
	limit := inPeak*absTaps>>shift + 1
	if p := peak(out); p > limit {
		t.Fatalf("%s: output peak %d exceeds %d, the most input peaking at %d can give", name, p, limit, inPeak)
	}
}
