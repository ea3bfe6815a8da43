package conference

import (
	"time"

	"github.com/confgw/confgw/mixer"
)

// Kind says how a participant is connected.
type Kind string

// Participant kinds.
const (
	KindApp   Kind = "app"
	KindPhone Kind = "phone"
)

// Role is what a participant may do in its conference.
type Role string

// Roles.
const (
	RoleHost        Role = "host"
	RoleParticipant Role = "participant"
)

// Direction says who placed a phone call.
type Direction string

// Call directions.
const (
	DialIn  Direction = "dial-in"
	DialOut Direction = "dial-out"
)

// PhoneState is where a phone leg's call stands.
type PhoneState string

// Phone leg states.
const (
	PhoneRinging   PhoneState = "ringing"
	PhoneConnected PhoneState = "connected"
)

// Phone describes a participant's phone leg.
type Phone struct {
	Number    string     `json:"number"`
	Direction Direction  `json:"direction"`
	State     PhoneState `json:"state"`
	Codec     string     `json:"codec,omitempty"`
}

// Participant is a snapshot of one participant, safe to keep and encode.
type Participant struct {
	ID            string `json:"id"`
	Name          string `json:"name"`
	Kind          Kind   `json:"kind"`
	Role          Role   `json:"role"`
	Moderator     bool   `json:"moderator"`
	Room          string `json:"room"`
	ClientVersion string `json:"client_version,omitempty"`
	Phone         *Phone `json:"phone,omitempty"`
	// Audio is an app participant's audio session, nil when it has none
	// (and always for phones, whose audio is their call).
	Audio *Audio `json:"audio"`
	// Muted says the participant's room does not hear it; MutedBy is who
	// muted it (a participant's id, its own for a self-mute, or "admin"),
	// and Locked that a host locked the mute, so it cannot unmute itself.
	Muted    bool      `json:"muted"`
	MutedBy  string    `json:"muted_by,omitempty"`
	Locked   bool      `json:"locked"`
	JoinedAt time.Time `json:"joined_at"`
}

// Leg is the signalling side of a phone participant: the conference asks it
// to end the call. HangUp must return at once (send BYE or CANCEL in the
// background) and must not call back into the conference before returning.
type Leg interface {
	HangUp(reason string)
}

// member is the conference's own record of a participant.
type member struct {
	Participant
	seq     uint64
	version Version
	leg     Leg
	media   mixer.Endpoint
	// audio is an app participant's session; media is the same session
	// once it is connected.
	audio AudioSession
}

func (m *member) snapshot() Participant {
	p := m.Participant
	if m.Phone != nil {
		ph := *m.Phone
		p.Phone = &ph
	}
	if m.Audio != nil {
		a := *m.Audio
		p.Audio = &a
	}
	return p
}

func (m *member) isHost() bool { return m.Role == RoleHost }
