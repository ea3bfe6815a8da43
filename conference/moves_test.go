package conference_test

import (
	"errors"
	"testing"

	"github.com/confgw/confgw/conference"
)

func TestMoveRules(t *testing.T) {
	tests := []struct {
		name     string
		actor    func(m *meeting) conference.Actor
		who      func(m *meeting) string
		room     string
		wantErr  error
		wantRoom string
	}{
		{"host moves app participant", byHost1, alice, "1", nil, "1"},
		{"admin moves app participant", byAdmin, alice, "2", nil, "2"},
		{"host moves another host", byHost1, host2, "2", nil, "2"},
		{"host moves itself", byHost1, self1, "1", nil, "1"},
		{"into own room is a no-op", byHost1, alice, "main", nil, "main"},
		{"phone into breakout is refused", byHost1, phone, "1", conference.ErrPhonePinned, "main"},
		{"phone to main is a no-op", byHost1, phone, "main", nil, "main"},
		{"client 4.9 is too old", byHost1, oldCarl, "1", conference.ErrClientTooOld, "main"},
		{"client 10.0 is new enough", byHost1, bob, "1", nil, "1"},
		{"participant cannot move others", byAlice, bob, "1", conference.ErrHostRequired, "main"},
		{"participant cannot move itself", byAlice, alice, "1", conference.ErrHostRequired, "main"},
		{"missing room", byHost1, alice, "7", conference.ErrNotFound, "main"},
		{"malformed room", byHost1, alice, "room-1", conference.ErrInvalid, "main"},
		{"room 0 is malformed", byHost1, alice, "0", conference.ErrInvalid, "main"},
		{"room 21 is malformed", byHost1, alice, "21", conference.ErrInvalid, "main"},
		{"leading zero is malformed", byHost1, alice, "01", conference.ErrInvalid, "main"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newMeeting(t)
			m.addRooms(t, 2)
			pid := tt.who(m)
			_, err := m.c.Move(tt.actor(m), pid, tt.room)
			if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
				t.Fatalf("Move = %v, want %v", err, tt.wantErr)
			}
			if got := m.room(t, pid); got != tt.wantRoom {
				t.Fatalf("room = %q, want %q", got, tt.wantRoom)
			}
		})
	}
}

func TestMoveUnknownParticipant(t *testing.T) {
	m := newMeeting(t)
	if _, err := m.c.Move(conference.As(m.host1), "p-nobody", "main"); !errors.Is(err, conference.ErrNotFound) {
		t.Fatalf("Move = %v, want not_found", err)
	}
}

func TestMoveSendsToastToTheMovedParticipant(t *testing.T) {
	m := newMeeting(t)
	m.addRooms(t, 3)
	sub := m.c.Subscribe(64)
	defer sub.Close()
	if _, err := m.c.Move(conference.As(m.host1), m.alice, "3"); err != nil {
		t.Fatal(err)
	}
	if _, err := m.c.Move(conference.As(m.host2), m.alice, "main"); err != nil {
		t.Fatal(err)
	}
	toasts := ofType(drain(sub), conference.EventToast)
	want := []string{"You have been transferred to Breakout Room #3.", "You have been transferred to the Main Room."}
	if len(toasts) != len(want) {
		t.Fatalf("got %d toasts, want %d", len(toasts), len(want))
	}
	for i, e := range toasts {
		if e.Message != want[i] || e.Addressee != m.alice || e.TTLMillis != 10000 {
			t.Errorf("toast %d = %q to %s ttl %d", i, e.Message, e.Addressee, e.TTLMillis)
		}
	}
}

func TestNoOpMoveSendsNothing(t *testing.T) {
	m := newMeeting(t)
	sub := m.c.Subscribe(64)
	defer sub.Close()
	if _, err := m.c.Move(conference.As(m.host1), m.alice, "main"); err != nil {
		t.Fatal(err)
	}
	if evs := drain(sub); len(evs) != 0 {
		t.Fatalf("no-op move published %v", evs)
	}
}

func TestHostJoinsOneRoomAtATimeAndMovesAnyoneFromThere(t *testing.T) {
	m := newMeeting(t)
	m.addRooms(t, 3)
	h := conference.As(m.host1)
	if _, err := m.c.Join(h, "1"); err != nil {
		t.Fatal(err)
	}
	if _, err := m.c.Join(h, "2"); err != nil {
		t.Fatal(err)
	}
	if got := m.room(t, m.host1); got != "2" {
		t.Fatalf("host in %q, want 2", got)
	}
	for _, r := range m.c.Rooms() {
		for _, p := range r.Participants {
			if p.ID == m.host1 && r.ID != "2" {
				t.Fatalf("host also listed in room %s", r.ID)
			}
		}
	}
	if _, err := m.c.Move(h, m.bob, "3"); err != nil {
		t.Fatalf("host in room 2 moving bob to 3: %v", err)
	}
	if _, err := m.c.Join(conference.Admin, "1"); !errors.Is(err, conference.ErrHostRequired) {
		t.Fatalf("admin join = %v, want host_required", err)
	}
	if _, err := m.c.Join(conference.As(m.alice), "1"); !errors.Is(err, conference.ErrHostRequired) {
		t.Fatalf("participant join = %v, want host_required", err)
	}
}

func TestAuthorizationFollowsTheLiveRole(t *testing.T) {
	m := newMeeting(t)
	m.addRooms(t, 1)
	if _, err := m.c.Move(conference.As(m.alice), m.bob, "1"); !errors.Is(err, conference.ErrHostRequired) {
		t.Fatalf("before promotion: %v", err)
	}
	if _, err := m.c.SetHost(conference.As(m.host1), m.alice, true); err != nil {
		t.Fatal(err)
	}
	if _, err := m.c.Move(conference.As(m.alice), m.bob, "1"); err != nil {
		t.Fatalf("promoted host cannot move: %v", err)
	}
	if _, err := m.c.SetHost(conference.As(m.host1), m.host2, false); err != nil {
		t.Fatal(err)
	}
	if _, err := m.c.AddRoom(conference.As(m.host2)); !errors.Is(err, conference.ErrHostRequired) {
		t.Fatalf("demoted host added a room: %v", err)
	}
	if _, err := m.c.SetHost(conference.As(m.host1), m.phone, true); !errors.Is(err, &conference.Error{Code: conference.CodePhoneCannotHost}) {
		t.Fatalf("phone host = %v", err)
	}
	if err := m.c.Remove(conference.As(m.bob), m.bob); err != nil {
		t.Fatal(err)
	}
	if _, err := m.c.AddRoom(conference.As(m.bob)); !errors.Is(err, conference.ErrUnauthorized) {
		t.Fatalf("removed participant acted: %v", err)
	}
}

func byHost1(m *meeting) conference.Actor { return conference.As(m.host1) }
func byAdmin(*meeting) conference.Actor   { return conference.Admin }
func byAlice(m *meeting) conference.Actor { return conference.As(m.alice) }
func self1(m *meeting) string             { return m.host1 }
func alice(m *meeting) string             { return m.alice }
func bob(m *meeting) string               { return m.bob }
func host2(m *meeting) string             { return m.host2 }
func phone(m *meeting) string             { return m.phone }
func oldCarl(m *meeting) string           { return m.oldCarl }
