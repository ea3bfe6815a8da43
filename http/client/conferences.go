package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/confgw/confgw/conference"
	"github.com/confgw/confgw/http/wire"
)

// CreateConference creates a conference; it needs the admin key.
func (c *Client) CreateConference(ctx context.Context, spec wire.NewConference) (conference.Info, []byte, error) {
	return call[conference.Info](ctx, c, http.MethodPost, "/v1/conferences", spec)
}

// Conferences returns one page of the server's conferences in id order; it
// needs the admin key. after is the Next of the page before ("" for the
// first); limit 0 takes the server's page size. Conferences created or
// ended between two calls neither repeat nor shift the others.
func (c *Client) Conferences(ctx context.Context, after string, limit int) (wire.ConferencePage, []byte, error) {
	q := url.Values{}
	if after != "" {
		q.Set("after", after)
	}
	if limit != 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	path := "/v1/conferences"
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	return call[wire.ConferencePage](ctx, c, http.MethodGet, path, nil)
}

// Conference returns a conference with its rooms and participants.
func (c *Client) Conference(ctx context.Context, cid string) (conference.Info, []byte, error) {
	return call[conference.Info](ctx, c, http.MethodGet, confPath(cid), nil)
}

// SetBreakout switches breakout rooms on or off; off sends everyone back to
// the main room.
func (c *Client) SetBreakout(ctx context.Context, cid string, on bool) (conference.Info, []byte, error) {
	return call[conference.Info](ctx, c, http.MethodPatch, confPath(cid), wire.ConferenceChange{BreakoutEnabled: &on})
}

// SetKeypad switches whether phone callers' keys are commands (*6 mute,
// *1 hand, *0 help).
func (c *Client) SetKeypad(ctx context.Context, cid string, on bool) (conference.Info, []byte, error) {
	return call[conference.Info](ctx, c, http.MethodPatch, confPath(cid), wire.ConferenceChange{Keypad: &on})
}

// EndConference ends a conference and hangs up everyone; it needs the admin key.
func (c *Client) EndConference(ctx context.Context, cid string) error {
	_, err := c.do(ctx, http.MethodDelete, confPath(cid), nil, nil)
	return err
}

// DialOut calls a number or SIP user into the main room and returns the
// participant while it is still ringing.
func (c *Client) DialOut(ctx context.Context, cid, to string) (conference.Participant, []byte, error) {
	b, raw, err := call[wire.Dialed](ctx, c, http.MethodPost, confPath(cid, "dial-out"), wire.DialOut{To: to})
	return b.Participant, raw, err
}
