package conference_test

import (
	"sync"
	"testing"

	"github.com/confgw/confgw/conference"
)

// fakeLeg records hang-ups as the gateway's legs would receive them.
type fakeLeg struct {
	mu      sync.Mutex
	reasons []string
}

func (l *fakeLeg) HangUp(reason string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.reasons = append(l.reasons, reason)
}

func (l *fakeLeg) hungUp() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.reasons...)
}

// meeting is a conference with two hosts, three app participants (one on
// an old client) and a phone caller, as a clinic meeting might have.
type meeting struct {
	reg                 *conference.Registry
	c                   *conference.Conference
	host1, host2        string
	alice, bob, oldCarl string
	phone               string
	leg                 *fakeLeg
}

func newMeeting(t *testing.T) *meeting {
	t.Helper()
	reg := conference.NewRegistry(conference.Config{BreakoutDefault: true})
	c, err := reg.Create(conference.Spec{ID: "clinic", Title: "Clinic"})
	if err != nil {
		t.Fatal(err)
	}
	m := &meeting{reg: reg, c: c, leg: &fakeLeg{}}
	add := func(name string, role conference.Role, v string) string {
		p, err := c.AddApp(conference.Admin, conference.AppSpec{Name: name, Role: role, ClientVersion: v})
		if err != nil {
			t.Fatalf("add %s: %v", name, err)
		}
		return p.ID
	}
	m.host1 = add("Dr One", conference.RoleHost, "4.14")
	m.host2 = add("Dr Two", conference.RoleHost, "5.0")
	m.alice = add("Alice", "", "4.14.2")
	m.bob = add("Bob", conference.RoleParticipant, "10.0")
	m.oldCarl = add("Carl", "", "4.9")
	p, err := c.AddPhone(conference.PhoneSpec{Number: "+15550100", Direction: conference.DialIn, Leg: m.leg})
	if err != nil {
		t.Fatal(err)
	}
	m.phone = p.ID
	return m
}

func (m *meeting) room(t *testing.T, pid string) string {
	t.Helper()
	p, err := m.c.Participant(pid)
	if err != nil {
		t.Fatalf("participant %s: %v", pid, err)
	}
	return p.Room
}

func (m *meeting) addRooms(t *testing.T, n int) {
	t.Helper()
	for range n {
		if _, err := m.c.AddRoom(conference.As(m.host1)); err != nil {
			t.Fatal(err)
		}
	}
}

// drain returns the events received so far.
func drain(s *conference.Subscription) []conference.Event {
	var out []conference.Event
	for {
		select {
		case e, ok := <-s.C:
			if !ok {
				return out
			}
			out = append(out, e)
		default:
			return out
		}
	}
}

func ofType(evs []conference.Event, typ string) []conference.Event {
	var out []conference.Event
	for _, e := range evs {
		if e.Type == typ {
			out = append(out, e)
		}
	}
	return out
}
