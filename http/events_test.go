package http_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/confgw/confgw/conference"
	confhttp "github.com/confgw/confgw/http"
	"github.com/confgw/confgw/internal/apitest"
)

type sseEvent struct {
	Type string
	Data conference.Event
}

// follow opens the events stream with ?token= as a browser's EventSource
// would and delivers what it reads until the test ends.
func follow(t *testing.T, k *clinic, token string) <-chan sseEvent {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", k.env.Server.URL+"/v1/conferences/c/events?token="+token, nil)
	resp, err := k.env.Server.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("events: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	out := make(chan sseEvent, 64)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(out)
		sc := bufio.NewScanner(resp.Body)
		var typ string
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event:"):
				typ = strings.TrimSpace(strings.TrimPrefix(line, "event:"))
			case strings.HasPrefix(line, "data:"):
				var e conference.Event
				if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "data:")), &e); err != nil {
					t.Errorf("bad data line %q: %v", line, err)
					return
				}
				out <- sseEvent{Type: typ, Data: e}
			}
		}
	}()
	t.Cleanup(func() {
		cancel()
		resp.Body.Close()
		<-done
	})
	return out
}

// next waits for an event of typ, or any event when typ is ""; a hang
// fails the test, never a fast server.
func next(t *testing.T, ch <-chan sseEvent, typ string) sseEvent {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case e, ok := <-ch:
			if !ok {
				t.Fatalf("stream closed waiting for %s", typ)
			}
			if typ == "" || e.Type == typ {
				return e
			}
		case <-deadline:
			t.Fatalf("no %s event", typ)
		}
	}
}

// until yields ch's events up to and including the first of type typ.
func until(t *testing.T, ch <-chan sseEvent, typ string) iter.Seq[sseEvent] {
	t.Helper()
	return func(yield func(sseEvent) bool) {
		for {
			e := next(t, ch, "")
			if !yield(e) || e.Type == typ {
				return
			}
		}
	}
}

func TestEventsStreamToastsOnlyToAddressee(t *testing.T) {
	k := newClinic(t)
	alice := follow(t, k, k.alice.Token)
	host := follow(t, k, k.host.Token)
	if r := k.env.Do("POST", "/v1/conferences/c/participants/"+k.alice.Participant.ID+"/move", k.host.Token, map[string]any{"room": "2"}); r.Status != 200 {
		t.Fatalf("move: %d %s", r.Status, r.Body)
	}
	moved := next(t, alice, conference.EventParticipantMoved)
	if moved.Data.Type != conference.EventParticipantMoved || moved.Data.Conference != "c" || moved.Data.At.IsZero() ||
		moved.Data.Participant.ID != k.alice.Participant.ID || moved.Data.Room.ID != "2" {
		t.Fatalf("moved event %+v", moved.Data)
	}
	toast := next(t, alice, conference.EventToast)
	if toast.Data.Message != "You have been transferred to Breakout Room #2." || toast.Data.TTLMillis != 10000 {
		t.Fatalf("toast %+v", toast.Data)
	}
	// The host sees the move but not alice's toast: the room.added that
	// follows proves the toast would have arrived before it.
	next(t, host, conference.EventParticipantMoved)
	k.env.Do("POST", "/v1/conferences/c/rooms", k.host.Token, nil)
	for e := range host {
		if e.Type == conference.EventToast {
			t.Fatalf("host got alice's toast: %+v", e.Data)
		}
		if e.Type == conference.EventRoomAdded {
			break
		}
	}
}

func TestEventsStreamNeedsMembership(t *testing.T) {
	k := newClinic(t)
	r := k.env.Do("GET", "/v1/conferences/c/events?token=forged", "", nil)
	if r.Status != http.StatusUnauthorized {
		t.Fatalf("forged token: %d", r.Status)
	}
	if r := k.env.Do("GET", "/v1/conferences/c/events", "", nil); r.Status != http.StatusUnauthorized {
		t.Fatalf("no token: %d", r.Status)
	}
}

func TestEventsStreamEndsWithConference(t *testing.T) {
	k := newClinic(t)
	ch := follow(t, k, k.alice.Token)
	k.env.Do("DELETE", "/v1/conferences/c", "test-admin-key", nil)
	next(t, ch, conference.EventParticipantLeft)
	for range ch {
	}
}

// TestEventsStreamResumesAfterLastEventID: a client that reconnects with the
// last id it saw (as EventSource does) gets what it missed, its own toasts
// included.
func TestEventsStreamResumesAfterLastEventID(t *testing.T) {
	k := newClinic(t)
	first := follow(t, k, k.alice.Token)
	k.env.Do("POST", "/v1/conferences/c/rooms", k.host.Token, nil)
	added := next(t, first, conference.EventRoomAdded)
	// Moved while not listening.
	if r := k.env.Do("POST", "/v1/conferences/c/participants/"+k.alice.Participant.ID+"/move", k.host.Token, map[string]any{"room": "3"}); r.Status != 200 {
		t.Fatalf("move: %d %s", r.Status, r.Body)
	}
	again := follow(t, k, k.alice.Token+"&last_event_id="+strconv.FormatUint(added.Data.Seq, 10))
	if e := next(t, again, conference.EventToast); e.Data.Message != "You have been transferred to Breakout Room #3." {
		t.Fatalf("replayed toast %+v", e.Data)
	}
	if r := k.env.Do("GET", "/v1/conferences/c/events?last_event_id=abc", k.alice.Token, nil); r.Status != 400 || r.ErrorCode() != "invalid_request" {
		t.Fatalf("bad Last-Event-ID: %d %s", r.Status, r.Body)
	}
}

// TestStalledStreamIsCutOff: a client that opens the stream and never reads
// must not hold its handler, and with it the server's shutdown, for ever.
func TestStalledStreamIsCutOff(t *testing.T) {
	env := apitest.Start(t, func(o *confhttp.Options) { o.StreamWriteTimeout = 200 * time.Millisecond })
	env.CreateConference("c")
	host := env.AddParticipant("c", "Host", conference.RoleHost, "4.14")
	pat := env.AddParticipant("c", "Pat", conference.RoleParticipant, "4.14")
	env.Do("POST", "/v1/conferences/c/rooms", host.Token, nil)
	d := net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		// A tiny receive window fills up after a few events.
		return rc.Control(func(fd uintptr) { _ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 2048) })
	}}
	conn, err := d.Dial("tcp", env.Server.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET /v1/conferences/c/events?token=%s HTTP/1.1\r\nHost: x\r\n\r\n", pat.Token)
	for i := range 3000 {
		room := []string{"1", "main"}[i%2]
		env.Do("POST", "/v1/conferences/c/participants/"+pat.Participant.ID+"/move", host.Token, map[string]any{"room": room})
	}
	closed := make(chan struct{})
	go func() {
		env.API.Drain()
		env.Server.Close()
		close(closed)
	}()
	select {
	case <-closed:
	case <-time.After(30 * time.Second):
		t.Fatal("a client that never reads held the server open")
	}
}
