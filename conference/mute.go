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
	c.mu.Lock()
	m, err := c.muteTargetLocked(a, id, lock)
	if err != nil {
		c.mu.Unlock()
		return Participant{}, err
	}
	changed := c.setMutedLocked(m, true, muter(a), lock)
	p := m.snapshot()
	c.mu.Unlock()
	if changed {
		prompt(m, PromptMuted)
	}
	return p, nil
}

// Unmute lets a participant's room hear it again. Hosts and the admin
// unmute anyone; a participant unmutes itself unless a host locked its
// mute (CodeMuteLocked).
func (c *Conference) Unmute(a Actor, id string) (Participant, error) {
	c.mu.Lock()
	m, err := c.muteTargetLocked(a, id, false)
	if err == nil && m.Locked && !c.hostOrAdminLocked(a) {
		err = errorf(CodeMuteLocked, "a host muted %s and locked it", m.Name)
	}
	if err != nil {
		c.mu.Unlock()
		return Participant{}, err
	}
	changed := c.setMutedLocked(m, false, "", false)
	p := m.snapshot()
	c.mu.Unlock()
	if changed {
		prompt(m, PromptUnmuted)
	}
	return p, nil
}

// MuteRoom mutes everyone in a room but its hosts, as Mute by a host
// does, and returns who it muted.
func (c *Conference) MuteRoom(a Actor, roomID string, lock bool) ([]Participant, error) {
	c.mu.Lock()
	if _, err := c.authorize(a); err != nil {
		c.mu.Unlock()
		return nil, err
	}
	if _, err := c.roomLocked(roomID); err != nil {
		c.mu.Unlock()
		return nil, err
	}
	var muted []*member
	out := []Participant{}
	for _, m := range c.membersLocked(roomID) {
		if m.isHost() {
			continue
		}
		if c.setMutedLocked(m, true, muter(a), lock) {
			muted = append(muted, m)
		}
		out = append(out, m.snapshot())
	}
	c.mu.Unlock()
	for _, m := range muted {
		prompt(m, PromptMuted)
	}
	return out, nil
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
	if r, ok := c.rooms[m.Room]; ok && r.media != nil {
		r.media.SetMuted(m.ID, muted)
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

// prompt tells a phone caller, outside the conference's lock as Prompter
// requires.
func prompt(m *member, p Prompt) {
	if pr, ok := m.leg.(Prompter); ok {
		pr.Prompt(p)
	}
}
