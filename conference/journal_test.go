package conference_test

import (
	"errors"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/confgw/confgw/conference"
)

// memJournal is a journal in memory that can be made to fail, so that the
// conference's side of journaling is tested without a disk.
type memJournal struct {
	mu    sync.Mutex
	fail  error
	confs map[string]*conference.Saved
}

func newMemJournal() *memJournal { return &memJournal{confs: map[string]*conference.Saved{}} }

func (j *memJournal) failWith(err error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.fail = err
}

func (j *memJournal) Create(c conference.ConferenceRecord) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.fail != nil {
		return j.fail
	}
	j.confs[c.ID] = &conference.Saved{ConferenceRecord: c}
	return nil
}

func (j *memJournal) Apply(ch conference.Change) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.fail != nil {
		return j.fail
	}
	s, ok := j.confs[ch.Conference]
	if !ok {
		return errors.New("no such conference")
	}
	if ch.Breakout != nil {
		s.Breakout = *ch.Breakout
	}
	if ch.EventSeq != 0 {
		s.EventSeq = ch.EventSeq
	}
	s.Rooms = slices.DeleteFunc(s.Rooms, func(n int) bool { return slices.Contains(ch.DeleteRooms, n) })
	s.Rooms = append(s.Rooms, ch.AddRooms...)
	s.Participants = slices.DeleteFunc(s.Participants, func(p conference.ParticipantRecord) bool {
		return slices.Contains(ch.DeleteParticipants, p.ID) ||
			slices.ContainsFunc(ch.PutParticipants, func(q conference.ParticipantRecord) bool { return q.ID == p.ID })
	})
	s.Participants = append(s.Participants, ch.PutParticipants...)
	s.Bans = slices.DeleteFunc(s.Bans, func(b conference.Ban) bool {
		same := func(o conference.Ban) bool { return o.Key() == b.Key() }
		return slices.ContainsFunc(ch.DeleteBans, same) || slices.ContainsFunc(ch.PutBans, same)
	})
	s.Bans = append(s.Bans, ch.PutBans...)
	return nil
}

func (j *memJournal) Delete(id string) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.fail != nil {
		return j.fail
	}
	delete(j.confs, id)
	return nil
}

func (j *memJournal) Load() ([]conference.Saved, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	var out []conference.Saved
	for _, id := range slices.Sorted(maps.Keys(j.confs)) {
		s := *j.confs[id]
		s.Rooms = slices.Clone(s.Rooms)
		s.Participants = slices.Clone(s.Participants)
		s.Bans = slices.Clone(s.Bans)
		slices.SortFunc(s.Participants, func(a, b conference.ParticipantRecord) int { return int(a.Seq) - int(b.Seq) })
		out = append(out, s)
	}
	return out, nil
}

var errDiskGone = errors.New("disk gone")

func TestAChangeTheJournalRefusesIsNotMadeAndTellsNoOne(t *testing.T) {
	j := newMemJournal()
	reg := conference.NewRegistry(conference.Config{BreakoutDefault: true, Journal: j})
	t.Cleanup(reg.EndAll)
	c, err := reg.Create(conference.Spec{ID: "c", Title: "C"})
	if err != nil {
		t.Fatal(err)
	}
	host, err := c.AddApp(conference.Admin, conference.AppSpec{Name: "Host", Role: conference.RoleHost, ClientVersion: "5.0"})
	if err != nil {
		t.Fatal(err)
	}
	alice, err := c.AddApp(conference.Admin, conference.AppSpec{Name: "Alice", ClientVersion: "5.0"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.AddRoom(conference.Admin); err != nil {
		t.Fatal(err)
	}
	before := c.Info()
	sub := c.Subscribe(64)
	defer sub.Close()

	j.failWith(errDiskGone)
	as := conference.As(host.ID)
	refusals := map[string]error{}
	_, refusals["add participant"] = c.AddApp(as, conference.AppSpec{Name: "Bob", ClientVersion: "5.0"})
	_, refusals["add room"] = c.AddRoom(as)
	refusals["delete room"] = c.DeleteRoom(as, "1")
	_, refusals["move"] = c.Move(as, alice.ID, "1")
	_, refusals["join"] = c.Join(as, "1")
	_, refusals["make host"] = c.SetHost(as, alice.ID, true)
	refusals["switch breakout off"] = c.SetBreakout(as, false)
	refusals["remove"] = c.Remove(as, alice.ID)
	refusals["end"] = reg.End(conference.Admin, "c")
	_, refusals["create"] = reg.Create(conference.Spec{ID: "d", Title: "D"})
	for what, err := range refusals {
		if !errors.Is(err, conference.ErrStorageUnavailable) {
			t.Errorf("%s with the journal failing: %v, want storage_unavailable", what, err)
		}
	}
	if after := c.Info(); !reflect.DeepEqual(before, after) {
		t.Fatalf("refused changes changed the conference:\nbefore %+v\nafter  %+v", before, after)
	}
	select {
	case e := <-sub.C:
		t.Fatalf("a refused change was told: %+v", e)
	default:
	}
	if _, err := reg.Get("d"); err == nil {
		t.Fatal("a conference the journal refused is in the registry")
	}

	j.failWith(nil)
	if _, err := c.Move(as, alice.ID, "1"); err != nil {
		t.Fatalf("the same move once the journal is back: %v", err)
	}
	if e := <-sub.C; e.Type != conference.EventParticipantMoved {
		t.Fatalf("first event after the journal came back: %s, want %s", e.Type, conference.EventParticipantMoved)
	}
}

func TestARestoredRegistryHasTheConferencesAsTheyWereAndGoesOnNumberingEvents(t *testing.T) {
	j := newMemJournal()
	reg := conference.NewRegistry(conference.Config{BreakoutDefault: true, Journal: j})
	c, err := reg.Create(conference.Spec{ID: "c", Title: "C", DialIn: "4711", PIN: "1234"})
	if err != nil {
		t.Fatal(err)
	}
	all := c.Subscribe(256)
	host, _ := c.AddApp(conference.Admin, conference.AppSpec{Name: "Host", Role: conference.RoleHost, ClientVersion: "5.0"})
	alice, _ := c.AddApp(conference.Admin, conference.AppSpec{Name: "Alice", ClientVersion: "5.0"})
	if _, err := c.AddPhone(conference.PhoneSpec{Number: "+15550100", Direction: conference.DialIn}); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := c.AddRoom(conference.As(host.ID)); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.DeleteRoom(conference.Admin, "2"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Move(conference.Admin, alice.ID, "3"); err != nil {
		t.Fatal(err)
	}
	if _, err := reg.Create(conference.Spec{ID: "gone", Title: "Gone"}); err != nil {
		t.Fatal(err)
	}
	if err := reg.End(conference.Admin, "gone"); err != nil {
		t.Fatal(err)
	}
	before := c.Info()
	all.Close()
	lastSeq := uint64(0)
	for e := range all.C {
		lastSeq = e.Seq
	}
	reg.EndAll()

	again, err := conference.RestoreRegistry(conference.Config{BreakoutDefault: true, Journal: j})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(again.EndAll)
	if list := again.List(); len(list) != 1 || list[0].ID() != "c" {
		t.Fatalf("restored %d conferences, want c alone", len(list))
	}
	r, err := again.ByDialIn("4711")
	if err != nil || !r.CheckPIN("1234") || r.CheckPIN("0000") {
		t.Fatalf("the restored conference's dial-in and PIN: %v", err)
	}
	after := r.Info()
	if after.Title != before.Title || after.BreakoutEnabled != before.BreakoutEnabled || !after.CreatedAt.Equal(before.CreatedAt) {
		t.Fatalf("restored %+v, want %+v", after, before)
	}
	var rooms []string
	for _, room := range after.Rooms {
		rooms = append(rooms, room.ID+":"+strconv.Itoa(room.Count))
	}
	if want := []string{"main:1", "1:0", "3:1"}; !slices.Equal(rooms, want) {
		t.Fatalf("restored rooms %v, want %v (the phone gone)", rooms, want)
	}
	p, err := r.Participant(alice.ID)
	if err != nil || p.Room != "3" || p.ClientVersion != alice.ClientVersion || !p.JoinedAt.Equal(alice.JoinedAt) {
		t.Fatalf("restored Alice: %+v %v", p, err)
	}
	h, err := r.Participant(host.ID)
	if err != nil || h.Role != conference.RoleHost || !h.Moderator {
		t.Fatalf("restored host: %+v %v, want a host leading the main room", h, err)
	}
	// A stream resuming from before the restart is told to re-read, and
	// new events number on above every old one.
	resumed := r.SubscribeAfter(1, 16)
	defer resumed.Close()
	if e := <-resumed.C; e.Type != conference.EventStreamReset {
		t.Fatalf("a stream resuming from before the restart got %s first, want %s", e.Type, conference.EventStreamReset)
	}
	if _, err := r.AddRoom(conference.Admin); err != nil {
		t.Fatal(err)
	}
	if e := <-resumed.C; e.Type != conference.EventRoomAdded || e.Seq <= lastSeq {
		t.Fatalf("first new event %s numbered %d, want %s above the %d of before the restart", e.Type, e.Seq, conference.EventRoomAdded, lastSeq)
	}
}

// A call that ends cannot be refused, so while the journal fails its
// consequences stand in memory; the next change the journal takes brings
// them along, and a restart finds them.
func TestWhatAPhoneLeftBehindWhileTheJournalFailedIsSavedWithTheNextChange(t *testing.T) {
	j := newMemJournal()
	reg := conference.NewRegistry(conference.Config{BreakoutDefault: true, Journal: j})
	c, err := reg.Create(conference.Spec{ID: "c", Title: "C"})
	if err != nil {
		t.Fatal(err)
	}
	phone, err := c.AddPhone(conference.PhoneSpec{Number: "+15550100", Direction: conference.DialIn})
	if err != nil {
		t.Fatal(err)
	}
	alice, err := c.AddApp(conference.Admin, conference.AppSpec{Name: "Alice", ClientVersion: "5.0"})
	if err != nil {
		t.Fatal(err)
	}
	j.failWith(errDiskGone)
	if !c.Leave(phone.ID, conference.ReasonCallerHungUp) {
		t.Fatal("the phone was not there to leave")
	}
	if p, _ := c.Participant(alice.ID); !p.Moderator {
		t.Fatal("Alice, alone in the main room, does not lead it")
	}
	j.failWith(nil)
	bob, err := c.AddApp(conference.Admin, conference.AppSpec{Name: "Bob", ClientVersion: "5.0"})
	if err != nil {
		t.Fatal(err)
	}
	reg.EndAll()

	again, err := conference.RestoreRegistry(conference.Config{BreakoutDefault: true, Journal: j})
	if err != nil {
		t.Fatal(err)
	}
	defer again.EndAll()
	r, err := again.Get("c")
	if err != nil {
		t.Fatal(err)
	}
	if p, err := r.Participant(alice.ID); err != nil || !p.Moderator {
		t.Fatalf("Alice after the restart: %+v %v, want her leading the main room", p, err)
	}
	if p, err := r.Participant(bob.ID); err != nil || p.Moderator {
		t.Fatalf("Bob after the restart: %+v %v, want him in the main room Alice leads", p, err)
	}
}
