package conference

// Prompt is something a phone caller is told, by a Leg that is a Prompter.
type Prompt string

// Prompts a phone caller hears when its microphone changes.
const (
	PromptMuted   Prompt = "muted"
	PromptUnmuted Prompt = "unmuted"
)

// Prompter is a Leg that can tell its caller what happened to it: a phone
// has no screen to show that a host muted it. Prompt must return at once
// and must not call back into the conference before returning.
type Prompter interface {
	Prompt(p Prompt)
}

// AdminMuter is what MutedBy says when the admin key muted a participant.
const AdminMuter = "admin"

// Mute stops a participant's room from hearing it, from the room's next
// tick; it still hears the room, and keeps the mute when moved. Hosts and
// the admin mute anyone, and with lock the participant cannot unmute
// itself; a participant may mute itself, never locked.
func (c *Conference) Mute(a Actor, id string, lock bool) (Participant, error) {
	var p Participant
	err := c.muteChange(func() ([]*member, error) {
		m, err := c.muteTargetLocked(a, id, lock)
		if err != nil {
			return nil, err
		}
		changed := c.setMutedLocked(m, true, muter(a), lock)
		p = m.snapshot()
		return told(changed, m), nil
	}, PromptMuted)
	return p, err
}

// Unmute lets a participant's room hear it again. Hosts and the admin
// unmute anyone; a participant unmutes itself unless a host locked its
// mute (CodeMuteLocked).
func (c *Conference) Unmute(a Actor, id string) (Participant, error) {
	var p Participant
	err := c.muteChange(func() ([]*member, error) {
		m, err := c.muteTargetLocked(a, id, false)
		if err != nil {
			return nil, err
		}
		if m.Locked && !c.hostOrAdminLocked(a) {
			return nil, errorf(CodeMuteLocked, "a host muted %s and locked it", m.Name)
		}
		changed := c.setMutedLocked(m, false, "", false)
		p = m.snapshot()
		return told(changed, m), nil
	}, PromptUnmuted)
	return p, err
}

// MuteRoom mutes everyone in a room but its hosts, as Mute by a host
// does, and returns whom it covers.
func (c *Conference) MuteRoom(a Actor, roomID string, lock bool) ([]Participant, error) {
	out := []Participant{}
	err := c.muteChange(func() ([]*member, error) {
		if _, err := c.authorize(a); err != nil {
			return nil, err
		}
		if _, err := c.roomLocked(roomID); err != nil {
			return nil, err
		}
		var muted []*member
		for _, m := range c.membersLocked(roomID) {
			if m.isHost() {
				continue
			}
			if c.setMutedLocked(m, true, muter(a), lock) {
				muted = append(muted, m)
			}
			out = append(out, m.snapshot())
		}
		return muted, nil
	}, PromptMuted)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// muteChange runs fn as one change of the conference and, once it is
// saved and the conference's lock released, tells the phone callers whose
// mute fn changed, as Prompter requires.
func (c *Conference) muteChange(fn func() ([]*member, error), p Prompt) error {
	var legs []Leg
	c.mu.Lock()
	err := c.change(true, func() error {
		ms, err := fn()
		for _, m := range ms {
			if m.leg != nil {
				legs = append(legs, m.leg)
			}
		}
		return err
	})
	c.mu.Unlock()
	if err != nil {
		return err
	}
	for _, l := range legs {
		if pr, ok := l.(Prompter); ok {
			pr.Prompt(p)
		}
	}
	return nil
}

func told(changed bool, m *member) []*member {
	if changed {
		return []*member{m}
	}
	return nil
}

// muteTargetLocked finds whom a mute or unmute acts on: hosts and the
// admin act on anyone, a participant on itself; only hosts lock.
func (c *Conference) muteTargetLocked(a Actor, id string, lock bool) (*member, error) {
	if lock && !c.hostOrAdminLocked(a) {
		return nil, errorf(CodeHostRequired, "only a host can lock a mute")
	}
	return c.targetLocked(a, id, true)
}

func (c *Conference) hostOrAdminLocked(a Actor) bool {
	if a.Admin {
		return true
	}
	m, ok := c.members[a.ParticipantID]
	return ok && m.isHost()
}

// setMutedLocked records a member's mute, tells its room's mixer and
// everyone, and reports whether the member's audio changed.
func (c *Conference) setMutedLocked(m *member, muted bool, by string, lock bool) bool {
	changed := m.Muted != muted
	if !changed && (!muted || (m.MutedBy == by && m.Locked == lock)) {
		return false
	}
	m.Muted, m.MutedBy, m.Locked = muted, by, lock
	if r, ok := c.rooms[m.Room]; ok && m.media != nil {
		id := m.ID
		c.later(func() {
			if r.media != nil {
				r.media.SetMuted(id, muted)
			}
		})
	}
	p := m.snapshot()
	typ := EventParticipantMuted
	if !muted {
		typ = EventParticipantUnmuted
	}
	c.publish(Event{Type: typ, Participant: &p})
	return changed
}

func muter(a Actor) string {
	if a.Admin {
		return AdminMuter
	}
	return a.ParticipantID
}
