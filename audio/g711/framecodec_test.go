package g711

import (
	"errors"
	"testing"

	"github.com/confgw/confgw/audio"
)

func TestLookup(t *testing.T) {
	tests := []struct {
		name    string
		want    audio.Codec
		wantErr error
	}{
		{"PCMU", audio.PCMU, nil},
		{"pcmu", audio.PCMU, nil},
		{"PCMA", audio.PCMA, nil},
		{"pcma", audio.PCMA, nil},
		{"G722", audio.Codec{}, ErrUnknownCodec},
		{"", audio.Codec{}, ErrUnknownCodec},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc, err := Lookup(tt.name)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Lookup(%q) error %v, want %v", tt.name, err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if got := fc.Codec(); got != tt.want {
				t.Errorf("Lookup(%q).Codec() = %+v, want %+v", tt.name, got, tt.want)
			}
		})
	}
}

func TestFrameRoundTrip(t *testing.T) {
	tests := []struct {
		codec  audio.Codec
		encode func(int16) byte
	}{
		{audio.PCMU, EncodeUlawSample},
		{audio.PCMA, EncodeAlawSample},
	}
	var src audio.Frame
	for i := range src.Samples() {
		src.PCM[i] = int16((i*1237)%65536 - 32768)
	}
	for _, tt := range tests {
		t.Run(tt.codec.Name, func(t *testing.T) {
			fc, err := Lookup(tt.codec.Name)
			if err != nil {
				t.Fatal(err)
			}
			var payload [FrameBytes]byte
			fc.EncodeFrame(&payload, &src)
			for i, b := range payload {
				if want := tt.encode(src.PCM[i]); b != want {
					t.Fatalf("payload[%d] = %#02x, want %#02x", i, b, want)
				}
			}
			var got audio.Frame
			if err := fc.DecodeFrame(&got, payload[:]); err != nil {
				t.Fatal(err)
			}
			// µ-law's worst case: -32768 clipped to its largest code, -32124.
			const maxErr = 644
			for i := range got.Samples() {
				if d := abs(int(got.PCM[i]) - int(src.PCM[i])); d > maxErr {
					t.Fatalf("sample %d: %d decoded as %d", i, src.PCM[i], got.PCM[i])
				}
			}
		})
	}
}

func TestDecodeFrameRejectsOtherSizes(t *testing.T) {
	for _, name := range []string{"PCMU", "PCMA"} {
		fc, err := Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range []int{0, FrameBytes - 1, FrameBytes + 1, 2 * FrameBytes} {
			var f audio.Frame
			f.PCM[0] = 1234
			err := fc.DecodeFrame(&f, make([]byte, n))
			if !errors.Is(err, ErrPayloadSize) {
				t.Errorf("%s: %d-byte payload gave error %v, want ErrPayloadSize", name, n, err)
			}
			if f.PCM[0] != 1234 {
				t.Errorf("%s: %d-byte payload overwrote the frame", name, n)
			}
		}
	}
}

func BenchmarkFrameCodec(b *testing.B) {
	for _, name := range []string{"PCMU", "PCMA"} {
		b.Run(name, func(b *testing.B) {
			fc, err := Lookup(name)
			if err != nil {
				b.Fatal(err)
			}
			var f audio.Frame
			copy(f.Samples(), benchSignal())
			var payload [FrameBytes]byte
			b.ReportAllocs()
			for b.Loop() {
				fc.EncodeFrame(&payload, &f)
				if err := fc.DecodeFrame(&f, payload[:]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
