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
	// Quality is what the leg's RTCP says of the call, nil until its first
	// report interval has passed. It is replaced whole, never changed, so
	// snapshots may share it.
	Quality *PhoneQuality `json:"quality"`
}

// PhoneQuality is a phone leg's call quality from its RTCP reports, both
// ways: loss and jitter of the phone's audio as the gateway measured it,
// what the phone's reports said of ours, and an E-model MOS estimate.
type PhoneQuality struct {
	// PacketsIn counts RTP packets received from the phone; PacketsLost
	// those of its stream that never came (RFC 3550; negative when
	// duplicates outnumber losses).
	PacketsIn   uint64 `json:"packets_in"`
	PacketsLost int64  `json:"packets_lost"`
	// LossPct is the loss of the phone's audio over the last interval.
	LossPct float64 `json:"loss_pct"`
	// RemoteLossPct is the loss of our audio the phone last reported; nil
	// until it reports.
	RemoteLossPct *float64 `json:"remote_loss_pct"`
	// JitterMs is the interarrival jitter of the phone's audio.
	JitterMs float64 `json:"jitter_ms"`
	// RTTMs is the round-trip time from the phone's reports, nil until one
	// answers a sender report of ours.
	RTTMs *float64 `json:"rtt_ms"`
	// MOS is the estimated mean opinion score, 1 to 4.5 (ITU-T G.107).
	MOS float64 `json:"mos"`
	// Poor says the loss either way has stayed past the alarm threshold
	// long enough to raise participant.quality.
	Poor bool `json:"poor"`
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
	Muted   bool   `json:"muted"`
	MutedBy string `json:"muted_by,omitempty"`
	Locked  bool   `json:"locked"`
	// Hand says the participant has its hand raised, since HandRaisedAt;
	// Help that it asked for a host, until a host clears it.
	Hand         bool       `json:"hand"`
	HandRaisedAt *time.Time `json:"hand_raised_at,omitempty"`
	Help         bool       `json:"help"`
	// Speaking says its room hears it speak now (participant.speaking
	// tells when that changes).
	Speaking bool      `json:"speaking"`
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
	// attachedAt is when media was last put in a room's mixer: speaking
	// changes noticed before it are of an earlier attachment.
	attachedAt time.Time
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
