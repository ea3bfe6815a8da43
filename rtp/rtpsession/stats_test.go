package rtpsession

import (
	"testing"

	"github.com/confgw/confgw/audio"
)

func TestStatsSurviveNewStream(t *testing.T) {
	s := startSession(t, Config{})
	ph := newPhone(t)
	ph.sendTone(s.LocalAddr(), 2)
	ph.seq++ // one packet lost on the way
	ph.ts += 160
	ph.sendTone(s.LocalAddr(), 2)
	ph.sendAudio(s.LocalAddr(), 0, levelFrame(1000))
	ph.seq--
	ph.ts -= 160
	ph.sendAudio(s.LocalAddr(), 0, levelFrame(1000)) // sent twice
	settle(t, s.Session, "packets", func() bool {
		st := s.Stats()
		return st.PacketsIn == 6
	})
	var f audio.Frame
	for range 12 {
		s.ReadFrame(&f)
	}
	before := s.Stats()
	if before.Lost != 1 || before.Duplicates != 1 || before.Concealed == 0 {
		t.Fatalf("lost %d duplicates %d concealed %d, want 1, 1 and some",
			before.Lost, before.Duplicates, before.Concealed)
	}
	// Resuming from hold starts a new jitter buffer.
	s.SetHold(true)
	s.SetHold(false)
	after := s.Stats()
	if after.Lost != before.Lost || after.Duplicates != before.Duplicates || after.PacketsIn != before.PacketsIn {
		t.Errorf("counters went from %+v to %+v", before, after)
	}
}
