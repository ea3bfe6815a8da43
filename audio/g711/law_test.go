package g711

import "testing"

// law bundles one companding law's functions so that properties shared by
// µ-law and A-law are tested by the same code.
type law struct {
	name   string
	encode func(int16) byte
	decode func(byte) int16
	// reference is the arithmetic definition the lookup table must match.
	reference func(int16) byte
	encodeAll func([]byte, []int16)
	decodeAll func([]int16, []byte)
}

var laws = []law{
	{"ulaw", EncodeUlawSample, DecodeUlawSample, ulawEncode, EncodeUlaw, DecodeUlaw},
	{"alaw", EncodeAlawSample, DecodeAlawSample, alawEncode, EncodeAlaw, DecodeAlaw},
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// Indexing a table by a sample's top bits is only valid if the law ignores
// the low bits; comparing with the arithmetic definition on every sample
// proves that, and any slip in the table's shift.
func TestTableMatchesDefinition(t *testing.T) {
	for _, l := range laws {
		t.Run(l.name, func(t *testing.T) {
			for x := -32768; x <= 32767; x++ {
				if got, want := l.encode(int16(x)), l.reference(int16(x)); got != want {
					t.Fatalf("encode(%d) = %#02x, definition gives %#02x", x, got, want)
				}
			}
		})
	}
}

// Every code's reconstruction lies inside its own decision interval, so
// re-encoding a decoded byte must give the byte back. µ-law's negative zero
// is the one exception: it decodes to 0, which encodes as positive zero.
func TestCodesSurviveDecodeEncode(t *testing.T) {
	for _, l := range laws {
		t.Run(l.name, func(t *testing.T) {
			for c := 0; c < 256; c++ {
				want := byte(c)
				if l.name == "ulaw" && want == 0x7F {
					want = 0xFF
				}
				if got := l.encode(l.decode(byte(c))); got != want {
					t.Errorf("encode(decode(%#02x)) = %#02x, want %#02x", c, got, want)
				}
			}
		})
	}
}

func TestRoundTripIsMonotonic(t *testing.T) {
	for _, l := range laws {
		t.Run(l.name, func(t *testing.T) {
			prev := l.decode(l.encode(-32768))
			for x := -32767; x <= 32767; x++ {
				y := l.decode(l.encode(int16(x)))
				if y < prev {
					t.Fatalf("decode(encode(%d)) = %d, below %d for %d", x, y, prev, x-1)
				}
				prev = y
			}
		})
	}
}

func TestSlicesMatchSamples(t *testing.T) {
	src := make([]int16, 0, 65536/7+1)
	for x := -32768; x <= 32767; x += 7 {
		src = append(src, int16(x))
	}
	for _, l := range laws {
		t.Run(l.name, func(t *testing.T) {
			enc := make([]byte, len(src))
			l.encodeAll(enc, src)
			dec := make([]int16, len(src))
			l.decodeAll(dec, enc)
			for i, x := range src {
				if enc[i] != l.encode(x) || dec[i] != l.decode(enc[i]) {
					t.Fatalf("sample %d (%d): slice gives %#02x/%d, single gives %#02x/%d",
						i, x, enc[i], dec[i], l.encode(x), l.decode(l.encode(x)))
				}
			}
		})
	}
}

func TestShortDestinationPanics(t *testing.T) {
	for _, l := range laws {
		t.Run(l.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("encoding 4 samples into 3 bytes did not panic")
				}
			}()
			l.encodeAll(make([]byte, 3), make([]int16, 4))
		})
	}
}

// roundTripBound is the largest |decode(encode(x)) - x| allowed for sample
// magnitudes in [lo, hi]: half the quantiser step of the segment, per G.711.
type roundTripBound struct {
	lo, hi, maxErr int
}

func checkRoundTrip(t *testing.T, l law, bounds []roundTripBound) {
	t.Helper()
	for _, b := range bounds {
		for m := b.lo; m <= b.hi; m++ {
			for _, x := range []int{m, -m} {
				if x < -32768 || x > 32767 {
					continue
				}
				y := int(l.decode(l.encode(int16(x))))
				if err := abs(y - x); err > b.maxErr {
					t.Fatalf("decode(encode(%d)) = %d: error %d, want at most %d", x, y, err, b.maxErr)
				}
			}
		}
	}
}
