package conference

import "time"

// Prompts a phone caller hears when it uses its keypad, or a host answers
// what it asked for.
const (
	// PromptMuteLocked answers a caller that keys its own unmute while a
	// host holds its mute locked.
	PromptMuteLocked    Prompt = "mute_locked"
	PromptHandRaised    Prompt = "hand_raised"
	PromptHandLowered   Prompt = "hand_lowered"
	PromptHelpRequested Prompt = "help_requested"
)

// Reasons of participant.hand and participant.help events.
const (
	HandRaised  = "raised"
	HandLowered = "lowered"
	HelpAsked   = "asked"
	HelpCleared = "cleared"
)

// RaiseHand raises a participant's hand, which only the participant itself
// may do (CodeSelfOnly): a hand is what its owner wants to say. Raising a
// raised hand changes nothing and tells no one.
func (c *Conference) RaiseHand(a Actor, id string) (Participant, error) {
	return c.flagChange(a, id, false, func(m *member) (string, Prompt) {
		if m.Hand {
			return "", ""
		}
		at := c.now().UTC()
		m.Hand, m.HandRaisedAt = true, &at
		return HandRaised, PromptHandRaised
	}, EventParticipantHand)
}

// LowerHand lowers a participant's hand: its own, or anyone's for a host
// or the admin, as when the host has given it the floor.
func (c *Conference) LowerHand(a Actor, id string) (Participant, error) {
	return c.flagChange(a, id, true, func(m *member) (string, Prompt) {
		if !m.Hand {
			return "", ""
		}
		m.Hand, m.HandRaisedAt = false, nil
		return HandLowered, PromptHandLowered
	}, EventParticipantHand)
}

// AskHelp marks a participant as needing a host, which only the
// participant itself may ask (CodeSelfOnly). The mark stays until a host
// clears it, so a host who looks away does not miss it.
func (c *Conference) AskHelp(a Actor, id string) (Participant, error) {
	return c.flagChange(a, id, false, func(m *member) (string, Prompt) {
		if m.Help {
			// Asked again: the caller is told again that a host knows,
			// though no one else is told anything new.
			return "", PromptHelpRequested
		}
		m.Help = true
		return HelpAsked, PromptHelpRequested
	}, EventParticipantHelp)
}

// ClearHelp takes a participant's "needs help" mark away: a host or the
// admin does once helped, or the participant itself withdraws it.
func (c *Conference) ClearHelp(a Actor, id string) (Participant, error) {
	return c.flagChange(a, id, true, func(m *member) (string, Prompt) {
		if !m.Help {
			return "", ""
		}
		m.Help = false
		return HelpCleared, ""
	}, EventParticipantHelp)
}

// flagChange runs set on the participant id as one change of the
// conference: set returns the reason of the event to publish ("" for
// none) and what to tell a phone caller ("" for nothing), which it is told
// once the change is saved and the lock released, as Prompter requires.
// Only the participant itself acts on its own flags unless hostToo, when a
// host or the admin may act on anyone's.
func (c *Conference) flagChange(a Actor, id string, hostToo bool, set func(*member) (string, Prompt), typ string) (Participant, error) {
	var p Participant
	var leg Leg
	var say Prompt
	c.mu.Lock()
	err := c.change(true, func() error {
		m, err := c.flagTargetLocked(a, id, hostToo)
		if err != nil {
			return err
		}
		reason, pr := set(m)
		p = m.snapshot()
		if reason != "" {
			c.publish(Event{Type: typ, Participant: &p, Reason: reason})
		}
		leg, say = m.leg, pr
		return nil
	})
	c.mu.Unlock()
	if err != nil {
		return Participant{}, err
	}
	if pr, ok := leg.(Prompter); ok && say != "" {
		pr.Prompt(say)
	}
	return p, nil
}

// flagTargetLocked finds whose hand or help mark an actor acts on: its
// own, or with hostToo anyone's when the actor is a host or the admin.
func (c *Conference) flagTargetLocked(a Actor, id string, hostToo bool) (*member, error) {
	if c.ended {
		return nil, ErrEnded
	}
	if !a.Admin {
		if _, ok := c.members[a.ParticipantID]; !ok {
			return nil, errorf(CodeUnauthorized, "participant %q is no longer in conference %q", a.ParticipantID, c.id)
		}
	}
	self := !a.Admin && a.ParticipantID == id
	if !self {
		if !hostToo {
			if _, err := c.memberLocked(id); err != nil {
				return nil, err
			}
			return nil, errorf(CodeSelfOnly, "only participant %q itself can do this", id)
		}
		if !c.hostOrAdminLocked(a) {
			return nil, ErrHostRequired
		}
	}
	return c.memberLocked(id)
}

// handTime is a raised hand's time as its journal keeps it: zero when the
// hand is down.
func handTime(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}
