package store_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/confgw/confgw/conference"
	"github.com/confgw/confgw/store"
)

func open(t *testing.T, dir string, opts ...store.Option) *store.Store {
	t.Helper()
	s, err := store.Open(dir, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// latestSchema is the number of the last migration in migrations/,
// counted rather than written down, so that branches adding migrations
// only add files.
func latestSchema(t *testing.T) int {
	t.Helper()
	files, err := filepath.Glob("migrations/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no migrations: %v", err)
	}
	return len(files)
}

func TestAnEmptyDirectoryIsMigratedToTheLatestSchemaOnce(t *testing.T) {
	latestSchema := latestSchema(t)
	dir := filepath.Join(t.TempDir(), "new")
	s := open(t, dir)
	v, err := s.Version()
	if err != nil || v != latestSchema {
		t.Fatalf("schema version of a new database: %d %v, want %d", v, err, latestSchema)
	}
	if _, err := os.Stat(filepath.Join(dir, store.FileName)); err != nil {
		t.Fatalf("no database file: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	again := open(t, dir)
	if v, err := again.Version(); err != nil || v != latestSchema {
		t.Fatalf("schema version reopened: %d %v", v, err)
	}
}

func TestWhatIsWrittenIsReadBack(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	created := time.Date(2025, 3, 4, 5, 6, 7, 891, time.UTC)
	if err := s.Create(conference.ConferenceRecord{ID: "c", Title: "Clinic", DialIn: "4711", PIN: "0042", Breakout: true, Keypad: true, CreatedAt: created, EventSeq: 1024}); err != nil {
		t.Fatal(err)
	}
	if err := s.Create(conference.ConferenceRecord{ID: "b", Title: "Board", DialIn: "b", CreatedAt: created}); err != nil {
		t.Fatal(err)
	}
	if err := s.Create(conference.ConferenceRecord{ID: "x", Title: "Same dial-in", DialIn: "4711", CreatedAt: created}); err == nil {
		t.Fatal("a second conference on a taken dial-in was written")
	}
	joined := created.Add(time.Minute)
	host := conference.ParticipantRecord{ID: "p-1", Name: "Host", Role: conference.RoleHost, Moderator: true, Room: "main", ClientVersion: "5.0", Seq: 1, JoinedAt: joined}
	alice := conference.ParticipantRecord{ID: "p-2", Name: "Alice", Role: conference.RoleParticipant, Room: "main", ClientVersion: "4.14", Seq: 2, JoinedAt: joined}
	steps := []conference.Change{
		{Conference: "c", AddRooms: []int{1, 2, 3}, PutParticipants: []conference.ParticipantRecord{host, alice}},
		{Conference: "c", DeleteRooms: []int{2}, EventSeq: 2048},
	}
	alice.Room = "3"
	alice.Muted, alice.MutedBy, alice.Locked = true, "p-1", true
	alice.HandRaisedAt, alice.Help = joined.Add(time.Second), true
	off, on := false, true
	steps = append(steps,
		conference.Change{Conference: "c", PutParticipants: []conference.ParticipantRecord{alice}},
		conference.Change{Conference: "b", Breakout: &off},
		conference.Change{Conference: "b", Keypad: &on},
		conference.Change{Conference: "c", Keypad: &off},
	)
	for _, ch := range steps {
		if err := s.Apply(ch); err != nil {
			t.Fatalf("apply %+v: %v", ch, err)
		}
	}
	if err := s.Apply(conference.Change{Conference: "nobody", AddRooms: []int{1}}); !errors.Is(err, store.ErrNoConference) {
		t.Fatalf("a change of a conference not held: %v, want ErrNoConference", err)
	}
	s.Close()

	got, err := open(t, dir).Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != "b" || got[1].ID != "c" {
		t.Fatalf("loaded %+v, want b and c", got)
	}
	b, c := got[0], got[1]
	if b.Breakout || !b.Keypad || len(b.Rooms) != 0 || len(b.Participants) != 0 {
		t.Fatalf("b loaded as %+v", b)
	}
	if c.Title != "Clinic" || c.DialIn != "4711" || c.PIN != "0042" || !c.Breakout || c.Keypad || !c.CreatedAt.Equal(created) || c.EventSeq != 2048 {
		t.Fatalf("c loaded as %+v", c.ConferenceRecord)
	}
	if !slices.Equal(c.Rooms, []int{1, 3}) {
		t.Fatalf("c's rooms %v, want [1 3]", c.Rooms)
	}
	if len(c.Participants) != 2 {
		t.Fatalf("c's participants %+v", c.Participants)
	}
	for i, want := range []conference.ParticipantRecord{host, alice} {
		p := c.Participants[i]
		if !p.JoinedAt.Equal(want.JoinedAt) {
			t.Errorf("participant %d joined at %v, want %v", i, p.JoinedAt, want.JoinedAt)
		}
		if !p.HandRaisedAt.Equal(want.HandRaisedAt) {
			t.Errorf("participant %d raised its hand at %v, want %v", i, p.HandRaisedAt, want.HandRaisedAt)
		}
		p.JoinedAt, p.HandRaisedAt = want.JoinedAt, want.HandRaisedAt
		if p != want {
			t.Errorf("participant %d loaded as %+v, want %+v", i, p, want)
		}
	}
}

func TestADeletedConferenceTakesItsRoomsAndParticipantsAlong(t *testing.T) {
	s := open(t, t.TempDir())
	if err := s.Create(conference.ConferenceRecord{ID: "c", Title: "C", DialIn: "c", CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if err := s.Apply(conference.Change{Conference: "c", AddRooms: []int{1},
		PutParticipants: []conference.ParticipantRecord{{ID: "p", Name: "P", Role: conference.RoleHost, Room: "1", ClientVersion: "5.0", Seq: 1, JoinedAt: time.Now()}}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete("c"); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete("c"); !errors.Is(err, store.ErrNoConference) {
		t.Fatalf("deleting it twice: %v, want ErrNoConference", err)
	}
	// The id and dial-in are free again, with nothing of before.
	if err := s.Create(conference.ConferenceRecord{ID: "c", Title: "C again", DialIn: "c", CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Load()
	if err != nil || len(got) != 1 || len(got[0].Rooms) != 0 || len(got[0].Participants) != 0 {
		t.Fatalf("after delete and create: %+v %v", got, err)
	}
}

func TestTheStoreTimesItsWritesAndCountsItsFailures(t *testing.T) {
	reg := prometheus.NewRegistry()
	s := open(t, t.TempDir(), store.WithMetrics(reg))
	if err := s.Create(conference.ConferenceRecord{ID: "c", Title: "C", DialIn: "c", CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	_ = s.Apply(conference.Change{Conference: "missing", AddRooms: []int{1}})
	if n := testutil.CollectAndCount(reg, "confgw_store_write_seconds"); n != 4 {
		t.Fatalf("%d write latency series, want one per operation", n)
	}
	want := `
# HELP confgw_store_write_errors_total Changes of the conferences' state that could not be committed, by operation; the API refused them 503 storage_unavailable.
# TYPE confgw_store_write_errors_total counter
confgw_store_write_errors_total{op="apply"} 1
confgw_store_write_errors_total{op="create"} 0
confgw_store_write_errors_total{op="delete"} 0
confgw_store_write_errors_total{op="migrate"} 0
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "confgw_store_write_errors_total"); err != nil {
		t.Fatal(err)
	}
}

// A registry opened on the directory of one that is gone has its
// conferences: rooms added and deleted, participants moved.
func TestANewRegistryOnTheSameDirectoryHasEverythingTheOldOneWrote(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	reg := conference.NewRegistry(conference.Config{BreakoutDefault: true, Journal: s})
	c, err := reg.Create(conference.Spec{ID: "clinic", Title: "Clinic", PIN: "77"})
	if err != nil {
		t.Fatal(err)
	}
	host, err := c.AddApp(conference.Admin, conference.AppSpec{Name: "Dr One", Role: conference.RoleHost, ClientVersion: "4.14"})
	if err != nil {
		t.Fatal(err)
	}
	alice, err := c.AddApp(conference.Admin, conference.AppSpec{Name: "Alice", ClientVersion: "4.14.2"})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := c.AddRoom(conference.As(host.ID)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.Move(conference.As(host.ID), alice.ID, "2"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Join(conference.As(host.ID), "1"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Mute(conference.As(host.ID), alice.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := c.RaiseHand(conference.As(alice.ID), alice.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AskHelp(conference.As(alice.ID), alice.ID); err != nil {
		t.Fatal(err)
	}
	off := false
	if err := c.Configure(conference.As(host.ID), conference.Settings{Keypad: &off}); err != nil {
		t.Fatal(err)
	}
	want := c.Info()
	reg.EndAll()
	s.Close()

	s2 := open(t, dir)
	again, err := conference.RestoreRegistry(conference.Config{BreakoutDefault: true, Journal: s2})
	if err != nil {
		t.Fatal(err)
	}
	defer again.EndAll()
	got, err := again.Get("clinic")
	if err != nil {
		t.Fatal(err)
	}
	info := got.Info()
	if info.Title != want.Title || info.Keypad || !info.PINRequired || !info.CreatedAt.Equal(want.CreatedAt) || len(info.Rooms) != 3 {
		t.Fatalf("restored %+v, want %+v", info, want)
	}
	for i, r := range want.Rooms {
		if info.Rooms[i].ID != r.ID || info.Rooms[i].Count != r.Count {
			t.Errorf("room %d restored as %s with %d, want %s with %d", i, info.Rooms[i].ID, info.Rooms[i].Count, r.ID, r.Count)
		}
	}
	for _, p := range want.Participants {
		q, err := got.Participant(p.ID)
		if err != nil {
			t.Fatalf("%s not restored: %v", p.Name, err)
		}
		if q.Room != p.Room || q.Role != p.Role || q.Moderator != p.Moderator || q.ClientVersion != p.ClientVersion || q.Name != p.Name ||
			q.Muted != p.Muted || q.MutedBy != p.MutedBy || q.Locked != p.Locked || q.Hand != p.Hand || q.Help != p.Help ||
			(p.Hand && !q.HandRaisedAt.Equal(*p.HandRaisedAt)) {
			t.Errorf("%s restored as %+v, want %+v", p.Name, q, p)
		}
	}
	if q, _ := got.Participant(alice.ID); !q.Muted || !q.Locked {
		t.Errorf("Alice's locked mute came undone in the restart: %+v", q)
	}
	// It goes on: the restored host still acts as one.
	if _, err := got.Move(conference.As(host.ID), alice.ID, "1"); err != nil {
		t.Fatalf("the restored host moving Alice: %v", err)
	}
}

// Writes made at once share transactions, and one that fails is undone
// alone: the others are all there after a reopen.
func TestConcurrentWritesCommitTogetherAndAFailureStaysItsOwn(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	created := time.Now()
	const n = 40
	for i := range n {
		if err := s.Create(conference.ConferenceRecord{ID: fmt.Sprint("c", i), Title: "T", DialIn: fmt.Sprint("d", i), CreatedAt: created}); err != nil {
			t.Fatal(err)
		}
	}
	errs := make(chan error, n+1)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- s.Apply(conference.Change{Conference: fmt.Sprint("c", i), AddRooms: []int{1 + i%20}})
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := s.Apply(conference.Change{Conference: "nobody", AddRooms: []int{1}}); !errors.Is(err, store.ErrNoConference) {
			errs <- fmt.Errorf("the bad write: %v, want ErrNoConference", err)
		}
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	got, err := open(t, dir).Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != n {
		t.Fatalf("%d conferences after the reopen, want %d", len(got), n)
	}
	for _, c := range got {
		if len(c.Rooms) != 1 {
			t.Fatalf("%s has rooms %v, want the one its write added", c.ID, c.Rooms)
		}
	}
}

func TestBansAreWrittenLiftedReadBackAndDeletedWithTheirConference(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	at := time.Date(2025, 3, 4, 5, 6, 7, 891, time.UTC)
	for _, id := range []string{"c", "d"} {
		if err := s.Create(conference.ConferenceRecord{ID: id, Title: id, DialIn: id, CreatedAt: at}); err != nil {
			t.Fatal(err)
		}
	}
	phone := conference.Ban{Number: "+15550100", Name: "Caller", BannedBy: "p-host", At: at, Reason: "shouting"}
	app := conference.Ban{Participant: "p-bob", Name: "Bob", BannedBy: "admin", At: at.Add(time.Second)}
	lifted := conference.Ban{Number: "+15550111", Name: "+15550111", BannedBy: "admin", At: at}
	steps := []conference.Change{
		{Conference: "c", PutBans: []conference.Ban{phone, app, lifted}},
		{Conference: "c", DeleteBans: []conference.Ban{lifted}},
		// The same number in another conference is another ban.
		{Conference: "d", PutBans: []conference.Ban{phone}},
	}
	for _, ch := range steps {
		if err := s.Apply(ch); err != nil {
			t.Fatalf("apply %+v: %v", ch, err)
		}
	}
	s.Close()

	s = open(t, dir)
	got, err := s.Load()
	if err != nil || len(got) != 2 {
		t.Fatalf("loaded %+v %v", got, err)
	}
	c := got[0].Bans
	if len(c) != 2 {
		t.Fatalf("c's bans %+v, want the phone's and the app's", c)
	}
	for i, want := range []conference.Ban{phone, app} {
		b := c[i]
		if !b.At.Equal(want.At) {
			t.Errorf("ban %d at %v, want %v", i, b.At, want.At)
		}
		b.At = want.At
		if b != want {
			t.Errorf("ban %d loaded as %+v, want %+v", i, b, want)
		}
	}
	if len(got[1].Bans) != 1 || got[1].Bans[0].Number != phone.Number {
		t.Fatalf("d's bans %+v", got[1].Bans)
	}
	if err := s.Delete("c"); err != nil {
		t.Fatal(err)
	}
	if err := s.Create(conference.ConferenceRecord{ID: "c", Title: "again", DialIn: "c", CreatedAt: at}); err != nil {
		t.Fatal(err)
	}
	got, err = s.Load()
	if err != nil || len(got[0].Bans) != 0 {
		t.Fatalf("a conference made again on a deleted one's id has its bans: %+v %v", got[0].Bans, err)
	}
}
