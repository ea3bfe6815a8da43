package conference_test

import (
	"math/rand/v2"
	"strconv"
	"sync"
	"testing"

	"github.com/confgw/confgw/conference"
)

// TestConcurrentHostsKeepInvariants has hosts and the admin add, delete,
// join and move at once; afterwards nobody may be lost, in two rooms or in a
// room that no longer exists, and there may never be a 21st breakout room.
func TestConcurrentHostsKeepInvariants(t *testing.T) {
	m := newMeeting(t)
	var ids []string
	for i := range 30 {
		p, err := m.c.AddApp(conference.Admin, conference.AppSpec{Name: "P" + strconv.Itoa(i), ClientVersion: "4.14"})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	ids = append(ids, m.alice, m.bob, m.oldCarl, m.phone, m.host1, m.host2)
	actors := []conference.Actor{conference.As(m.host1), conference.As(m.host2), conference.Admin}
	sub := m.c.Subscribe(1 << 16)
	defer sub.Close()

	var wg sync.WaitGroup
	for g := range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(g), 42))
			a := actors[g%len(actors)]
			for range 400 {
				room := strconv.Itoa(1 + r.IntN(conference.MaxBreakoutRooms))
				if r.IntN(4) == 0 {
					room = conference.MainRoomID
				}
				switch r.IntN(12) {
				case 10:
					// Churn: someone joins, and maybe leaves again at once.
					p, err := m.c.AddApp(a, conference.AppSpec{Name: "Churn", ClientVersion: "4.14"})
					if err == nil && r.IntN(2) == 0 {
						_ = m.c.Remove(a, p.ID)
					}
				case 11:
					_, _ = m.c.SetHost(a, m.alice, r.IntN(2) == 0)
				case 0, 1:
					_, _ = m.c.AddRoom(a)
				case 2:
					_ = m.c.DeleteRoom(a, room)
				case 3:
					_, _ = m.c.Join(a, room)
				case 4:
					if r.IntN(20) == 0 {
						_ = m.c.SetBreakout(a, r.IntN(2) == 0)
					}
				default:
					_, _ = m.c.Move(a, ids[r.IntN(len(ids))], room)
				}
				if len(m.c.Rooms()) > conference.MaxBreakoutRooms+1 {
					t.Error("more than 20 breakout rooms")
					return
				}
			}
		}()
	}
	wg.Wait()

	rooms := m.c.Rooms()
	seen := map[string]string{}
	total := 0
	for _, r := range rooms {
		if r.Count != len(r.Participants) {
			t.Errorf("room %s count %d lists %d", r.ID, r.Count, len(r.Participants))
		}
		total += r.Count
		for _, p := range r.Participants {
			if prev, dup := seen[p.ID]; dup {
				t.Errorf("%s in rooms %s and %s", p.ID, prev, r.ID)
			}
			seen[p.ID] = r.ID
			if p.Room != r.ID {
				t.Errorf("%s listed in %s but says %s", p.ID, r.ID, p.Room)
			}
		}
	}
	if all := m.c.Participants(); total != len(all) || len(seen) != len(all) {
		t.Errorf("%d participants placed, %d listed", len(seen), len(all))
	}
	for _, id := range ids {
		if _, ok := seen[id]; !ok {
			t.Errorf("participant %s lost", id)
		}
	}
	for _, id := range []string{m.phone, m.oldCarl} {
		if seen[id] != conference.MainRoomID {
			t.Errorf("%s left the main room", id)
		}
	}
	mods := 0
	for _, p := range m.c.Participants() {
		if p.Moderator {
			mods++
			if p.Room != conference.MainRoomID {
				t.Errorf("moderator %s outside main", p.ID)
			}
		}
	}
	if mods > 1 {
		// A moderator keeps the flag only while it stays in main, so nobody
		// else can have been alone there since: two flags mean a lost update.
		t.Errorf("%d moderators in main", mods)
	}
	// Events arrive in strictly increasing order with no gaps.
	evs := drain(sub)
	if len(evs) == 0 {
		t.Fatal("no events")
	}
	last := evs[0].Seq - 1
	for _, e := range evs {
		if e.Seq != last+1 {
			t.Fatalf("event %d after %d", e.Seq, last)
		}
		last = e.Seq
	}
}
