package g711

import "testing"

func TestUlawReferenceValues(t *testing.T) {
	encodes := []struct {
		in   int16
		want byte
	}{
		{0, 0xFF},
		{-1, 0x7F}, // rounds to negative zero, as G.191 does
		{1000, 0xCE},
		{-1000, 0x4E},
		{32767, 0x80},
		{-32768, 0x00},
	}
	for _, tt := range encodes {
		if got := EncodeUlawSample(tt.in); got != tt.want {
			t.Errorf("EncodeUlawSample(%d) = %#02x, want %#02x", tt.in, got, tt.want)
		}
	}
	decodes := []struct {
		in   byte
		want int16
	}{
		{0xFF, 0},
		{0x7F, 0},
		{0xCE, 988},
		{0x80, 32124},
		{0x00, -32124},
		{0x01, -31100},
		{0xFE, 8},
	}
	for _, tt := range decodes {
		if got := DecodeUlawSample(tt.in); got != tt.want {
			t.Errorf("DecodeUlawSample(%#02x) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestUlawRoundTripError(t *testing.T) {
	checkRoundTrip(t, laws[0], []roundTripBound{
		{0, 123, 4},
		{124, 379, 8},
		{380, 891, 16},
		{892, 1915, 32},
		{1916, 3963, 64},
		{3964, 8059, 128},
		{8060, 16251, 256},
		{16252, 32635, 512},
	})
	// Beyond µ-law's range every sample clips to the largest code.
	for x := 32636; x <= 32767; x++ {
		if got := DecodeUlawSample(EncodeUlawSample(int16(x))); got != 32124 {
			t.Fatalf("decode(encode(%d)) = %d, want clipped to 32124", x, got)
		}
		if got := DecodeUlawSample(EncodeUlawSample(int16(-x - 1))); got != -32124 {
			t.Fatalf("decode(encode(%d)) = %d, want clipped to -32124", -x-1, got)
		}
	}
}

func BenchmarkEncodeUlaw(b *testing.B) {
	src := benchSignal()
	dst := make([]byte, len(src))
	b.ReportAllocs()
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		EncodeUlaw(dst, src)
	}
}

func BenchmarkDecodeUlaw(b *testing.B) {
	src := make([]byte, FrameBytes)
	EncodeUlaw(src, benchSignal())
	dst := make([]int16, len(src))
	b.ReportAllocs()
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		DecodeUlaw(dst, src)
	}
}

// benchSignal is one frame spread over the whole int16 range, so that table
// loads hit many cache lines as speech does.
func benchSignal() []int16 {
	s := make([]int16, FrameBytes)
	for i := range s {
		s[i] = int16(i*409 - 32768)
	}
	return s
}
