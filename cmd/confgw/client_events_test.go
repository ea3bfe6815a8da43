package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/confgw/confgw/conference"
	confhttp "github.com/confgw/confgw/http"
	"github.com/confgw/confgw/internal/apitest"
)

// hang bounds waits that only a broken command would exceed.
const hang = 10 * time.Second

// lines hands a running command's output over line by line.
type lines struct {
	mu  sync.Mutex
	buf []byte
	ch  chan string
}

func newLines() *lines { return &lines{ch: make(chan string, 256)} }

func (l *lines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, p...)
	for {
		i := bytes.IndexByte(l.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		l.ch <- string(l.buf[:i])
		l.buf = l.buf[i+1:]
	}
}

// until returns the first line containing s.
func (l *lines) until(t *testing.T, s string) string {
	t.Helper()
	deadline := time.After(hang)
	for {
		select {
		case line := <-l.ch:
			if strings.Contains(line, s) {
				return line
			}
		case <-deadline:
			t.Fatalf("no line with %q", s)
		}
	}
}

// following runs `confgw events` in the background and returns once it
// follows the stream, with its stdout and what it returns.
func (c *clinic) following(ctx context.Context, token string, args ...string) (*lines, <-chan error) {
	c.t.Helper()
	out, errOut := newLines(), newLines()
	root := newRoot()
	root.SetArgs(append([]string{"events", "--server", c.env.Server.URL, "--token", token}, args...))
	root.SetOut(out)
	root.SetErr(errOut)
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(ctx) }()
	errOut.until(c.t, "following conference c")
	return out, done
}

func returned(t *testing.T, done <-chan error) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(hang):
		t.Fatal("events did not return")
		return nil
	}
}

func TestEventsShowTheMovedParticipantsToast(t *testing.T) {
	c := newClinic(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	out, done := c.following(ctx, c.alice.Token)
	c.must(c.host.Token, "rooms", "add")
	c.must(c.host.Token, "move", c.alice.Participant.ID, "1")

	moved := out.until(t, conference.EventParticipantMoved)
	if !strings.HasSuffix(moved, " participant.moved Alice ("+c.alice.Participant.ID+") Main Room -> Breakout room 1") {
		t.Fatalf("moved line %q", moved)
	}
	toast := out.until(t, conference.EventToast)
	if !strings.HasSuffix(toast, ": You have been transferred to Breakout Room #1.") {
		t.Fatalf("toast line %q", toast)
	}
	if _, err := time.Parse(time.TimeOnly, strings.Fields(toast)[0]); err != nil {
		t.Fatalf("toast line %q: %v", toast, err)
	}
	cancel()
	if err := returned(t, done); err != nil {
		t.Fatalf("Ctrl-C: %v", err)
	}
}

func TestEventsAsJSONEndWithTheStream(t *testing.T) {
	c := newClinic(t)
	out, done := c.following(t.Context(), c.alice.Token, "-o", "json")
	c.must(c.host.Token, "rooms", "add")
	c.must(c.host.Token, "participants", "remove", c.alice.Participant.ID)
	// The server ends a stream whose follower has left.
	if err := returned(t, done); err != nil {
		t.Fatalf("end of stream: %v", err)
	}
	close(out.ch)
	var types []string
	for line := range out.ch {
		var e conference.Event
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		types = append(types, e.Type)
	}
	if strings.Join(types, " ") != "room.added participant.left" {
		t.Fatalf("events %v", types)
	}
}

func TestEventsRefused(t *testing.T) {
	c := newClinic(t)
	if _, err := c.as("forged", "events", "--conference", "c"); err == nil || !strings.HasPrefix(err.Error(), "unauthorized:") {
		t.Fatalf("err %v", err)
	}
}

func TestEventLineSummarisesWhatTheEventCarries(t *testing.T) {
	at := time.Date(2024, 3, 8, 9, 30, 0, 0, time.Local)
	off := false
	for _, tc := range []struct {
		e    conference.Event
		want string
	}{
		{conference.Event{Type: "room.added", At: at, Room: &conference.RoomRef{ID: "2", Name: "Breakout room 2"}},
			"09:30:00 room.added Breakout room 2"},
		{conference.Event{Type: "conference.updated", At: at, Breakout: &off},
			"09:30:00 conference.updated breakout rooms off"},
		{conference.Event{Type: "phone.failed", At: at, Participant: &conference.Participant{ID: "p-1", Name: "+1555"}, Status: 486, Reason: "call failed"},
			"09:30:00 phone.failed +1555 (p-1) SIP 486 (call failed)"},
		{conference.Event{Type: "recording.started", At: at, Room: &conference.RoomRef{ID: "main", Name: "Main Room"}, Recording: &conference.Recording{ID: "r-1"}},
			"09:30:00 recording.started Main Room recording r-1"},
	} {
		if got := eventLine(tc.e); got != tc.want {
			t.Errorf("got  %q\nwant %q", got, tc.want)
		}
	}
}

// A follower too slow for a burst is cut by the server with stream.lagged;
// `confgw events` resumes after the last event it got and misses none.
func TestEventsResumesAfterBeingCutForLagging(t *testing.T) {
	c := newClinic(t, func(o *confhttp.Options) { o.StreamBuffer = 4 })
	c.must(c.host.Token, "rooms", "add")
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	out, errOut := &lines{ch: make(chan string, 1)}, newLines()
	root := newRoot()
	root.SetArgs([]string{"events", "--server", c.env.Server.URL, "--token", apitest.AdminKey, "--conference", "c", "-o", "json"})
	root.SetOut(out)
	root.SetErr(errOut)
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(ctx) }()
	errOut.until(t, "following conference c")

	conf, err := c.env.Registry.Get("c")
	if err != nil {
		t.Fatal(err)
	}
	// Nobody reads the command's output yet, so it stops reading the
	// stream after a line or two, and the burst overflows its buffer.
	const moves = 40
	for i := range moves {
		if _, err := conf.Move(conference.Admin, c.alice.Participant.ID, []string{"1", "main"}[i%2]); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[uint64]bool{}
	deadline := time.After(hang)
	for len(seen) < moves {
		select {
		case line := <-out.ch:
			var e conference.Event
			if err := json.Unmarshal([]byte(line), &e); err != nil {
				t.Fatalf("line %q: %v", line, err)
			}
			if e.Type == conference.EventParticipantMoved {
				seen[e.Seq] = true
			}
		case <-deadline:
			t.Fatalf("%d of %d moves seen", len(seen), moves)
		}
	}
	errOut.until(t, "resuming after event")
	cancel()
	if err := returned(t, done); err != nil {
		t.Fatal(err)
	}
}
