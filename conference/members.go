package conference

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/confgw/confgw/mixer"
)

// AppSpec describes an app participant to add.
type AppSpec struct {
	Name          string
	Role          Role
	ClientVersion string
}

// PhoneSpec describes a phone leg joining the main room.
type PhoneSpec struct {
	Name      string
	Number    string
	Direction Direction
	State     PhoneState
	Codec     string
	Leg       Leg
	// Media is the leg's audio; it may be nil until the call is answered.
	Media mixer.Endpoint
}

const maxNameLen = 100

func checkName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > maxNameLen || strings.ContainsAny(name, "\r\n\x00") {
		return "", errorf(CodeInvalid, "name must be 1 to %d characters on one line", maxNameLen)
	}
	return name, nil
}

// AddApp adds an app participant to the main room.
func (c *Conference) AddApp(a Actor, spec AppSpec) (Participant, error) {
	name, err := checkName(spec.Name)
	if err != nil {
		return Participant{}, err
	}
	switch spec.Role {
	case "":
		spec.Role = RoleParticipant
	case RoleHost, RoleParticipant:
	default:
		return Participant{}, errorf(CodeInvalid, "role must be %q or %q", RoleHost, RoleParticipant)
	}
	if spec.ClientVersion == "" {
		return Participant{}, errorf(CodeInvalid, "client_version is required for app participants")
	}
	v, err := ParseVersion(spec.ClientVersion)
	if err != nil {
		return Participant{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var p Participant
	err = c.change(true, func() error {
		if _, err := c.authorize(a); err != nil {
			return err
		}
		m := &member{
			Participant: Participant{ID: newID("p-"), Name: name, Kind: KindApp, Role: spec.Role, ClientVersion: v.String()},
			version:     v,
		}
		p = c.joinLocked(m)
		return nil
	})
	return p, err
}

// printable keeps what a caller's SIP headers say fit to show: no control
// characters (terminal escapes in a CLI table), at most max runes.
func printable(s string, max int) string {
	var b strings.Builder
	n := 0
	for _, r := range s {
		if unicode.IsControl(r) || r == utf8.RuneError {
			continue
		}
		if n == max {
			break
		}
		b.WriteRune(r)
		n++
	}
	return strings.TrimSpace(b.String())
}

// AddPhone adds a phone leg to the main room; the gateway calls it once the
// caller is through (or, for dial-out, as soon as the call is placed).
func (c *Conference) AddPhone(spec PhoneSpec) (Participant, error) {
	spec.Number = printable(spec.Number, maxNameLen)
	name := printable(spec.Name, maxNameLen)
	if name == "" {
		name = spec.Number
	}
	if name == "" {
		name = "Phone"
	}
	if spec.State == "" {
		spec.State = PhoneConnected
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ended {
		return Participant{}, ErrEnded
	}
	if b, ok := c.bans[spec.Number]; ok && spec.Number != "" && b.Number != "" {
		return Participant{}, errorf(CodeBanned, "%s is banned from conference %q", spec.Number, c.id)
	}
	m := &member{
		Participant: Participant{
			ID: newID("p-"), Name: name, Kind: KindPhone, Role: RoleParticipant,
			Phone: &Phone{Number: spec.Number, Direction: spec.Direction, State: spec.State, Codec: spec.Codec},
		},
		leg:   spec.Leg,
		media: spec.Media,
	}
	// The caller is through already: a journal failing cannot turn it away.
	var p Participant
	_ = c.change(false, func() error {
		p = c.joinLocked(m)
		return nil
	})
	return p, nil
}

func (c *Conference) joinLocked(m *member) Participant {
	c.nextSeq++
	m.seq = c.nextSeq
	m.Room = MainRoomID
	m.JoinedAt = c.now()
	c.members[m.ID] = m
	c.attachLocked(m, c.rooms[MainRoomID])
	p := m.snapshot()
	c.publish(Event{Type: EventParticipantJoined, Participant: &p, Room: ref(c.rooms[MainRoomID])})
	c.settle()
	return m.snapshot()
}

// attachLocked wires a member's media to a room's mixer. A mixer refusing
// it leaves the member silent there rather than undoing a legal move. The
// room's mixer is read when the wiring is done, as a room added in the
// same change gets its mixer only then.
func (c *Conference) attachLocked(m *member, r *room) {
	id, media, muted := m.ID, m.media, m.Muted
	if media == nil {
		return
	}
	c.later(func() {
		if r.media != nil {
			m.attachedAt = time.Now()
			if muted {
				// Before Attach, so that no tick hears it.
				r.media.SetMuted(id, true)
			}
			_ = r.media.Attach(id, media)
		}
	})
}

func (c *Conference) detachLocked(m *member) {
	r, ok := c.rooms[m.Room]
	if !ok || m.media == nil {
		return
	}
	c.stopSpeakingLocked(m)
	id := m.ID
	c.later(func() {
		if r.media != nil {
			r.media.Detach(id)
		}
	})
}

// Remove takes a participant out of the conference: itself, or anyone when
// the actor is a host or the admin. A phone participant's call is hung up.
func (c *Conference) Remove(a Actor, id string) error {
	reason := ReasonRemovedByHost
	if !a.Admin && a.ParticipantID == id {
		reason = ReasonLeft
	}
	return c.evict(a, id, reason, true, nil, nil)
}

// RemoveAndBan removes a participant as a host does with Remove, and bans
// it (see Ban): a phone's number, or an app participant's id. Only hosts
// and the admin ban, themselves included.
func (c *Conference) RemoveAndBan(a Actor, id string, spec BanSpec) error {
	return c.evict(a, id, ReasonBannedByHost, false, nil, &spec)
}

// HangUp ends a phone participant's call and removes it.
func (c *Conference) HangUp(a Actor, id string) error {
	return c.evict(a, id, ReasonHungUpByHost, false, phoneOnly(id), nil)
}

// HangUpAndBan ends a phone participant's call as HangUp does and bans its
// number: its dial-ins are refused until the ban is lifted, and its other
// calls into the conference, if any, are hung up too.
func (c *Conference) HangUpAndBan(a Actor, id string, spec BanSpec) error {
	return c.evict(a, id, ReasonBannedByHost, false, phoneOnly(id), &spec)
}

func phoneOnly(id string) func(*member) error {
	return func(m *member) error {
		if m.Kind != KindPhone {
			return errorf(CodeNotPhone, "participant %q is not a phone participant: remove it instead", id)
		}
		return nil
	}
}

// evict removes a member under the lock, with a ban when ban is set, and
// hangs its leg up after releasing the lock, as Leg requires.
func (c *Conference) evict(a Actor, id, reason string, selfAllowed bool, check func(*member) error, ban *BanSpec) error {
	c.mu.Lock()
	var gone []*member
	err := c.change(true, func() error {
		m, err := c.targetLocked(a, id, selfAllowed)
		if err == nil && check != nil {
			err = check(m)
		}
		if err != nil {
			return err
		}
		gone = []*member{m}
		if ban != nil {
			others, err := c.banLocked(a, m, *ban)
			if err != nil {
				return err
			}
			gone = append(gone, others...)
		}
		for _, m := range gone {
			c.removeLocked(m, reason)
		}
		return nil
	})
	c.mu.Unlock()
	if err != nil {
		return err
	}
	for _, m := range gone {
		if m.leg != nil {
			m.leg.HangUp(reason)
		}
	}
	return nil
}

// targetLocked finds the member an actor acts on once the actor may: hosts
// and the admin act on anyone, a participant on itself where selfAllowed.
func (c *Conference) targetLocked(a Actor, id string, selfAllowed bool) (*member, error) {
	if selfAllowed && !a.Admin && a.ParticipantID == id {
		if c.ended {
			return nil, ErrEnded
		}
	} else if _, err := c.authorize(a); err != nil {
		return nil, err
	}
	return c.memberLocked(id)
}

// Leave removes a participant whose connection ended on its own side (the
// caller hung up, RTP timed out, the PIN failed). Nothing is hung up: the
// caller of Leave already knows the call is over. It reports whether the
// participant was still there.
func (c *Conference) Leave(id, reason string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	m, ok := c.members[id]
	if !ok {
		return false
	}
	// The connection is gone whatever the journal says.
	_ = c.change(false, func() error {
		c.removeLocked(m, reason)
		return nil
	})
	return true
}

// PhoneFailed removes a dial-out leg that never connected, telling
// subscribers the SIP status it ended with.
func (c *Conference) PhoneFailed(id string, status int, reason string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	m, ok := c.members[id]
	if !ok {
		return
	}
	_ = c.change(false, func() error {
		p := m.snapshot()
		c.publish(Event{Type: EventPhoneFailed, Participant: &p, Status: status, Reason: reason})
		c.removeLocked(m, ReasonCallFailed)
		return nil
	})
}

func (c *Conference) removeLocked(m *member, reason string) {
	if m.audio != nil {
		c.endAudioLocked(m, AudioEndLeft)
	}
	c.detachLocked(m)
	delete(c.members, m.ID)
	p := m.snapshot()
	c.publish(Event{Type: EventParticipantLeft, Participant: &p, Room: ref(c.rooms[m.Room]), Reason: reason})
	c.settle()
}

// PhoneConnected marks a phone leg answered, with its codec and media, which
// is attached to the main-room mixer from now on.
func (c *Conference) PhoneConnected(id, codec string, media mixer.Endpoint) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	m, err := c.memberLocked(id)
	if err != nil {
		return err
	}
	if m.Kind != KindPhone {
		return errorf(CodeNotPhone, "participant %q is not a phone participant", id)
	}
	m.Phone.State = PhoneConnected
	m.Phone.Codec = codec
	c.detachLocked(m)
	m.media = media
	c.attachLocked(m, c.rooms[m.Room])
	p := m.snapshot()
	c.publish(Event{Type: EventParticipantUpdated, Participant: &p})
	return nil
}

// PhoneQuality records a phone leg's latest quality figures. Figures come
// every few seconds per leg, so they are stored without an event; change,
// QualityPoor or QualityRecovered, publishes participant.quality as well.
// An unknown or departed participant is ignored: reports may outlive the
// leg by a moment.
func (c *Conference) PhoneQuality(id string, q PhoneQuality, change string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	m, ok := c.members[id]
	if !ok || m.Phone == nil {
		return
	}
	m.Phone.Quality = &q
	if change != "" {
		p := m.snapshot()
		c.publish(Event{Type: EventParticipantQuality, Participant: &p, Reason: change})
	}
}

// SetHost makes a participant a host or takes the role away. Authorization
// follows the live role, so the change counts from the next request on.
func (c *Conference) SetHost(a Actor, id string, host bool) (Participant, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var p Participant
	err := c.change(true, func() error {
		m, err := c.targetLocked(a, id, false)
		if err != nil {
			return err
		}
		if m.Kind == KindPhone {
			return errorf(CodePhoneCannotHost, "participant %q is on the phone and cannot be a host", id)
		}
		role := RoleParticipant
		if host {
			role = RoleHost
		}
		if m.Role != role {
			m.Role = role
			p := m.snapshot()
			c.publish(Event{Type: EventParticipantUpdated, Participant: &p})
		}
		p = m.snapshot()
		return nil
	})
	return p, err
}
