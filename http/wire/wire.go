// Package wire is the JSON of the confgw API: every body the server reads
// or writes, in one place, so that the server, its Go client and the
// command line cannot drift apart. The resources the conference and
// recording packages already describe (conference.Info, Participant, Room,
// Recording, recording.Info) travel as they are; this package adds what
// only the API has: requests, the keys lists and wrapped answers sit
// under, tokens and the error body.
//
// It imports nothing of confgw but those two packages, so that a client
// depends on no part of the server.
package wire

import (
	"github.com/confgw/confgw/conference"
	"github.com/confgw/confgw/recording"
)

// NewConference is the body of POST /v1/conferences. Empty fields take the
// server's defaults: a generated id, the id as dial-in, no PIN.
type NewConference struct {
	ID     string `json:"id,omitempty"`
	Title  string `json:"title"`
	DialIn string `json:"dial_in,omitempty"`
	PIN    string `json:"pin,omitempty"`
	// BreakoutEnabled nil leaves breakout rooms at the server's default.
	BreakoutEnabled *bool `json:"breakout_enabled,omitempty"`
	// Keypad nil makes phone callers' keys commands (*6, *1, *0).
	Keypad *bool `json:"keypad,omitempty"`
}

// Paging of GET /v1/conferences: ?limit= conferences a page, ?after= the
// id the previous page ended on.
const (
	ConferencePageDefault = 50
	ConferencePageMax     = 500
)

// ConferencePage answers GET /v1/conferences: conferences in id order and
// Next, the ?after= of the following page, or "" on the last.
type ConferencePage struct {
	Conferences []conference.Info `json:"conferences"`
	Next        string            `json:"next"`
}

// ConferenceChange is the body of PATCH /v1/conferences/{cid}; the server
// refuses one that changes nothing.
type ConferenceChange struct {
	BreakoutEnabled *bool `json:"breakout_enabled,omitempty"`
	Keypad          *bool `json:"keypad,omitempty"`
}

// DialOut is the body of POST /v1/conferences/{cid}/dial-out.
type DialOut struct {
	// To is a phone number or SIP user.
	To string `json:"to"`
}

// Dialed answers a dial-out with the participant, still ringing.
type Dialed struct {
	Participant conference.Participant `json:"participant"`
}

// NewParticipant is the body of POST /v1/conferences/{cid}/participants.
type NewParticipant struct {
	Name string          `json:"name"`
	Role conference.Role `json:"role,omitempty"`
	// ClientVersion decides whether the participant can be moved between rooms.
	ClientVersion string `json:"client_version"`
}

// Joined answers an added participant with the token it acts with.
type Joined struct {
	Participant conference.Participant `json:"participant"`
	Token       string                 `json:"token"`
}

// TokenClaims is what a participant token says besides the standard JWT
// claims (the participant is its subject). The server signs and checks
// it; a client reads it unchecked only to spare its user typing the
// conference id the token already names.
type TokenClaims struct {
	Conference string `json:"conf"`
}

// Participants answers GET /v1/conferences/{cid}/participants, in the order
// they joined.
type Participants struct {
	Participants []conference.Participant `json:"participants"`
}

// Mute is the optional body of POST .../participants/{pid}/mute and
// .../rooms/{room}/mute: with Lock, a host's mute the participant cannot
// undo itself.
type Mute struct {
	Lock bool `json:"lock,omitempty"`
}

// HangUp is the optional body of POST .../participants/{pid}/hangup: with
// Ban, the caller's number is refused until DELETE .../bans/{number};
// Reason is told to hosts listing the bans.
type HangUp struct {
	Ban    bool   `json:"ban,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// BanQuery is the query parameter of DELETE .../participants/{pid} that
// removes the participant with a ban (?ban=true), and the one that says
// why (?reason=). A query rather than a body, as many clients send no
// body with a DELETE.
const (
	BanQuery       = "ban"
	BanReasonQuery = "reason"
)

// Bans answers GET /v1/conferences/{cid}/bans, oldest first.
type Bans struct {
	Bans []conference.Ban `json:"bans"`
}

// Move is the body of POST /v1/conferences/{cid}/participants/{pid}/move.
type Move struct {
	// Room is "main" or a breakout room number.
	Room string `json:"room"`
}

// Rooms answers GET /v1/conferences/{cid}/rooms, main room first.
type Rooms struct {
	Rooms []conference.Room `json:"rooms"`
}

// RecordingStarted answers POST /v1/conferences/{cid}/rooms/{room}/recording.
type RecordingStarted struct {
	Recording conference.Recording `json:"recording"`
}

// Recordings answers GET /v1/conferences/{cid}/recordings, oldest first.
type Recordings struct {
	Recordings []recording.Info `json:"recordings"`
}

// ErrorBody is every refusal's body, whatever its status.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail says what was refused: a code a program can act on and a
// message for a person.
type ErrorDetail struct {
	Code    conference.Code `json:"code"`
	Message string          `json:"message"`
}
