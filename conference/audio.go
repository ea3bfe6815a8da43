package conference

import "github.com/confgw/confgw/mixer"

// AudioState is where an app participant's audio session stands.
type AudioState string

// Audio session states.
const (
	// AudioConnecting is a session answered but not yet through ICE and
	// DTLS: the participant is not heard yet.
	AudioConnecting AudioState = "connecting"
	// AudioConnected is a session whose audio is in its room's mixer.
	AudioConnected AudioState = "connected"
)

// Reasons an app participant's audio session ends, as participant.audio
// events give them.
const (
	AudioEndLeft       = "left"
	AudioEndICEFailed  = "ice_failed"
	AudioEndDTLSFailed = "dtls_failed"
	AudioEndTimedOut   = "timed_out"
	AudioEndReplaced   = "replaced"
)

// Audio describes an app participant's audio session.
type Audio struct {
	// Session names the session, as the media URL's last segment does.
	Session string     `json:"session"`
	State   AudioState `json:"state"`
	Codec   string     `json:"codec"`
}

// AudioSession is an app participant's audio connection as the conference
// drives it: its media, which the participant's room mixes while it is
// connected, and a way to end it.
type AudioSession interface {
	mixer.Endpoint
	// ID names the session uniquely within the server.
	ID() string
	// Codec is the negotiated codec's name, as SDP writes it.
	Codec() string
	// Close ends the session for reason. It runs under the conference's
	// lock, so it must return at once and must not call the conference.
	Close(reason string)
}

// StartAudio gives the acting participant the audio session s, replacing
// any session it had (a reloaded page): the old one is closed with reason
// AudioEndReplaced. The participant is heard once AudioConnected is called.
func (c *Conference) StartAudio(a Actor, s AudioSession) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	m, err := c.audioOwnerLocked(a)
	if err != nil {
		return err
	}
	if m.audio != nil {
		c.endAudioLocked(m, AudioEndReplaced)
	}
	m.audio = s
	m.Audio = &Audio{Session: s.ID(), State: AudioConnecting, Codec: s.Codec()}
	p := m.snapshot()
	c.publish(Event{Type: EventParticipantAudio, Participant: &p})
	return nil
}

// CheckAudio tells whether the actor may start an audio session here, so
// that a caller can refuse before it spends anything on the offer.
func (c *Conference) CheckAudio(a Actor) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, err := c.audioOwnerLocked(a)
	return err
}

// audioOwnerLocked finds the member whose own token asks for audio: app
// participants only, since phones bring their audio over SIP.
func (c *Conference) audioOwnerLocked(a Actor) (*member, error) {
	if c.ended {
		return nil, ErrEnded
	}
	if a.Admin {
		return nil, errorf(CodeAppOnly, "audio joins with a participant's own token, not the admin key")
	}
	m, ok := c.members[a.ParticipantID]
	if !ok {
		return nil, errorf(CodeUnauthorized, "participant %q is no longer in conference %q", a.ParticipantID, c.id)
	}
	if m.Kind != KindApp {
		return nil, errorf(CodeAppOnly, "participant %q is on the phone: its audio comes over SIP", m.ID)
	}
	return m, nil
}

// AudioConnected puts a session's audio in its participant's room mixer:
// from the next tick on the room hears the participant and it hears the
// room. A session that is no longer the participant's current one is
// refused with CodeNotFound, so a late report cannot revive it.
func (c *Conference) AudioConnected(participantID, sessionID string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	m, err := c.audioSessionLocked(participantID, sessionID)
	if err != nil {
		return err
	}
	if m.Audio.State == AudioConnected {
		return nil
	}
	m.Audio.State = AudioConnected
	m.media = m.audio
	c.attachLocked(m, c.rooms[m.Room])
	p := m.snapshot()
	c.publish(Event{Type: EventParticipantAudio, Participant: &p})
	return nil
}

// AudioEnded takes out a session that ended on its own side (ICE or DTLS
// failed, the peer went silent). It reports whether the session was still
// the participant's; a replaced or stopped session was already reported.
func (c *Conference) AudioEnded(participantID, sessionID, reason string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	m, err := c.audioSessionLocked(participantID, sessionID)
	if err != nil {
		return false
	}
	c.dropAudioLocked(m, reason)
	return true
}

// StopAudio ends a session at the request of its participant or a host
// (DELETE on the media URL): the participant's audio leaves its room.
func (c *Conference) StopAudio(a Actor, sessionID string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var owner *member
	for _, m := range c.members {
		if m.audio != nil && m.audio.ID() == sessionID {
			owner = m
			break
		}
	}
	if owner == nil {
		if c.ended {
			return ErrEnded
		}
		if _, ok := c.members[a.ParticipantID]; !a.Admin && !ok {
			return errorf(CodeUnauthorized, "participant %q is no longer in conference %q", a.ParticipantID, c.id)
		}
		return errorf(CodeNotFound, "no audio session %q in conference %q", sessionID, c.id)
	}
	if _, err := c.targetLocked(a, owner.ID, true); err != nil {
		return err
	}
	c.endAudioLocked(owner, AudioEndLeft)
	return nil
}

func (c *Conference) audioSessionLocked(participantID, sessionID string) (*member, error) {
	m, ok := c.members[participantID]
	if !ok || m.audio == nil || m.audio.ID() != sessionID {
		return nil, errorf(CodeNotFound, "no audio session %q for participant %q", sessionID, participantID)
	}
	return m, nil
}

// endAudioLocked closes a member's session from this side and reports it.
func (c *Conference) endAudioLocked(m *member, reason string) {
	s := m.audio
	c.dropAudioLocked(m, reason)
	c.later(func() { s.Close(reason) })
}

// dropAudioLocked takes a member's session out of its room and reports why.
func (c *Conference) dropAudioLocked(m *member, reason string) {
	session := m.audio.ID()
	c.detachLocked(m)
	m.media = nil
	m.audio = nil
	m.Audio = nil
	p := m.snapshot()
	c.publish(Event{Type: EventParticipantAudio, Participant: &p, Reason: reason, Session: session})
}
