package client_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/confgw/confgw/conference"
	"github.com/confgw/confgw/http/client"
)

// hang bounds a wait that only a broken client or server would exceed.
const hang = 10 * time.Second

// nextOf reads events until one of typ arrives.
func nextOf(t *testing.T, s *client.EventStream, typ string) client.Event {
	t.Helper()
	for {
		e, err := s.Next()
		if err != nil {
			t.Fatalf("waiting for %s: %v", typ, err)
		}
		if e.Type == typ {
			return e
		}
	}
}

func TestEventStreamDeliversTheMovedParticipantsToast(t *testing.T) {
	k := newClinic(t)
	ctx, cancel := context.WithTimeout(t.Context(), hang)
	defer cancel()
	s, err := k.as(k.alice).OpenEvents(ctx, "c")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	host := k.as(k.host)
	if _, _, err := host.AddRoom(t.Context(), "c"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := host.Move(t.Context(), "c", k.alice.Participant.ID, "1"); err != nil {
		t.Fatal(err)
	}
	moved := nextOf(t, s, conference.EventParticipantMoved)
	if moved.Participant == nil || moved.Participant.ID != k.alice.Participant.ID || moved.From.ID != "main" || moved.Room.ID != "1" {
		t.Fatalf("moved %+v", moved.Event)
	}
	toast := nextOf(t, s, conference.EventToast)
	if toast.Message != "You have been transferred to Breakout Room #1." || toast.Addressee != k.alice.Participant.ID {
		t.Fatalf("toast %+v", toast.Event)
	}
	sameJSON(t, toast.Raw, toast.Event)
}

func TestEventStreamRefusalIsAnAPIError(t *testing.T) {
	k := newClinic(t)
	_, err := k.as(k.alice).OpenEvents(t.Context(), "other")
	var apiErr *client.APIError
	if !errors.As(err, &apiErr) || apiErr.Status != http.StatusUnauthorized {
		t.Fatalf("err %v", err)
	}
}

// opened reports when the events request has its answer, by which time the
// server has subscribed: events caused after it cannot be missed.
type opened struct {
	ch chan struct{}
}

func (o opened) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	if strings.HasSuffix(r.URL.Path, "/events") {
		close(o.ch)
	}
	return resp, err
}

// follow runs Events in the background with fn and returns what it returns.
func follow(t *testing.T, k *clinic, ctx context.Context, fn func(client.Event) error) <-chan error {
	t.Helper()
	o := opened{ch: make(chan struct{})}
	c := client.New(k.env.Server.URL, k.alice.Token, client.WithHTTPClient(&http.Client{Transport: o}))
	done := make(chan error, 1)
	go func() { done <- c.Events(ctx, "c", fn) }()
	select {
	case <-o.ch:
	case <-time.After(hang):
		t.Fatal("events never opened")
	}
	return done
}

func wait(t *testing.T, done <-chan error) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(hang):
		t.Fatal("Events did not return")
		return nil
	}
}

func TestEventsEndsWithTheStream(t *testing.T) {
	k := newClinic(t)
	var types []string
	done := follow(t, k, t.Context(), func(e client.Event) error {
		types = append(types, e.Type)
		return nil
	})
	if err := k.as(k.host).RemoveParticipant(t.Context(), "c", k.alice.Participant.ID); err != nil {
		t.Fatal(err)
	}
	if err := wait(t, done); err != nil {
		t.Fatalf("end of stream: %v", err)
	}
	if !reflect.DeepEqual(types, []string{conference.EventParticipantLeft}) {
		t.Fatalf("events %v", types)
	}
}

func TestEventsStopsWithTheContext(t *testing.T) {
	k := newClinic(t)
	ctx, cancel := context.WithCancel(t.Context())
	done := follow(t, k, ctx, func(client.Event) error { return nil })
	cancel()
	if err := wait(t, done); !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v", err)
	}
}

func TestEventsStopsWhenTheCallbackFails(t *testing.T) {
	k := newClinic(t)
	stop := errors.New("seen enough")
	done := follow(t, k, t.Context(), func(client.Event) error { return stop })
	if _, _, err := k.as(k.host).AddRoom(t.Context(), "c"); err != nil {
		t.Fatal(err)
	}
	if err := wait(t, done); !errors.Is(err, stop) {
		t.Fatalf("err %v", err)
	}
}

func TestEventStreamFraming(t *testing.T) {
	stream := ": keep-alive\n\n" +
		"id:1\nevent:room.added\ndata:{\"seq\":1,\"type\":\"room.added\"}\n\n" +
		"id: 2\r\nevent: toast\r\ndata: {\"seq\":2,\r\ndata: \"type\":\"toast\"}\r\n\r\n" +
		"event:ignored\n\n" +
		"data:{\"seq\":3,\"type\":\"cut off\"}\n"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, stream)
	}))
	defer srv.Close()
	s, err := client.New(srv.URL, "").OpenEvents(context.Background(), "c")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var got []string
	for {
		e, err := s.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, e.Type+"|"+string(e.Raw))
	}
	want := []string{
		`room.added|{"seq":1,"type":"room.added"}`,
		"toast|{\"seq\":2,\n\"type\":\"toast\"}",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("events\n%q\nwant\n%q", got, want)
	}
}

func TestEventStreamBadData(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, "data:not json\n\n")
	}))
	defer srv.Close()
	err := client.New(srv.URL, "").Events(context.Background(), "c", func(client.Event) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "not json") {
		t.Fatalf("err %v", err)
	}
}
