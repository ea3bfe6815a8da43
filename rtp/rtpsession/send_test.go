package rtpsession

import (
	"errors"
	"testing"

	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/audio/g711"
	"github.com/confgw/confgw/internal/tone"
	"github.com/confgw/confgw/rtp/dtmf"
)

func TestWriteFrameSendsSteadyStream(t *testing.T) {
	tests := []struct {
		codec  audio.Codec
		decode func([]int16, []byte)
	}{
		{audio.PCMU, g711.DecodeUlaw},
		{audio.PCMA, g711.DecodeAlaw},
		{audio.Codec{Name: "pcmu", PayloadType: 96}, g711.DecodeUlaw},
	}
	for _, tt := range tests {
		t.Run(tt.codec.Name, func(t *testing.T) {
			ph := newPhone(t)
			s := newSession(t, Config{Codec: tt.codec, Remote: ph.addr()})
			gen := tone.Sine(1000, 8000, audio.NarrowbandHz)
			var f, heard audio.Frame
			const n = 5
			for range n {
				gen.Next(&f)
				s.WriteFrame(&f)
			}
			first := ph.recv()
			for i := range n {
				pkt := first
				if i > 0 {
					pkt = ph.recv()
				}
				if pkt.PayloadType != tt.codec.PayloadType {
					t.Errorf("packet %d: payload type %d, want %d", i, pkt.PayloadType, tt.codec.PayloadType)
				}
				if pkt.SequenceNumber != first.SequenceNumber+uint16(i) || pkt.Timestamp != first.Timestamp+uint32(i)*160 {
					t.Errorf("packet %d: seq %d ts %d, want %d and %d", i, pkt.SequenceNumber, pkt.Timestamp,
						first.SequenceNumber+uint16(i), first.Timestamp+uint32(i)*160)
				}
				if pkt.Marker != (i == 0) || pkt.SSRC != first.SSRC {
					t.Errorf("packet %d: marker %v ssrc %#x", i, pkt.Marker, pkt.SSRC)
				}
				tt.decode(heard.Samples(), pkt.Payload)
				if !tone.Detect(heard.Samples(), 1000, audio.NarrowbandHz) {
					t.Errorf("packet %d: no 1 kHz tone", i)
				}
			}
			if got := s.Stats().PacketsOut; got != n {
				t.Errorf("PacketsOut %d, want %d", got, n)
			}
		})
	}
}

func TestWriteFrameSendsSilenceAndWaitsForAddress(t *testing.T) {
	ph := newPhone(t)
	s := newSession(t, Config{}) // late offer: no address yet
	var silence audio.Frame
	s.WriteFrame(&silence)
	s.WriteFrame(&silence)
	if got := s.Stats().PacketsOut; got != 0 {
		t.Fatalf("sent %d packets with no address", got)
	}
	s.SetRemote(ph.addr())
	s.WriteFrame(&silence)
	pkt := ph.recv()
	if len(pkt.Payload) != g711.FrameBytes || !pkt.Marker {
		t.Fatalf("silent frame sent as %d bytes, marker %v", len(pkt.Payload), pkt.Marker)
	}
	var heard audio.Frame
	g711.DecodeUlaw(heard.Samples(), pkt.Payload)
	for i, v := range heard.Samples() {
		if v < -8 || v > 8 {
			t.Fatalf("sample %d of silence is %d", i, v)
		}
	}
}

func TestSendDigit(t *testing.T) {
	const eventPT = 101
	ph := newPhone(t)
	s := newSession(t, Config{TelephoneEventPT: eventPT, Remote: ph.addr()})
	var f audio.Frame
	s.WriteFrame(&f) // one audio packet before the key
	if err := s.SendDigit('7'); err != nil {
		t.Fatal(err)
	}
	ticks := 1 + digitTicks + endRepeats + 1
	for range ticks - 1 {
		s.WriteFrame(&f)
	}

	var det dtmf.Detector
	var keys []byte
	audio := ph.recv()
	prev := audio
	var keyTS uint32
	for i := 1; i < ticks; i++ {
		pkt := ph.recv()
		if pkt.SequenceNumber != prev.SequenceNumber+1 {
			t.Errorf("packet %d: seq %d after %d", i, pkt.SequenceNumber, prev.SequenceNumber)
		}
		prev = pkt
		isKey := i <= digitTicks+endRepeats
		if got := pkt.PayloadType == eventPT; got != isKey {
			t.Fatalf("packet %d: payload type %d", i, pkt.PayloadType)
		}
		if !isKey {
			if want := audio.Timestamp + uint32(i)*160; pkt.Timestamp != want {
				t.Errorf("audio after the key has ts %d, want %d", pkt.Timestamp, want)
			}
			continue
		}
		if i == 1 {
			keyTS = pkt.Timestamp
		}
		if pkt.Timestamp != keyTS || pkt.Marker != (i == 1) {
			t.Errorf("packet %d: ts %d marker %v", i, pkt.Timestamp, pkt.Marker)
		}
		e, err := dtmf.Parse(pkt.Payload)
		if err != nil {
			t.Fatal(err)
		}
		keys = det.Feed(keys, pkt.Timestamp, e)
	}
	if string(keys) != "7" {
		t.Errorf("phone detected %q, want %q", keys, "7")
	}
}

func TestSendDigitErrors(t *testing.T) {
	tests := []struct {
		name    string
		eventPT uint8
		digit   rune
		want    error
	}{
		{"not negotiated", 0, '1', ErrNoTelephoneEvent},
		{"not a key", 101, 'x', dtmf.ErrUnknownDigit},
		{"not ASCII", 101, '٣', dtmf.ErrUnknownDigit},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSession(t, Config{TelephoneEventPT: tt.eventPT})
			if err := s.SendDigit(tt.digit); !errors.Is(err, tt.want) {
				t.Errorf("SendDigit(%q) = %v, want %v", tt.digit, err, tt.want)
			}
		})
	}
	t.Run("queue full", func(t *testing.T) {
		s := newSession(t, Config{TelephoneEventPT: 101})
		var err error
		for range digitQueue + 1 {
			err = s.SendDigit('1')
		}
		if !errors.Is(err, ErrDigitQueueFull) {
			t.Errorf("SendDigit past the queue = %v, want ErrDigitQueueFull", err)
		}
	})
}
