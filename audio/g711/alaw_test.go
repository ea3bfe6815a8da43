package g711

import "testing"

func TestAlawReferenceValues(t *testing.T) {
	encodes := []struct {
		in   int16
		want byte
	}{
		{0, 0xD5},
		{-1, 0x55},
		{1000, 0xFA},
		{32767, 0xAA},
		{-32768, 0x2A},
	}
	for _, tt := range encodes {
		if got := EncodeAlawSample(tt.in); got != tt.want {
			t.Errorf("EncodeAlawSample(%d) = %#02x, want %#02x", tt.in, got, tt.want)
		}
	}
	decodes := []struct {
		in   byte
		want int16
	}{
		{0xD5, 8},
		{0x55, -8},
		{0x80, 5504},
		{0xAA, 32256},
		{0x2A, -32256},
	}
	for _, tt := range decodes {
		if got := DecodeAlawSample(tt.in); got != tt.want {
			t.Errorf("DecodeAlawSample(%#02x) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestAlawRoundTripError(t *testing.T) {
	checkRoundTrip(t, laws[1], []roundTripBound{
		{0, 511, 8},
		{512, 1023, 16},
		{1024, 2047, 32},
		{2048, 4095, 64},
		{4096, 8191, 128},
		{8192, 16383, 256},
		{16384, 32768, 512},
	})
}

func BenchmarkEncodeAlaw(b *testing.B) {
	src := benchSignal()
	dst := make([]byte, len(src))
	b.ReportAllocs()
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		EncodeAlaw(dst, src)
	}
}

func BenchmarkDecodeAlaw(b *testing.B) {
	src := make([]byte, FrameBytes)
	EncodeAlaw(src, benchSignal())
	dst := make([]int16, len(src))
	b.ReportAllocs()
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		DecodeAlaw(dst, src)
	}
}
