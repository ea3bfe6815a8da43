package rtpsession

import (
	"testing"

	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/audio/g711"
)

// constantFrames is n narrowband frames of one sample value.
func constantFrames(n int, v int16) []audio.Frame {
	fs := make([]audio.Frame, n)
	for i := range fs {
		fs[i].Rate = audio.Narrowband
		for j := range fs[i].Samples() {
			fs[i].PCM[j] = v
		}
	}
	return fs
}

// An announcement plays over the room, the room 6 dB down, for as many
// frames as it has; then the phone hears the room alone again, and a
// second announcement plays from its start.
func TestAnAnnouncementPlaysOverTheRoomThenTheRoomAlone(t *testing.T) {
	ph := newPhone(t)
	s := newSession(t, Config{Remote: ph.addr()})
	room := constantFrames(1, 800)[0]
	heard := func() int16 {
		t.Helper()
		s.WriteFrame(&room)
		var f audio.Frame
		g711.DecodeUlaw(f.Samples(), ph.recv().Payload)
		return f.PCM[0]
	}
	near := func(got, want int16) bool { return got > want-want/16 && got < want+want/16 }

	s.Announce(constantFrames(2, 3000))
	for i := range 2 {
		if got := heard(); !near(got, 400+3000) {
			t.Fatalf("frame %d of the announcement: the phone hears %d, want about 3400", i, got)
		}
	}
	if got := heard(); !near(got, 800) {
		t.Fatalf("after the announcement the phone hears %d, want the room's 800", got)
	}
	s.Announce(constantFrames(1, 2000))
	if got := heard(); !near(got, 2400) {
		t.Fatalf("a second announcement: %d, want about 2400", got)
	}
	if got := heard(); !near(got, 800) {
		t.Fatalf("after the second: %d, want 800", got)
	}
}
