package conference

import "github.com/confgw/confgw/mixer"

// speakingSource is a RoomMedia that tells who starts and stops speaking,
// as mixer.Running does.
type speakingSource interface {
	OnSpeaking(report func(mixer.Speaking) bool)
}

// speakingChange is a room's mixer's word that a participant started or
// stopped speaking there.
type speakingChange struct {
	room string
	mixer.Speaking
}

// speakingBuffer is how many changes wait for the relay: the mixers offer
// a change again at their next tick when it is full, so it only needs to
// ride out the conference's lock being held for a store write.
const speakingBuffer = 256

// watchSpeaking has r's mixer hand who speaks to the conference's relay.
// The tick must never wait on the conference's lock, which a store write
// may hold for milliseconds, so the mixer's callback only offers the
// change to a channel and a goroutine of the conference's own publishes
// it.
func (c *Conference) watchSpeaking(r *room) {
	src, ok := r.media.(speakingSource)
	if !ok {
		return
	}
	c.speakingOnce.Do(func() {
		c.speaking = make(chan speakingChange, speakingBuffer)
		go c.relaySpeaking(c.speaking)
	})
	ch, roomID := c.speaking, r.id
	src.OnSpeaking(func(s mixer.Speaking) bool {
		select {
		case ch <- speakingChange{room: roomID, Speaking: s}:
			return true
		default:
			return false
		}
	})
}

// relaySpeaking publishes the mixers' speaking changes until the
// conference ends.
func (c *Conference) relaySpeaking(ch <-chan speakingChange) {
	for {
		select {
		case s := <-ch:
			c.speakingChanged(s)
		case <-c.done:
			return
		}
	}
}

func (c *Conference) speakingChanged(s speakingChange) {
	c.mu.Lock()
	defer c.mu.Unlock()
	m, ok := c.members[s.ID]
	// A change from a room the participant has left, or from before its
	// media was last attached (a move out and back, new media), is stale:
	// leaving already said it stopped.
	if !ok || m.Room != s.room || s.At.Before(m.attachedAt) || m.Speaking == s.Speaking.Speaking || c.ended {
		return
	}
	m.Speaking = s.Speaking.Speaking
	p := m.snapshot()
	level := s.Level
	c.publish(Event{Type: EventParticipantSpeaking, Participant: &p, Level: &level})
}

// stopSpeakingLocked says a participant leaving its room's mixer no
// longer speaks there.
func (c *Conference) stopSpeakingLocked(m *member) {
	if !m.Speaking {
		return
	}
	m.Speaking = false
	p := m.snapshot()
	c.publish(Event{Type: EventParticipantSpeaking, Participant: &p})
}
