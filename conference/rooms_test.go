package conference_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/conference"
)

func TestRoomsAreNamedByLowestFreeNumber(t *testing.T) {
	m := newMeeting(t)
	m.addRooms(t, 3)
	if err := m.c.DeleteRoom(conference.As(m.host1), "2"); err != nil {
		t.Fatal(err)
	}
	r, err := m.c.AddRoom(conference.As(m.host1))
	if err != nil {
		t.Fatal(err)
	}
	if r.ID != "2" || r.Name != "Breakout room 2" || r.Count != 0 || len(r.Participants) != 0 {
		t.Fatalf("added %+v, want an empty Breakout room 2", r)
	}
	var names []string
	for _, r := range m.c.Rooms() {
		names = append(names, r.Name)
	}
	want := []string{"Main Room", "Breakout room 1", "Breakout room 2", "Breakout room 3"}
	if len(names) != len(want) {
		t.Fatalf("rooms %v, want %v", names, want)
	}
	for i := range want {
		if names[i] != want[i] {
			t.Fatalf("rooms %v, want %v", names, want)
		}
	}
}

func TestTwentyRoomsAtMost(t *testing.T) {
	m := newMeeting(t)
	m.addRooms(t, conference.MaxBreakoutRooms)
	if _, err := m.c.AddRoom(conference.As(m.host2)); !errors.Is(err, conference.ErrRoomLimit) {
		t.Fatalf("21st room: %v, want room_limit_reached", err)
	}
	if n := len(m.c.Rooms()); n != 21 {
		t.Fatalf("%d rooms, want main + 20", n)
	}
}

func TestCountsFollowMoves(t *testing.T) {
	m := newMeeting(t)
	m.addRooms(t, 2)
	h := conference.As(m.host1)
	for _, pid := range []string{m.alice, m.bob} {
		if _, err := m.c.Move(h, pid, "1"); err != nil {
			t.Fatal(err)
		}
	}
	counts := map[string]int{}
	for _, r := range m.c.Rooms() {
		counts[r.ID] = r.Count
		if r.Count != len(r.Participants) {
			t.Fatalf("room %s count %d but %d listed", r.ID, r.Count, len(r.Participants))
		}
	}
	if counts["main"] != 4 || counts["1"] != 2 || counts["2"] != 0 {
		t.Fatalf("counts %v", counts)
	}
}

func TestDeleteRoomRules(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(t *testing.T, m *meeting)
		actor   func(m *meeting) conference.Actor
		room    string
		wantErr error
	}{
		{"empty room", nil, byHost1, "1", nil},
		{"room with people", peopleInRoom1, byHost1, "1", nil},
		{"host cannot delete the room it is in", host1InRoom1, byHost1, "1", conference.ErrHostInsideRoom},
		{"another host may delete it", host1InRoom1, byHost2, "1", nil},
		{"admin may delete it", host1InRoom1, byAdmin, "1", nil},
		{"main is permanent", nil, byHost1, "main", conference.ErrMainRoomPermanent},
		{"missing room", nil, byHost1, "9", conference.ErrNotFound},
		{"malformed room", nil, byHost1, "x", conference.ErrInvalid},
		{"participants cannot delete", nil, byAlice, "1", conference.ErrHostRequired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newMeeting(t)
			m.addRooms(t, 2)
			if tt.setup != nil {
				tt.setup(t, m)
			}
			err := m.c.DeleteRoom(tt.actor(m), tt.room)
			if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
				t.Fatalf("DeleteRoom = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			for _, r := range m.c.Rooms() {
				if r.ID == tt.room {
					t.Fatalf("room %s still listed", tt.room)
				}
			}
			for _, p := range m.c.Participants() {
				if p.Room == tt.room {
					t.Fatalf("%s left in deleted room", p.Name)
				}
			}
		})
	}
}

func TestDeleteRoomSendsEveryoneBackWithToasts(t *testing.T) {
	m := newMeeting(t)
	m.addRooms(t, 1)
	peopleInRoom1(t, m)
	sub := m.c.Subscribe(64)
	defer sub.Close()
	if err := m.c.DeleteRoom(conference.As(m.host1), "1"); err != nil {
		t.Fatal(err)
	}
	evs := drain(sub)
	toasts := ofType(evs, conference.EventToast)
	if len(toasts) != 2 {
		t.Fatalf("%d toasts, want 2", len(toasts))
	}
	for _, e := range toasts {
		if e.Message != "You have been transferred to the Main Room." {
			t.Fatalf("toast %q", e.Message)
		}
	}
	if len(ofType(evs, conference.EventRoomDeleted)) != 1 {
		t.Fatalf("no room.deleted in %v", evs)
	}
	if m.room(t, m.alice) != "main" || m.room(t, m.bob) != "main" {
		t.Fatal("people not back in main")
	}
}

func TestRenameIsRefused(t *testing.T) {
	m := newMeeting(t)
	m.addRooms(t, 1)
	if err := m.c.Rename(conference.As(m.host1), "1"); !errors.Is(err, conference.ErrRenameNotSupported) {
		t.Fatalf("Rename = %v", err)
	}
}

func TestBreakoutSwitchedOff(t *testing.T) {
	m := newMeeting(t)
	m.addRooms(t, 2)
	peopleInRoom1(t, m)
	h := conference.As(m.host1)
	if _, err := m.c.Join(h, "2"); err != nil {
		t.Fatal(err)
	}
	sub := m.c.Subscribe(64)
	defer sub.Close()
	if err := m.c.SetBreakout(h, false); err != nil {
		t.Fatal(err)
	}
	rooms := m.c.Rooms()
	if len(rooms) != 1 || rooms[0].ID != "main" || rooms[0].Count != 6 {
		t.Fatalf("rooms after switching off: %+v", rooms)
	}
	if n := len(ofType(drain(sub), conference.EventToast)); n != 3 {
		t.Fatalf("%d toasts, want 3 (alice, bob, host)", n)
	}
	if _, err := m.c.AddRoom(h); !errors.Is(err, conference.ErrBreakoutDisabled) {
		t.Fatalf("AddRoom = %v", err)
	}
	if _, err := m.c.Move(h, m.alice, "1"); !errors.Is(err, conference.ErrBreakoutDisabled) {
		t.Fatalf("Move = %v", err)
	}
	if _, err := m.c.Move(h, m.alice, "main"); err != nil {
		t.Fatalf("move to main while off: %v", err)
	}
	if err := m.c.SetBreakout(conference.As(m.alice), true); !errors.Is(err, conference.ErrHostRequired) {
		t.Fatalf("participant switched breakout: %v", err)
	}
	if err := m.c.SetBreakout(h, true); err != nil {
		t.Fatal(err)
	}
	if r, err := m.c.AddRoom(h); err != nil || r.Name != "Breakout room 1" {
		t.Fatalf("after switching on: %+v, %v", r, err)
	}
}

func TestBreakoutDefaultFromConfig(t *testing.T) {
	reg := conference.NewRegistry(conference.Config{BreakoutDefault: false})
	off, _ := reg.Create(conference.Spec{ID: "a", Title: "A"})
	on := true
	explicit, _ := reg.Create(conference.Spec{ID: "b", Title: "B", BreakoutEnabled: &on})
	if off.Info().BreakoutEnabled || !explicit.Info().BreakoutEnabled {
		t.Fatalf("default off: %v, explicit on: %v", off.Info().BreakoutEnabled, explicit.Info().BreakoutEnabled)
	}
}

func TestRecordingOnlyInMainRoom(t *testing.T) {
	m := newMeeting(t)
	m.addRooms(t, 1)
	h := conference.As(m.host1)
	sub := m.c.Subscribe(64)
	defer sub.Close()
	if _, err := m.c.StartRecording(h, "1"); !errors.Is(err, conference.ErrRecordingMainOnly) {
		t.Fatalf("breakout recording = %v", err)
	}
	if _, err := m.c.StartRecording(conference.As(m.alice), "main"); !errors.Is(err, conference.ErrHostRequired) {
		t.Fatalf("participant recording = %v", err)
	}
	rec, err := m.c.StartRecording(h, "main")
	if err != nil {
		t.Fatal(err)
	}
	again, err := m.c.StartRecording(conference.Admin, "main")
	if err != nil || again.ID != rec.ID {
		t.Fatalf("second start = %+v, %v; want the running %s", again, err, rec.ID)
	}
	if m.c.Info().Recording == nil {
		t.Fatal("info shows no recording")
	}
	if err := m.c.StopRecording(h, "1"); !errors.Is(err, conference.ErrRecordingMainOnly) {
		t.Fatalf("stop on breakout = %v", err)
	}
	if err := m.c.StopRecording(h, "main"); err != nil {
		t.Fatal(err)
	}
	evs := drain(sub)
	if len(ofType(evs, conference.EventRecordingStarted)) != 1 || len(ofType(evs, conference.EventRecordingStopped)) != 1 {
		t.Fatalf("events %v", evs)
	}
}

func peopleInRoom1(t *testing.T, m *meeting) {
	t.Helper()
	for _, pid := range []string{m.alice, m.bob} {
		if _, err := m.c.Move(conference.As(m.host1), pid, "1"); err != nil {
			t.Fatal(err)
		}
	}
}

func host1InRoom1(t *testing.T, m *meeting) {
	t.Helper()
	if _, err := m.c.Join(conference.As(m.host1), "1"); err != nil {
		t.Fatal(err)
	}
}

func byHost2(m *meeting) conference.Actor { return conference.As(m.host2) }

// lockProbe is a recorder that reads the conference while it opens and
// closes its file, as a slow disk would hold it: that must not deadlock.
type lockProbe struct{ conf *conference.Conference }

func (p *lockProbe) Start(string) (conference.RecordingSink, error) {
	_ = p.conf.Info()
	return probeSink{p}, nil
}

type probeSink struct{ *lockProbe }

func (probeSink) ID() string              { return "r-probe" }
func (probeSink) WriteMix(*audio.Frame)   {}
func (probeSink) Failed() <-chan struct{} { return nil }
func (s probeSink) Close() error          { _ = s.conf.Info(); return nil }

func TestRecorderRunsOutsideTheConferenceLock(t *testing.T) {
	probe := &lockProbe{}
	seen := &roomsSeen{attached: map[string][]string{}}
	reg := conference.NewRegistry(conference.Config{Recorder: probe,
		NewRoomMedia: func(_, room string) conference.RoomMedia { return seenRoom{seen, room} }})
	c, _ := reg.Create(conference.Spec{ID: "r", Title: "R"})
	probe.conf = c
	done := make(chan error, 1)
	go func() {
		rec, err := c.StartRecording(conference.Admin, "main")
		if err == nil && rec.ID != "r-probe" {
			err = fmt.Errorf("recording id %q, want the recorder's", rec.ID)
		}
		if err == nil {
			err = c.StopRecording(conference.Admin, "main")
		}
		if err == nil {
			_, err = c.StartRecording(conference.Admin, "main")
		}
		if err == nil {
			err = reg.End(conference.Admin, "r")
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the recorder ran under the conference's lock and deadlocked")
	}
}

// slowSink is a recording whose file takes until release to complete, as
// on a busy disk.
type slowSink struct {
	closing chan struct{}
	release chan struct{}
}

func (slowSink) ID() string              { return "r-slow" }
func (slowSink) WriteMix(*audio.Frame)   {}
func (slowSink) Failed() <-chan struct{} { return nil }
func (s slowSink) Close() error {
	close(s.closing)
	<-s.release
	return nil
}

func TestRecordingStoppedIsPublishedOnlyOnceTheFileIsComplete(t *testing.T) {
	sink := slowSink{closing: make(chan struct{}), release: make(chan struct{})}
	seen := &roomsSeen{attached: map[string][]string{}}
	reg := conference.NewRegistry(conference.Config{
		Recorder:     conference.RecorderFunc(func(string) (slowSink, error) { return sink, nil }),
		NewRoomMedia: func(_, room string) conference.RoomMedia { return seenRoom{seen, room} }})
	defer reg.EndAll()
	c, _ := reg.Create(conference.Spec{ID: "r", Title: "R"})
	if _, err := c.StartRecording(conference.Admin, conference.MainRoomID); err != nil {
		t.Fatal(err)
	}
	sub := c.Subscribe(16)
	stopped := make(chan error, 1)
	go func() { stopped <- c.StopRecording(conference.Admin, conference.MainRoomID) }()
	<-sink.closing
	if evs := ofType(drain(sub), conference.EventRecordingStopped); len(evs) != 0 {
		t.Fatal("recording.stopped was published while the file was still being written")
	}
	if info := c.Info(); info.Recording == nil {
		t.Error("the conference stopped saying it records before the file was complete")
	}
	close(sink.release)
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
	evs := ofType(drain(sub), conference.EventRecordingStopped)
	if len(evs) != 1 || evs[0].Recording == nil || evs[0].Recording.ID != "r-slow" {
		t.Fatalf("recording.stopped events %+v, want one naming r-slow", evs)
	}
}
