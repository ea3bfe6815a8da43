package client

import (
	"context"
	"net/http"
	"net/url"

	"github.com/confgw/confgw/conference"
	"github.com/confgw/confgw/http/wire"
)

// AddParticipant adds an app participant to the main room.
func (c *Client) AddParticipant(ctx context.Context, cid string, p wire.NewParticipant) (wire.Joined, []byte, error) {
	return call[wire.Joined](ctx, c, http.MethodPost, confPath(cid, "participants"), p)
}

// Participants lists the participants in the order they joined.
func (c *Client) Participants(ctx context.Context, cid string) ([]conference.Participant, []byte, error) {
	b, raw, err := call[wire.Participants](ctx, c, http.MethodGet, confPath(cid, "participants"), nil)
	return b.Participants, raw, err
}

// Participant returns one participant.
func (c *Client) Participant(ctx context.Context, cid, pid string) (conference.Participant, []byte, error) {
	return call[conference.Participant](ctx, c, http.MethodGet, confPath(cid, "participants", pid), nil)
}

// RemoveParticipant takes a participant out of the conference (a phone
// participant is hung up); a participant may remove itself.
func (c *Client) RemoveParticipant(ctx context.Context, cid, pid string) error {
	_, err := c.do(ctx, http.MethodDelete, confPath(cid, "participants", pid), nil, nil)
	return err
}

// RemoveAndBan removes a participant and bans it: a phone's number is
// refused until LiftBan, an app participant's token at once. reason may
// be empty.
func (c *Client) RemoveAndBan(ctx context.Context, cid, pid, reason string) error {
	q := url.Values{wire.BanQuery: {"true"}}
	if reason != "" {
		q.Set(wire.BanReasonQuery, reason)
	}
	_, err := c.do(ctx, http.MethodDelete, confPath(cid, "participants", pid)+"?"+q.Encode(), nil, nil)
	return err
}

// Move sends a participant to a room: "main" or a breakout room number.
func (c *Client) Move(ctx context.Context, cid, pid, room string) (conference.Participant, []byte, error) {
	return call[conference.Participant](ctx, c, http.MethodPost, confPath(cid, "participants", pid, "move"), wire.Move{Room: room})
}

// HangUp ends a phone participant's call.
func (c *Client) HangUp(ctx context.Context, cid, pid string) error {
	_, err := c.do(ctx, http.MethodPost, confPath(cid, "participants", pid, "hangup"), nil, nil)
	return err
}

// Mute stops a participant's room hearing it; with lock (hosts only) it
// cannot unmute itself.
func (c *Client) Mute(ctx context.Context, cid, pid string, lock bool) (conference.Participant, []byte, error) {
	return call[conference.Participant](ctx, c, http.MethodPost, confPath(cid, "participants", pid, "mute"), wire.Mute{Lock: lock})
}

// Unmute lets a participant's room hear it again.
func (c *Client) Unmute(ctx context.Context, cid, pid string) (conference.Participant, []byte, error) {
	return call[conference.Participant](ctx, c, http.MethodPost, confPath(cid, "participants", pid, "unmute"), nil)
}

// MuteRoom mutes everyone in a room but its hosts.
func (c *Client) MuteRoom(ctx context.Context, cid, room string, lock bool) (wire.Participants, []byte, error) {
	return call[wire.Participants](ctx, c, http.MethodPost, confPath(cid, "rooms", room, "mute"), wire.Mute{Lock: lock})
}

// HangUpAndBan ends a phone participant's call and bans its number until
// LiftBan; reason may be empty.
func (c *Client) HangUpAndBan(ctx context.Context, cid, pid, reason string) error {
	_, err := c.do(ctx, http.MethodPost, confPath(cid, "participants", pid, "hangup"), wire.HangUp{Ban: true, Reason: reason}, nil)
	return err
}

// Bans lists the conference's bans, oldest first; hosts and the admin
// only.
func (c *Client) Bans(ctx context.Context, cid string) ([]conference.Ban, []byte, error) {
	b, raw, err := call[wire.Bans](ctx, c, http.MethodGet, confPath(cid, "bans"), nil)
	return b.Bans, raw, err
}

// LiftBan lifts a ban by its number, or an app participant's id.
func (c *Client) LiftBan(ctx context.Context, cid, number string) error {
	_, err := c.do(ctx, http.MethodDelete, confPath(cid, "bans", number), nil, nil)
	return err
}

// SetHost makes a participant a host, or a plain participant again.
func (c *Client) SetHost(ctx context.Context, cid, pid string, host bool) (conference.Participant, []byte, error) {
	method := http.MethodPost
	if !host {
		method = http.MethodDelete
	}
	return call[conference.Participant](ctx, c, method, confPath(cid, "participants", pid, "host"), nil)
}

// SetHand raises a participant's hand, which only its own token may do, or
// lowers it: its own, or anyone's with a host's token or the admin key.
func (c *Client) SetHand(ctx context.Context, cid, pid string, raised bool) (conference.Participant, []byte, error) {
	method := http.MethodPost
	if !raised {
		method = http.MethodDelete
	}
	return call[conference.Participant](ctx, c, method, confPath(cid, "participants", pid, "hand"), nil)
}

// SetHelp asks for a host, which only the participant's own token may do,
// or clears the request: a host's token or the admin key clears anyone's.
func (c *Client) SetHelp(ctx context.Context, cid, pid string, asked bool) (conference.Participant, []byte, error) {
	method := http.MethodPost
	if !asked {
		method = http.MethodDelete
	}
	return call[conference.Participant](ctx, c, method, confPath(cid, "participants", pid, "help"), nil)
}
