package rtpwriter

import (
	"errors"
	"io"
	"testing"

	"github.com/pion/rtp"
)

func parse(t *testing.T, b []byte) rtp.Packet {
	t.Helper()
	var p rtp.Packet
	if err := p.Unmarshal(b); err != nil {
		t.Fatalf("unmarshal % x: %v", b, err)
	}
	return p
}

func TestAPacketCarriesTheStreamsSSRCAndWhatTheCallerGave(t *testing.T) {
	w := New(0xdeadbeef, 7, 0)
	var buf [HeaderSize + 4]byte
	n, err := w.Marshal(buf[:], 101, true, 4242, []byte{1, 2, 3, 4})
	if err != nil {
		t.Fatal(err)
	}
	p := parse(t, buf[:n])
	if p.Version != 2 || p.SSRC != 0xdeadbeef || p.SequenceNumber != 7 || p.Timestamp != 4242 ||
		p.PayloadType != 101 || !p.Marker || p.Padding || p.Extension || len(p.CSRC) != 0 {
		t.Errorf("header %+v", p.Header)
	}
	if string(p.Payload) != "\x01\x02\x03\x04" {
		t.Errorf("payload % x", p.Payload)
	}
}

func TestEachPacketTakesTheNextSequenceNumber(t *testing.T) {
	w := New(1, 100, 0)
	var buf [HeaderSize]byte
	for i := range 3 {
		if _, err := w.MarshalHeader(buf[:], 0, false, 0); err != nil {
			t.Fatal(err)
		}
		if got := parse(t, buf[:]).SequenceNumber; got != uint16(100+i) {
			t.Errorf("packet %d has sequence number %d", i, got)
		}
	}
	if w.Sequence() != 103 {
		t.Errorf("next sequence number %d, want 103", w.Sequence())
	}
}

func TestASequenceNumberWrapsAfter65535(t *testing.T) {
	w := New(1, 65535, 0)
	var buf [HeaderSize]byte
	for _, want := range []uint16{65535, 0, 1} {
		if _, err := w.MarshalHeader(buf[:], 0, false, 0); err != nil {
			t.Fatal(err)
		}
		if got := parse(t, buf[:]).SequenceNumber; got != want {
			t.Fatalf("sequence number %d, want %d", got, want)
		}
	}
}

func TestTheClockMovesOnlyWhenAdvancedAndWrapsLikeTheWire(t *testing.T) {
	w := New(1, 0, 0xffffff00)
	var buf [HeaderSize]byte
	if _, err := w.MarshalHeader(buf[:], 0, false, w.Timestamp()); err != nil {
		t.Fatal(err)
	}
	if w.Timestamp() != 0xffffff00 {
		t.Fatalf("marshalling moved the clock to %#x", w.Timestamp())
	}
	w.Advance(160)
	w.Advance(160)
	if w.Timestamp() != 0x40 {
		t.Errorf("clock at %#x after two frames, want 0x40", w.Timestamp())
	}
}

func TestAPacketThatDoesNotFitTakesNoSequenceNumber(t *testing.T) {
	w := New(1, 9, 0)
	var buf [HeaderSize + 1]byte
	if _, err := w.Marshal(buf[:], 0, false, 0, []byte{1, 2}); !errors.Is(err, io.ErrShortBuffer) {
		t.Errorf("Marshal into a short buffer = %v, want io.ErrShortBuffer", err)
	}
	if _, err := w.MarshalHeader(buf[:HeaderSize-1], 0, false, 0); !errors.Is(err, io.ErrShortBuffer) {
		t.Errorf("MarshalHeader into a short buffer = %v, want io.ErrShortBuffer", err)
	}
	if w.Sequence() != 9 {
		t.Errorf("failed packets took sequence numbers up to %d", w.Sequence())
	}
}

func TestAPayloadTypeAbove127IsRefused(t *testing.T) {
	w := New(1, 9, 0)
	var buf [HeaderSize]byte
	if _, err := w.MarshalHeader(buf[:], 128, false, 0); !errors.Is(err, ErrPayloadType) {
		t.Errorf("payload type 128 = %v, want ErrPayloadType", err)
	}
	if w.Sequence() != 9 {
		t.Errorf("a refused packet took sequence number 9")
	}
}

func TestRandomStreamsStartApart(t *testing.T) {
	a, b := NewRandom(), NewRandom()
	// Equal in all three by chance is one in 2^80.
	if a == b {
		t.Errorf("two random streams both start at %+v", a)
	}
}

func TestMarshallingAllocatesNothing(t *testing.T) {
	w := NewRandom()
	var buf [HeaderSize + 160]byte
	payload := make([]byte, 160)
	n := testing.AllocsPerRun(100, func() {
		if _, err := w.Marshal(buf[:], 0, false, w.Timestamp(), payload); err != nil {
			t.Fatal(err)
		}
		w.Advance(160)
	})
	if n != 0 {
		t.Errorf("Marshal allocates %v times per packet", n)
	}
}
