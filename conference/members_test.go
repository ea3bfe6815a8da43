package conference_test

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/confgw/confgw/conference"
)

func TestOneLeftInMainRoomBecomesModerator(t *testing.T) {
	reg := conference.NewRegistry(conference.Config{BreakoutDefault: true})
	c, _ := reg.Create(conference.Spec{ID: "x", Title: "X"})
	host, _ := c.AddApp(conference.Admin, conference.AppSpec{Name: "Host", Role: conference.RoleHost, ClientVersion: "4.14"})
	a, _ := c.AddApp(conference.Admin, conference.AppSpec{Name: "A", ClientVersion: "4.14"})
	b, _ := c.AddApp(conference.Admin, conference.AppSpec{Name: "B", ClientVersion: "4.14"})
	h := conference.As(host.ID)
	if _, err := c.AddRoom(h); err != nil {
		t.Fatal(err)
	}
	sub := c.Subscribe(64)
	defer sub.Close()

	if _, err := c.Join(h, "1"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Move(h, a.ID, "1"); err != nil {
		t.Fatal(err)
	}
	got, _ := c.Participant(b.ID)
	if !got.Moderator {
		t.Fatal("B, alone in the main room, is not moderator")
	}
	promoted := ofType(drain(sub), conference.EventParticipantPromoted)
	if len(promoted) != 1 || promoted[0].Participant.ID != b.ID {
		t.Fatalf("promoted events %+v", promoted)
	}
	// A second arrival does not take the flag away while B stays.
	if _, err := c.Move(h, a.ID, "main"); err != nil {
		t.Fatal(err)
	}
	if got, _ := c.Participant(b.ID); !got.Moderator {
		t.Fatal("B lost moderator while staying in main")
	}
	if got, _ := c.Participant(a.ID); got.Moderator {
		t.Fatal("A became moderator with B there")
	}
	// Leaving the main room drops the flag; A, now alone, gets it.
	if _, err := c.Move(h, b.ID, "1"); err != nil {
		t.Fatal(err)
	}
	if got, _ := c.Participant(b.ID); got.Moderator {
		t.Fatal("B kept moderator outside the main room")
	}
	if got, _ := c.Participant(a.ID); !got.Moderator {
		t.Fatal("A alone in main is not moderator")
	}
	// Removal also leaves one alone.
	if _, err := c.Move(h, b.ID, "main"); err != nil {
		t.Fatal(err)
	}
	_ = drain(sub)
	if err := c.Remove(conference.As(a.ID), a.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := c.Participant(b.ID); !got.Moderator {
		t.Fatal("B alone in main after A left is not moderator")
	}
}

func TestHangUpPhoneLeg(t *testing.T) {
	m := newMeeting(t)
	sub := m.c.Subscribe(64)
	defer sub.Close()
	if err := m.c.HangUp(conference.As(m.alice), m.phone); !errors.Is(err, conference.ErrHostRequired) {
		t.Fatalf("participant hang-up = %v", err)
	}
	if err := m.c.HangUp(conference.As(m.host1), m.alice); !errors.Is(err, conference.ErrNotPhone) {
		t.Fatalf("hang-up of app participant = %v", err)
	}
	if err := m.c.HangUp(conference.As(m.host1), m.phone); err != nil {
		t.Fatal(err)
	}
	if got := m.leg.hungUp(); len(got) != 1 || got[0] != conference.ReasonHungUpByHost {
		t.Fatalf("leg hang-ups %v", got)
	}
	if _, err := m.c.Participant(m.phone); !errors.Is(err, conference.ErrNotFound) {
		t.Fatalf("phone still there: %v", err)
	}
	left := ofType(drain(sub), conference.EventParticipantLeft)
	if len(left) != 1 || left[0].Reason != conference.ReasonHungUpByHost {
		t.Fatalf("left events %+v", left)
	}
	if err := m.c.HangUp(conference.Admin, m.phone); !errors.Is(err, conference.ErrNotFound) {
		t.Fatalf("second hang-up = %v", err)
	}
}

func TestRemoveRules(t *testing.T) {
	m := newMeeting(t)
	if err := m.c.Remove(conference.As(m.alice), m.bob); !errors.Is(err, conference.ErrHostRequired) {
		t.Fatalf("participant removed another: %v", err)
	}
	if err := m.c.Remove(conference.As(m.alice), m.alice); err != nil {
		t.Fatalf("leave: %v", err)
	}
	if err := m.c.Remove(conference.As(m.host1), m.phone); err != nil {
		t.Fatal(err)
	}
	if got := m.leg.hungUp(); len(got) != 1 {
		t.Fatalf("removing a phone participant did not hang up its leg: %v", got)
	}
	if !m.c.Leave(m.bob, conference.ReasonLeft) || m.c.Leave(m.bob, conference.ReasonLeft) {
		t.Fatal("Leave should report presence once")
	}
}

func TestAddAppValidates(t *testing.T) {
	m := newMeeting(t)
	tests := []struct {
		name string
		spec conference.AppSpec
		want error
	}{
		{"no version", conference.AppSpec{Name: "X"}, conference.ErrInvalid},
		{"bad version", conference.AppSpec{Name: "X", ClientVersion: "four"}, conference.ErrInvalid},
		{"no name", conference.AppSpec{Name: "  ", ClientVersion: "4.14"}, conference.ErrInvalid},
		{"bad role", conference.AppSpec{Name: "X", Role: "owner", ClientVersion: "4.14"}, conference.ErrInvalid},
		{"name with newline", conference.AppSpec{Name: "X\r\nY", ClientVersion: "4.14"}, conference.ErrInvalid},
	}
	for _, tt := range tests {
		if _, err := m.c.AddApp(conference.Admin, tt.spec); !errors.Is(err, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
	}
	if _, err := m.c.AddApp(conference.As(m.alice), conference.AppSpec{Name: "X", ClientVersion: "4.14"}); !errors.Is(err, conference.ErrHostRequired) {
		t.Errorf("participant added someone: %v", err)
	}
	p, err := m.c.AddApp(conference.As(m.host1), conference.AppSpec{Name: "New", ClientVersion: "4.14"})
	if err != nil || p.Room != "main" || p.Role != conference.RoleParticipant || p.Kind != conference.KindApp {
		t.Errorf("host added %+v, %v", p, err)
	}
}

func TestEndHangsUpEveryLeg(t *testing.T) {
	m := newMeeting(t)
	second := &fakeLeg{}
	if _, err := m.c.AddPhone(conference.PhoneSpec{Number: "200", Direction: conference.DialOut, State: conference.PhoneRinging, Leg: second}); err != nil {
		t.Fatal(err)
	}
	sub := m.c.Subscribe(64)
	if err := m.reg.End(conference.As(m.host1), "clinic"); !errors.Is(err, conference.ErrAdminRequired) {
		t.Fatalf("host ended the conference: %v", err)
	}
	if err := m.reg.End(conference.Admin, "clinic"); err != nil {
		t.Fatal(err)
	}
	for _, l := range []*fakeLeg{m.leg, second} {
		if got := l.hungUp(); len(got) != 1 || got[0] != conference.ReasonConferenceEnded {
			t.Fatalf("leg hang-ups %v", got)
		}
	}
	evs := drain(sub)
	if len(evs) == 0 || evs[len(evs)-1].Type != conference.EventConferenceEnded {
		t.Fatalf("last event %+v", evs)
	}
	if _, ok := <-sub.C; ok {
		t.Fatal("subscription still open after the end")
	}
	select {
	case <-m.c.Done():
	default:
		t.Fatal("Done not closed after the end")
	}
	if _, err := m.reg.Get("clinic"); !errors.Is(err, conference.ErrNotFound) {
		t.Fatalf("ended conference still found: %v", err)
	}
	if _, err := m.c.AddRoom(conference.Admin); !errors.Is(err, conference.ErrEnded) {
		t.Fatalf("change after end: %v", err)
	}
	if _, err := m.c.AddPhone(conference.PhoneSpec{Number: "1"}); !errors.Is(err, conference.ErrEnded) {
		t.Fatalf("phone joined an ended conference: %v", err)
	}
}

func TestPhoneDialOutLifecycle(t *testing.T) {
	m := newMeeting(t)
	p, err := m.c.AddPhone(conference.PhoneSpec{Number: "300", Direction: conference.DialOut, State: conference.PhoneRinging})
	if err != nil || p.Phone.State != conference.PhoneRinging {
		t.Fatalf("%+v %v", p, err)
	}
	if err := m.c.PhoneConnected(p.ID, "PCMU", nil); err != nil {
		t.Fatal(err)
	}
	got, _ := m.c.Participant(p.ID)
	if got.Phone.State != conference.PhoneConnected || got.Phone.Codec != "PCMU" {
		t.Fatalf("after answer %+v", got.Phone)
	}
	sub := m.c.Subscribe(8)
	defer sub.Close()
	m.c.PhoneFailed(p.ID, 486, "Busy Here")
	failed := ofType(drain(sub), conference.EventPhoneFailed)
	if len(failed) != 1 || failed[0].Status != 486 {
		t.Fatalf("phone.failed %+v", failed)
	}
}

func TestRegistryCreateValidates(t *testing.T) {
	reg := conference.NewRegistry(conference.Config{})
	if _, err := reg.Create(conference.Spec{ID: "demo", Title: "Demo", PIN: "1234"}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		spec conference.Spec
		want error
	}{
		{"no title", conference.Spec{ID: "a"}, conference.ErrInvalid},
		{"bad id", conference.Spec{ID: "a b", Title: "T"}, conference.ErrInvalid},
		{"bad dial-in", conference.Spec{Title: "T", DialIn: "x@y"}, conference.ErrInvalid},
		{"bad pin", conference.Spec{Title: "T", PIN: "12a"}, conference.ErrInvalid},
		{"same id", conference.Spec{ID: "demo", Title: "T"}, conference.ErrAlreadyExists},
		{"same dial-in", conference.Spec{ID: "other", DialIn: "demo", Title: "T"}, conference.ErrAlreadyExists},
	}
	for _, tt := range tests {
		if _, err := reg.Create(tt.spec); !errors.Is(err, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
	}
	c, err := reg.ByDialIn("demo")
	if err != nil || c.ID() != "demo" || !c.PINRequired() || !c.CheckPIN("1234") || c.CheckPIN("4321") {
		t.Fatalf("ByDialIn: %v", err)
	}
}

func TestSubscribeAfterReplaysWhatWasMissed(t *testing.T) {
	m := newMeeting(t)
	m.addRooms(t, 2)
	first := m.c.Subscribe(64)
	if _, err := m.c.Move(conference.As(m.host1), m.alice, "1"); err != nil {
		t.Fatal(err)
	}
	seen := drain(first)
	first.Close()
	last := seen[len(seen)-1].Seq
	// Events while the stream was away.
	if _, err := m.c.Move(conference.As(m.host1), m.bob, "2"); err != nil {
		t.Fatal(err)
	}
	again := m.c.SubscribeAfter(last, 64)
	defer again.Close()
	replayed := drain(again)
	if len(replayed) == 0 || replayed[0].Seq != last+1 {
		t.Fatalf("replay starts at %v, want seq %d", replayed, last+1)
	}
	toasts := ofType(replayed, conference.EventToast)
	if len(toasts) != 1 || toasts[0].Addressee != m.bob {
		t.Fatalf("missed toast not replayed: %+v", toasts)
	}
	if _, err := m.c.AddRoom(conference.As(m.host1)); err != nil {
		t.Fatal(err)
	}
	if live := drain(again); len(live) != 1 || live[0].Type != conference.EventRoomAdded {
		t.Fatalf("live events after the replay: %+v", live)
	}
}

func TestPhoneNamesAreMadePrintable(t *testing.T) {
	m := newMeeting(t)
	p, err := m.c.AddPhone(conference.PhoneSpec{Name: "\x1b[31mMallory\x07", Number: "+1555\x1b]0;x\x07"})
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "[31mMallory" || p.Phone.Number != "+1555]0;x" {
		t.Fatalf("name %q number %q still carry control characters", p.Name, p.Phone.Number)
	}
	long, _ := m.c.AddPhone(conference.PhoneSpec{Name: strings.Repeat("é", 150)})
	if n := utf8.RuneCountInString(long.Name); n != 100 || !utf8.ValidString(long.Name) {
		t.Fatalf("long name cut to %d runes, valid %v", n, utf8.ValidString(long.Name))
	}
}
