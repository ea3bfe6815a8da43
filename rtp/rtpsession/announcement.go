package rtpsession

import "github.com/confgw/confgw/audio"

// announcement is what the sender is playing over the room: frames shared
// with every leg that plays the same prompt, and how far it has got.
type announcement struct {
	playing *[]audio.Frame // as Announce stored it; nil when none
	next    int
}

// Announce plays frames to the phone over the room's audio, which is
// lowered while it plays, from the next tick on; it cuts off an
// announcement still playing. frames are narrowband, 20 ms each, and are
// only read: prompts share them between legs. It is how a caller, who has
// no screen, learns what a host did to its call.
func (s *Session) Announce(frames []audio.Frame) {
	s.announce.Store(&frames)
}

// overlay mixes the announcement's next frame into f, the room's frame at
// the phone's rate, with the room 6 dB down so the words stand out.
func (tx *sender) overlay(s *Session, f *audio.Frame) {
	a := s.announce.Load()
	if a == nil {
		return
	}
	if a != tx.ann.playing {
		tx.ann = announcement{playing: a}
	}
	if tx.ann.next >= len(*a) {
		s.announce.CompareAndSwap(a, nil)
		tx.ann = announcement{}
		return
	}
	words := (*a)[tx.ann.next].Samples()
	tx.ann.next++
	room := f.Samples()
	for i := range room {
		v := int32(room[i])/2 + int32(words[i])
		room[i] = int16(min(max(v, -32768), 32767))
	}
}
