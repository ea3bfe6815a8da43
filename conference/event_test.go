package conference_test

import (
	"testing"

	"github.com/confgw/confgw/conference"
)

// bounce moves alice between the main room and room 1 n times, two events
// (the move and alice's toast) each.
func (m *meeting) bounce(t *testing.T, n int) {
	t.Helper()
	for i := range n {
		if _, err := m.c.Move(conference.As(m.host1), m.alice, []string{"1", conference.MainRoomID}[i%2]); err != nil {
			t.Fatal(err)
		}
	}
}

func TestALaggingSubscriberIsToldTheLastEventItWasSentAndCanResumeAfterIt(t *testing.T) {
	m := newMeeting(t)
	m.addRooms(t, 1)
	sub := m.c.Subscribe(8)
	defer sub.Close()
	m.bounce(t, 300)
	got := drain(sub)
	if len(got) == 0 {
		t.Fatal("no events")
	}
	notice := got[len(got)-1]
	if notice.Type != conference.EventStreamLagged || notice.Conference != "clinic" {
		t.Fatalf("the stream ended with %+v, want a %s", notice, conference.EventStreamLagged)
	}
	sent := got[:len(got)-1]
	if notice.Seq != sent[len(sent)-1].Seq {
		t.Fatalf("%s names seq %d, the last event sent was %d", notice.Type, notice.Seq, sent[len(sent)-1].Seq)
	}
	// 600 events is more than the old window of 256 kept.
	again := m.c.SubscribeAfter(notice.Seq, 1024)
	defer again.Close()
	rest := drain(again)
	if len(rest) == 0 || rest[0].Seq != notice.Seq+1 {
		t.Fatalf("resuming after %d starts at %+v", notice.Seq, rest[:min(len(rest), 1)])
	}
	for i := 1; i < len(rest); i++ {
		if rest[i].Seq != rest[i-1].Seq+1 {
			t.Fatalf("gap between %d and %d", rest[i-1].Seq, rest[i].Seq)
		}
	}
}

func TestResumingAfterEventsNoLongerKeptStartsWithAReset(t *testing.T) {
	reg := conference.NewRegistry(conference.Config{BreakoutDefault: true, ReplayEvents: 16})
	c, err := reg.Create(conference.Spec{ID: "clinic", Title: "Clinic"})
	if err != nil {
		t.Fatal(err)
	}
	m := &meeting{reg: reg, c: c}
	host, _ := c.AddApp(conference.Admin, conference.AppSpec{Name: "Host", Role: conference.RoleHost, ClientVersion: "5.0"})
	alice, _ := c.AddApp(conference.Admin, conference.AppSpec{Name: "Alice", ClientVersion: "5.0"})
	m.host1, m.alice = host.ID, alice.ID
	m.addRooms(t, 1)
	first := m.c.Subscribe(64)
	m.bounce(t, 1)
	seen := drain(first)
	first.Close()
	last := seen[len(seen)-1].Seq
	all := m.c.Subscribe(256)
	m.bounce(t, 20)
	missed := drain(all)
	all.Close()
	latest := missed[len(missed)-1].Seq

	again := m.c.SubscribeAfter(last, 64)
	defer again.Close()
	got := drain(again)
	if len(got) != 1 || got[0].Type != conference.EventStreamReset {
		t.Fatalf("resuming 40 events back in a window of 16 gave %d events, the first %+v", len(got), got[:min(len(got), 1)])
	}
	if got[0].Seq != latest {
		t.Fatalf("reset names seq %d, want the latest, %d", got[0].Seq, latest)
	}
	// A seq from before a restart is no seq of this conference.
	future := m.c.SubscribeAfter(last+1000, 64)
	defer future.Close()
	if got := drain(future); len(got) != 1 || got[0].Type != conference.EventStreamReset {
		t.Fatalf("resuming after a seq not yet given: %+v", got)
	}
	// Within the window, no reset.
	near := m.c.SubscribeAfter(latest-5, 64)
	defer near.Close()
	if got := drain(near); len(got) != 5 || got[0].Seq != latest-4 {
		t.Fatalf("resuming 5 back: %+v", got)
	}
}
