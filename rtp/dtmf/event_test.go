package dtmf

import (
	"bytes"
	"errors"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		payload []byte
		want    Event
		digit   byte
		err     error
	}{
		{"digit 5 starting", []byte{5, 0x0a, 0x00, 0xa0}, Event{Code: 5, Volume: 10, Duration: 160}, '5', nil},
		{"star ending", []byte{10, 0x8a, 0x03, 0x20}, Event{Code: 10, End: true, Volume: 10, Duration: 800}, '*', nil},
		{"hash", []byte{11, 0x00, 0x00, 0x00}, Event{Code: 11}, '#', nil},
		{"D at full volume field", []byte{15, 0x3f, 0xff, 0xff}, Event{Code: 15, Volume: 63, Duration: 65535}, 'D', nil},
		{"reserved bit ignored", []byte{0, 0xc5, 0, 1}, Event{Code: 0, End: true, Volume: 5, Duration: 1}, '0', nil},
		{"trailing bytes ignored", []byte{1, 0, 0, 2, 9, 9}, Event{Code: 1, Duration: 2}, '1', nil},
		{"flash is not DTMF", []byte{16, 0, 0, 0}, Event{}, 0, ErrUnknownEvent},
		{"short", []byte{1, 0, 0}, Event{}, 0, ErrShort},
		{"empty", nil, Event{}, 0, ErrShort},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.payload)
			if !errors.Is(err, tt.err) {
				t.Fatalf("Parse error = %v, want %v", err, tt.err)
			}
			if got != tt.want {
				t.Fatalf("Parse = %+v, want %+v", got, tt.want)
			}
			if err == nil && got.Digit() != tt.digit {
				t.Fatalf("Digit = %q, want %q", got.Digit(), tt.digit)
			}
		})
	}
}

func TestEncode(t *testing.T) {
	buf := make([]byte, 8)
	n, err := Encode(buf, Event{Code: 11, End: true, Volume: 10, Duration: 1280})
	if err != nil || n != PayloadSize {
		t.Fatalf("Encode = %d, %v", n, err)
	}
	if want := []byte{11, 0x8a, 0x05, 0x00}; !bytes.Equal(buf[:n], want) {
		t.Fatalf("Encode wrote % x, want % x", buf[:n], want)
	}
	if _, err := Encode(buf[:3], Event{}); !errors.Is(err, ErrShort) {
		t.Fatalf("Encode into 3 bytes: %v, want ErrShort", err)
	}
	if _, err := Encode(buf, Event{Code: 16}); !errors.Is(err, ErrUnknownEvent) {
		t.Fatalf("Encode code 16: %v, want ErrUnknownEvent", err)
	}
	// Volume beyond six bits must not spill into the end and reserved bits.
	Encode(buf, Event{Code: 1, Volume: 0xff})
	if buf[1] != 0x3f {
		t.Fatalf("volume byte = %#x, want 0x3f", buf[1])
	}
}

func TestEventFor(t *testing.T) {
	for i, d := range []byte("0123456789*#ABCD") {
		e, err := EventFor(d)
		if err != nil || e.Code != uint8(i) || e.Digit() != d {
			t.Errorf("EventFor(%q) = %+v, %v", d, e, err)
		}
	}
	if e, err := EventFor('b'); err != nil || e.Digit() != 'B' {
		t.Errorf("EventFor('b') = %+v, %v, want B", e, err)
	}
	for _, d := range []byte("xEe ") {
		if _, err := EventFor(d); !errors.Is(err, ErrUnknownDigit) {
			t.Errorf("EventFor(%q) error = %v, want ErrUnknownDigit", d, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte{5, 0x0a, 0x00, 0xa0})
	f.Add([]byte{11, 0x8a, 0x03, 0x20})
	f.Add([]byte{16, 0, 0, 0})
	f.Add([]byte{1, 2})
	f.Fuzz(func(t *testing.T, payload []byte) {
		e, err := Parse(payload)
		if err != nil {
			return
		}
		buf := make([]byte, PayloadSize)
		if _, err := Encode(buf, e); err != nil {
			t.Fatalf("Encode of a parsed event failed: %v", err)
		}
		want := []byte{payload[0], payload[1] &^ 0x40, payload[2], payload[3]}
		if !bytes.Equal(buf, want) {
			t.Fatalf("round trip % x -> %+v -> % x", payload[:4], e, buf)
		}
	})
}

var benchSink Event

func BenchmarkParse(b *testing.B) {
	payloads := [][]byte{{5, 0x8a, 0x03, 0x20}, {11, 0x0a, 0x00, 0xa0}}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		e, err := Parse(payloads[i&1])
		if err != nil {
			b.Fatal(err)
		}
		benchSink = e
		i++
	}
}

func TestParseDoesNotAllocate(t *testing.T) {
	good := []byte{5, 0x8a, 0x03, 0x20}
	bad := []byte{99, 0, 0, 0}
	if n := testing.AllocsPerRun(100, func() {
		Parse(good)
		Parse(bad)
	}); n != 0 {
		t.Fatalf("Parse allocates %v times", n)
	}
}
