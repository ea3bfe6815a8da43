package rtpsession

import (
	"testing"

	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/audio/g711"
	"github.com/confgw/confgw/internal/tone"
)

func TestReadFrameYieldsPhoneTone(t *testing.T) {
	s := startSession(t, Config{})
	var f audio.Frame
	if s.ReadFrame(&f) {
		t.Fatal("ReadFrame reported audio before any packet")
	}
	ph := newPhone(t)
	const sent = 5 // within what a 40 ms buffer plays without skipping
	ph.sendTone(s.LocalAddr(), sent)
	settle(t, s.Session, "tone packets", func() bool { return s.Stats().PacketsIn == sent })

	played := 0
	for range 3 * sent {
		if !s.ReadFrame(&f) {
			continue
		}
		played++
		if !tone.Detect(f.Samples(), 1000, audio.NarrowbandHz) {
			t.Fatalf("frame %d: no 1 kHz tone (share %.2f)", played, tone.Share(f.Samples(), 1000, audio.NarrowbandHz))
		}
	}
	if played < sent {
		t.Errorf("played %d frames of %d sent", played, sent)
	}
	if st := s.Stats(); st.Lost != 0 || st.Late != 0 {
		t.Errorf("in-order stream counted lost %d, late %d", st.Lost, st.Late)
	}
}

// levelFrame is a payload whose every sample decodes to one level, so that a
// played frame tells which packet it came from.
func levelFrame(level int16) []byte {
	b := make([]byte, g711.FrameBytes)
	for i := range b {
		b[i] = g711.EncodeUlawSample(level)
	}
	return b
}

func TestReadFramePlaysInSequenceOrder(t *testing.T) {
	tests := []struct {
		name  string
		order []int // sequence offsets in the order they are sent
	}{
		{"in order", []int{0, 1, 2, 3}},
		{"swapped pair", []int{0, 2, 1, 3}},
		{"reversed", []int{3, 2, 1, 0}},
		{"first last", []int{1, 2, 3, 0}},
	}
	levels := []int16{1000, 2000, 3000, 4000}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := startSession(t, Config{})
			ph := newPhone(t)
			for _, k := range tt.order {
				ph.sendRaw(s.LocalAddr(), rtpHeader(0, ph.seq+uint16(k), ph.ts+uint32(k)*160, ph.ssrc), levelFrame(levels[k]))
			}
			settle(t, s.Session, "packets", func() bool { return s.Stats().PacketsIn == uint64(len(tt.order)) })

			var got []int16
			var f audio.Frame
			for range 10 {
				if s.ReadFrame(&f) && len(got) < len(levels) {
					got = append(got, f.PCM[0])
				}
			}
			if len(got) != len(levels) {
				t.Fatalf("played %d frames, want %d", len(got), len(levels))
			}
			for i, level := range levels {
				if want := g711.DecodeUlawSample(g711.EncodeUlawSample(level)); got[i] != want {
					t.Errorf("frame %d is level %d, want %d (order %v)", i, got[i], want, got)
				}
			}
		})
	}
}

func TestReadFrameConcealsThenGoesQuiet(t *testing.T) {
	s := startSession(t, Config{})
	ph := newPhone(t)
	ph.sendTone(s.LocalAddr(), 3)
	settle(t, s.Session, "packets", func() bool { return s.Stats().PacketsIn == 3 })

	var f audio.Frame
	quiet := false
	for range 20 {
		if !s.ReadFrame(&f) {
			quiet = true
			break
		}
	}
	if !quiet {
		t.Fatal("ReadFrame kept reporting audio after the stream stopped")
	}
	if s.Stats().Concealed == 0 {
		t.Error("a starved stream ended without concealment")
	}
}
