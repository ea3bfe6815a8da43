package conference_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/confgw/confgw/conference"
)

func TestAHangUpWithABanRefusesTheNumberUntilTheBanIsLifted(t *testing.T) {
	m := newMeeting(t)
	sub := m.c.Subscribe(64)
	defer sub.Close()
	if err := m.c.HangUpAndBan(conference.As(m.host1), m.phone, conference.BanSpec{Reason: "  shouting  "}); err != nil {
		t.Fatal(err)
	}
	if got := m.leg.hungUp(); len(got) != 1 || got[0] != conference.ReasonBannedByHost {
		t.Fatalf("leg hang-ups %v", got)
	}
	if !m.c.Banned("+15550100") {
		t.Fatal("the number is not banned")
	}
	if m.c.Banned("+15550199") || m.c.Banned("") {
		t.Fatal("another number, or none, is banned")
	}
	bans, err := m.c.Bans(conference.As(m.host2))
	if err != nil {
		t.Fatal(err)
	}
	if len(bans) != 1 || bans[0].Number != "+15550100" || bans[0].BannedBy != m.host1 || bans[0].Reason != "shouting" ||
		bans[0].Name != "+15550100" || bans[0].At.IsZero() || bans[0].Participant != "" {
		t.Fatalf("bans %+v", bans)
	}
	if _, err := m.c.AddPhone(conference.PhoneSpec{Number: "+15550100", Direction: conference.DialIn}); !errors.Is(err, conference.ErrBanned) {
		t.Fatalf("a banned number's dial-in joined: %v", err)
	}
	if _, err := m.c.AddPhone(conference.PhoneSpec{Number: "+15550100", Direction: conference.DialOut}); !errors.Is(err, conference.ErrBanned) {
		t.Fatalf("a dial-out to a banned number was placed: %v", err)
	}
	evs := drain(sub)
	if left := ofType(evs, conference.EventParticipantLeft); len(left) != 1 || left[0].Reason != conference.ReasonBannedByHost {
		t.Fatalf("left events %+v", left)
	}
	if added := ofType(evs, conference.EventBanAdded); len(added) != 1 || added[0].Ban == nil || added[0].Ban.Number != "+15550100" {
		t.Fatalf("ban.added events %+v", added)
	}

	if err := m.c.Unban(conference.As(m.alice), "+15550100"); !errors.Is(err, conference.ErrHostRequired) {
		t.Fatalf("a participant lifted a ban: %v", err)
	}
	if err := m.c.Unban(conference.Admin, "+15550100"); err != nil {
		t.Fatal(err)
	}
	if err := m.c.Unban(conference.Admin, "+15550100"); !errors.Is(err, conference.ErrNotFound) {
		t.Fatalf("lifting a lifted ban: %v", err)
	}
	if m.c.Banned("+15550100") {
		t.Fatal("the number is still banned")
	}
	if removed := ofType(drain(sub), conference.EventBanRemoved); len(removed) != 1 || removed[0].Ban.Number != "+15550100" {
		t.Fatalf("ban.removed events %+v", removed)
	}
	if _, err := m.c.AddPhone(conference.PhoneSpec{Number: "+15550100", Direction: conference.DialIn}); err != nil {
		t.Fatalf("the number is refused after its ban was lifted: %v", err)
	}
}

func TestABanHangsUpEveryCallOfTheNumberAndNoOtherNumber(t *testing.T) {
	m := newMeeting(t)
	second, third := &fakeLeg{}, &fakeLeg{}
	p2, err := m.c.AddPhone(conference.PhoneSpec{Number: "+15550100", Direction: conference.DialIn, Leg: second})
	if err != nil {
		t.Fatal(err)
	}
	p3, err := m.c.AddPhone(conference.PhoneSpec{Number: "+15550177", Direction: conference.DialIn, Leg: third})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.c.HangUpAndBan(conference.Admin, m.phone, conference.BanSpec{}); err != nil {
		t.Fatal(err)
	}
	if got := second.hungUp(); len(got) != 1 || got[0] != conference.ReasonBannedByHost {
		t.Fatalf("the number's second call: hang-ups %v", got)
	}
	if _, err := m.c.Participant(p2.ID); !errors.Is(err, conference.ErrNotFound) {
		t.Fatalf("the number's second call is still in: %v", err)
	}
	if got := third.hungUp(); len(got) != 0 {
		t.Fatalf("another number was hung up: %v", got)
	}
	if _, err := m.c.Participant(p3.ID); err != nil {
		t.Fatal(err)
	}
}

func TestBanningNeedsAHostAndAPhoneWithANumber(t *testing.T) {
	m := newMeeting(t)
	if err := m.c.HangUpAndBan(conference.As(m.alice), m.phone, conference.BanSpec{}); !errors.Is(err, conference.ErrHostRequired) {
		t.Fatalf("a participant banned: %v", err)
	}
	if err := m.c.RemoveAndBan(conference.As(m.alice), m.alice, conference.BanSpec{}); !errors.Is(err, conference.ErrHostRequired) {
		t.Fatalf("a participant banned itself: %v", err)
	}
	if err := m.c.HangUpAndBan(conference.As(m.host1), m.alice, conference.BanSpec{}); !errors.Is(err, conference.ErrNotPhone) {
		t.Fatalf("hang-up with a ban of an app participant: %v", err)
	}
	if err := m.c.HangUpAndBan(conference.As(m.host1), m.phone, conference.BanSpec{Reason: "one\nline"}); !errors.Is(err, conference.ErrInvalid) {
		t.Fatalf("a reason of two lines: %v", err)
	}
	if err := m.c.HangUpAndBan(conference.As(m.host1), m.phone, conference.BanSpec{Reason: strings.Repeat("x", 201)}); !errors.Is(err, conference.ErrInvalid) {
		t.Fatalf("a reason too long: %v", err)
	}
	anon, err := m.c.AddPhone(conference.PhoneSpec{Number: "\x07", Direction: conference.DialIn, Leg: &fakeLeg{}})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.c.HangUpAndBan(conference.As(m.host1), anon.ID, conference.BanSpec{}); !errors.Is(err, conference.ErrNoCallerNumber) {
		t.Fatalf("ban of a caller without a number: %v", err)
	}
	if _, err := m.c.Participant(m.phone); err != nil {
		t.Fatalf("a refused ban hung up the phone: %v", err)
	}
	if got := m.leg.hungUp(); len(got) != 0 {
		t.Fatalf("a refused ban hung up the leg: %v", got)
	}
	if _, err := m.c.Bans(conference.As(m.alice)); !errors.Is(err, conference.ErrHostRequired) {
		t.Fatalf("a participant listed the bans: %v", err)
	}
	if bans, _ := m.c.Bans(conference.Admin); len(bans) != 0 {
		t.Fatalf("refused bans were kept: %+v", bans)
	}
}

func TestAnAppParticipantRemovedWithABanIsGoneAndListedByItsID(t *testing.T) {
	m := newMeeting(t)
	if err := m.c.RemoveAndBan(conference.As(m.host1), m.bob, conference.BanSpec{Reason: "spam"}); err != nil {
		t.Fatal(err)
	}
	if err := m.c.Member(conference.As(m.bob)); !errors.Is(err, conference.ErrUnauthorized) {
		t.Fatalf("the banned participant still reads the conference: %v", err)
	}
	bans, _ := m.c.Bans(conference.Admin)
	if len(bans) != 1 || bans[0].Participant != m.bob || bans[0].Number != "" || bans[0].Name != "Bob" || bans[0].Key() != m.bob {
		t.Fatalf("bans %+v", bans)
	}
	if m.c.Banned(m.bob) {
		t.Fatal("an app participant's id bans a phone number")
	}
	if err := m.c.Unban(conference.As(m.host1), m.bob); err != nil {
		t.Fatal(err)
	}
	if err := m.c.Member(conference.As(m.bob)); !errors.Is(err, conference.ErrUnauthorized) {
		t.Fatalf("lifting the ban brought the participant back: %v", err)
	}
}

func TestBansPastTheCapAreRefusedAndTheCallStays(t *testing.T) {
	reg := conference.NewRegistry(conference.Config{MaxBans: 2})
	c, err := reg.Create(conference.Spec{ID: "c", Title: "C"})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, n := range []string{"+1", "+2", "+3"} {
		p, err := c.AddPhone(conference.PhoneSpec{Number: n, Direction: conference.DialIn, Leg: &fakeLeg{}})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	for _, id := range ids[:2] {
		if err := c.HangUpAndBan(conference.Admin, id, conference.BanSpec{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.HangUpAndBan(conference.Admin, ids[2], conference.BanSpec{}); !errors.Is(err, conference.ErrBanLimit) {
		t.Fatalf("a third ban: %v", err)
	}
	if _, err := c.Participant(ids[2]); err != nil {
		t.Fatalf("the refused ban's caller is gone: %v", err)
	}
	if st := reg.Stats(); st.Bans != 2 || st.MostBans != 2 {
		t.Fatalf("stats %+v", st)
	}
	if err := c.Unban(conference.Admin, "+1"); err != nil {
		t.Fatal(err)
	}
	if err := c.HangUpAndBan(conference.Admin, ids[2], conference.BanSpec{}); err != nil {
		t.Fatalf("a ban once one was lifted: %v", err)
	}
}

func TestBansAreJournaledRestoredAndNotMadeWhenTheJournalFails(t *testing.T) {
	j := newMemJournal()
	reg := conference.NewRegistry(conference.Config{Journal: j})
	c, err := reg.Create(conference.Spec{ID: "c", Title: "C"})
	if err != nil {
		t.Fatal(err)
	}
	host, err := c.AddApp(conference.Admin, conference.AppSpec{Name: "H", Role: conference.RoleHost, ClientVersion: "4.14"})
	if err != nil {
		t.Fatal(err)
	}
	app, err := c.AddApp(conference.Admin, conference.AppSpec{Name: "A", ClientVersion: "4.14"})
	if err != nil {
		t.Fatal(err)
	}
	phone, err := c.AddPhone(conference.PhoneSpec{Number: "+15550100", Direction: conference.DialIn, Leg: &fakeLeg{}})
	if err != nil {
		t.Fatal(err)
	}
	other, err := c.AddPhone(conference.PhoneSpec{Number: "+15550111", Direction: conference.DialIn, Leg: &fakeLeg{}})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.HangUpAndBan(conference.As(host.ID), phone.ID, conference.BanSpec{Reason: "noise"}); err != nil {
		t.Fatal(err)
	}
	if err := c.RemoveAndBan(conference.As(host.ID), app.ID, conference.BanSpec{}); err != nil {
		t.Fatal(err)
	}
	j.failWith(errDiskGone)
	if err := c.HangUpAndBan(conference.As(host.ID), other.ID, conference.BanSpec{}); !errors.Is(err, conference.ErrStorageUnavailable) {
		t.Fatalf("a ban the journal refused: %v", err)
	}
	if c.Banned("+15550111") {
		t.Fatal("a ban the journal refused was made")
	}
	if _, err := c.Participant(other.ID); err != nil {
		t.Fatalf("a ban the journal refused hung up the call: %v", err)
	}
	if err := c.Unban(conference.Admin, "+15550100"); !errors.Is(err, conference.ErrStorageUnavailable) {
		t.Fatalf("a lift the journal refused: %v", err)
	}
	if !c.Banned("+15550100") {
		t.Fatal("a lift the journal refused was made")
	}
	j.failWith(nil)
	want, _ := c.Bans(conference.Admin)
	reg.EndAll()

	back, err := conference.RestoreRegistry(conference.Config{Journal: j})
	if err != nil {
		t.Fatal(err)
	}
	defer back.EndAll()
	c2, err := back.Get("c")
	if err != nil {
		t.Fatal(err)
	}
	got, err := c2.Bans(conference.Admin)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || len(want) != 2 {
		t.Fatalf("bans after a restart %+v, before %+v", got, want)
	}
	for i := range got {
		if got[i].Key() != want[i].Key() || got[i].Reason != want[i].Reason || !got[i].At.Equal(want[i].At) || got[i].BannedBy != want[i].BannedBy {
			t.Errorf("ban %d after a restart %+v, before %+v", i, got[i], want[i])
		}
	}
	if !c2.Banned("+15550100") {
		t.Fatal("the number's ban did not survive the restart")
	}
	if err := c2.Member(conference.As(app.ID)); !errors.Is(err, conference.ErrUnauthorized) {
		t.Fatalf("the banned app participant is back after the restart: %v", err)
	}
	if err := c2.Unban(conference.Admin, "+15550100"); err != nil {
		t.Fatal(err)
	}
	if saved, _ := j.Load(); len(saved[0].Bans) != 1 || saved[0].Bans[0].Participant != app.ID {
		t.Fatalf("the journal after a lift holds %+v", saved[0].Bans)
	}
}

// The bans list is for hosts and the admin, and so are the events that
// change it: a participant's stream learns only that someone left. A
// toast goes to its addressee's stream alone.
func TestBanEventsAreShownToHostsAndTheAdminAloneAndToastsToTheirAddressee(t *testing.T) {
	m := newMeeting(t)
	m.addRooms(t, 1)
	streams := []struct {
		who          string
		a            conference.Actor
		bans, toasts int
	}{
		{"the banning host", conference.As(m.host1), 2, 0},
		{"another host", conference.As(m.host2), 2, 0},
		{"the admin", conference.Admin, 2, 0},
		{"the moved participant", conference.As(m.alice), 0, 1},
		{"another participant", conference.As(m.bob), 0, 0},
		{"someone no longer here", conference.As("gone"), 0, 0},
	}
	subs := make([]*conference.Subscription, len(streams))
	for i, st := range streams {
		subs[i] = m.c.SubscribeAs(st.a, 0, 64)
		defer subs[i].Close()
	}
	if err := m.c.HangUpAndBan(conference.As(m.host1), m.phone, conference.BanSpec{Reason: "shouting"}); err != nil {
		t.Fatal(err)
	}
	if err := m.c.Unban(conference.Admin, "+15550100"); err != nil {
		t.Fatal(err)
	}
	if _, err := m.c.Move(conference.As(m.host1), m.alice, "1"); err != nil {
		t.Fatal(err)
	}
	for i, st := range streams {
		evs := drain(subs[i])
		bans := len(ofType(evs, conference.EventBanAdded)) + len(ofType(evs, conference.EventBanRemoved))
		toasts := len(ofType(evs, conference.EventToast))
		left := ofType(evs, conference.EventParticipantLeft)
		if bans != st.bans || toasts != st.toasts || len(left) != 1 {
			t.Errorf("%s's stream: %d ban events, %d toasts, %d left; want %d, %d, 1", st.who, bans, toasts, len(left), st.bans, st.toasts)
		}
	}
}
