package client

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/confgw/confgw/conference"
)

// maxEventBytes bounds one line of the stream; events are far smaller.
const maxEventBytes = 1 << 20

// Event is one event of a conference with its data as the server sent it.
type Event struct {
	conference.Event
	Raw []byte `json:"-"`
}

// EventStream is an open events stream. The server has subscribed by the
// time OpenEvents returns it, so nothing that happens after is missed.
type EventStream struct {
	body io.ReadCloser
	sc   *bufio.Scanner
}

// OpenEvents starts following a conference's events. A participant token
// also receives the toasts addressed to that participant; the admin key
// receives none.
func (c *Client) OpenEvents(ctx context.Context, cid string) (*EventStream, error) {
	return c.openEvents(ctx, cid, nil)
}

// OpenEventsAfter resumes following a conference's events after event
// seq, the last one received (Last-Event-ID): what a stream cut with
// stream.lagged says to do. The server replays what it still keeps and
// opens with stream.reset if it no longer keeps them all.
func (c *Client) OpenEventsAfter(ctx context.Context, cid string, seq uint64) (*EventStream, error) {
	return c.openEvents(ctx, cid, http.Header{"Last-Event-Id": {strconv.FormatUint(seq, 10)}})
}

func (c *Client) openEvents(ctx context.Context, cid string, header http.Header) (*EventStream, error) {
	body, err := c.stream(ctx, confPath(cid, "events"), header)
	if err != nil {
		return nil, err
	}
	sc := bufio.NewScanner(body)
	sc.Buffer(make([]byte, 0, 4096), maxEventBytes)
	return &EventStream{body: body, sc: sc}, nil
}

// Next waits for the next event. It returns io.EOF once the server ends the
// stream: the conference ended, the follower left it, or it fell too far
// behind (follow again and re-read the state).
func (s *EventStream) Next() (Event, error) {
	var data []byte
	hasData := false
	for s.sc.Scan() {
		line := s.sc.Bytes()
		if len(line) == 0 {
			if !hasData {
				continue // a keep-alive comment or a frame without data
			}
			var e Event
			if err := json.Unmarshal(data, &e.Event); err != nil {
				return Event{}, fmt.Errorf("decode event %q: %w", data, err)
			}
			e.Raw = data
			return e, nil
		}
		field, value, _ := bytes.Cut(line, []byte(":"))
		if string(field) != "data" {
			continue // comments, and id and event, which the data repeats
		}
		if hasData {
			data = append(data, '\n')
		}
		data = append(data, bytes.TrimPrefix(value, []byte(" "))...)
		hasData = true
	}
	if err := s.sc.Err(); err != nil {
		return Event{}, fmt.Errorf("read events: %w", err)
	}
	return Event{}, io.EOF
}

// Close stops following.
func (s *EventStream) Close() error { return s.body.Close() }

// Events follows a conference's events, calling fn for each in order. It
// returns nil when the server ends the stream, ctx's error once ctx is
// done, and fn's error as soon as fn fails.
func (c *Client) Events(ctx context.Context, cid string, fn func(Event) error) error {
	s, err := c.OpenEvents(ctx, cid)
	if err != nil {
		return err
	}
	defer s.Close()
	for {
		e, err := s.Next()
		switch {
		case errors.Is(err, io.EOF):
			return nil
		case err != nil && ctx.Err() != nil:
			return ctx.Err()
		case err != nil:
			return err
		}
		if err := fn(e); err != nil {
			return err
		}
	}
}
