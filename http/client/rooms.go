package client

import (
	"context"
	"net/http"

	"github.com/confgw/confgw/conference"
	"github.com/confgw/confgw/http/wire"
)

// Rooms lists the rooms, main first, with their participants.
func (c *Client) Rooms(ctx context.Context, cid string) ([]conference.Room, []byte, error) {
	b, raw, err := call[wire.Rooms](ctx, c, http.MethodGet, confPath(cid, "rooms"), nil)
	return b.Rooms, raw, err
}

// Room returns one room with its participants.
func (c *Client) Room(ctx context.Context, cid, room string) (conference.Room, []byte, error) {
	return call[conference.Room](ctx, c, http.MethodGet, confPath(cid, "rooms", room), nil)
}

// AddRoom adds an empty breakout room; the server names and numbers it.
func (c *Client) AddRoom(ctx context.Context, cid string) (conference.Room, []byte, error) {
	return call[conference.Room](ctx, c, http.MethodPost, confPath(cid, "rooms"), nil)
}

// DeleteRoom removes a breakout room and sends its participants back to the
// main room.
func (c *Client) DeleteRoom(ctx context.Context, cid, room string) error {
	_, err := c.do(ctx, http.MethodDelete, confPath(cid, "rooms", room), nil, nil)
	return err
}

// JoinRoom moves the host whose token the client holds into a room.
func (c *Client) JoinRoom(ctx context.Context, cid, room string) (conference.Participant, []byte, error) {
	return call[conference.Participant](ctx, c, http.MethodPost, confPath(cid, "rooms", room, "join"), nil)
}

// StartRecording starts recording a room; the server records only the main
// room and refuses the others.
func (c *Client) StartRecording(ctx context.Context, cid, room string) (conference.Recording, []byte, error) {
	b, raw, err := call[wire.RecordingStarted](ctx, c, http.MethodPost, confPath(cid, "rooms", room, "recording"), nil)
	return b.Recording, raw, err
}

// StopRecording stops a room's recording; stopping none is not an error.
func (c *Client) StopRecording(ctx context.Context, cid, room string) error {
	_, err := c.do(ctx, http.MethodDelete, confPath(cid, "rooms", room, "recording"), nil, nil)
	return err
}
