package conference_test

import (
	"testing"

	"github.com/confgw/confgw/conference"
)

func TestAMaskedNumberKeepsItsLastFourDigitsAndItsPlus(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"+15550100", "+****0100"},
		{"15550100", "****0100"},
		{"caller", "**ller"},
		{"12345", "*2345"},
		{"1234", "****"},
		{"+44", "+**"},
		{"", ""},
	} {
		if got := conference.MaskNumber(tt.in); got != tt.want {
			t.Errorf("MaskNumber(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// In a clinic's meeting, a patient must not learn another caller's
// number; the hosts, who dial out and ban by number, and the admin see it.
func TestACallersNumberIsShownWholeToHostsAndTheAdminAndMaskedToEveryoneElse(t *testing.T) {
	m := newMeeting(t)
	hostStream := m.c.SubscribeAs(conference.As(m.host2), 0, 64)
	defer hostStream.Close()
	adminStream := m.c.SubscribeAs(conference.Admin, 0, 64)
	defer adminStream.Close()
	participantStream := m.c.SubscribeAs(conference.As(m.alice), 0, 64)
	defer participantStream.Close()
	named, err := m.c.AddPhone(conference.PhoneSpec{Name: "Interpreter", Number: "+15550199", Direction: conference.DialIn})
	if err != nil {
		t.Fatal(err)
	}
	// The meeting's own caller joined with no display name: its name is
	// its number, and is masked with it.
	for _, tt := range []struct {
		who                  string
		a                    conference.Actor
		stream               *conference.Subscription
		number, name, joined string
	}{
		{"a host", conference.As(m.host2), hostStream, "+15550100", "+15550100", "+15550199"},
		{"the admin", conference.Admin, adminStream, "+15550100", "+15550100", "+15550199"},
		{"a participant", conference.As(m.alice), participantStream, "+****0100", "+****0100", "+****0199"},
	} {
		ps := map[string]conference.Participant{}
		for _, p := range m.c.ParticipantsFor(tt.a) {
			ps[p.ID] = p
		}
		info := m.c.InfoFor(tt.a)
		one, err := m.c.ParticipantFor(tt.a, m.phone)
		if err != nil {
			t.Fatal(err)
		}
		var inRoom conference.Participant
		for _, r := range m.c.RoomsFor(tt.a) {
			for _, p := range r.Participants {
				if p.ID == m.phone {
					inRoom = p
				}
			}
		}
		var inInfo conference.Participant
		for _, p := range info.Participants {
			if p.ID == m.phone {
				inInfo = p
			}
		}
		for where, p := range map[string]conference.Participant{"list": ps[m.phone], "one": one, "room": inRoom, "info": inInfo} {
			if p.Phone == nil || p.Phone.Number != tt.number || p.Name != tt.name {
				t.Errorf("%s's %s shows the caller as %q, number %+v; want %q, %q", tt.who, where, p.Name, p.Phone, tt.name, tt.number)
			}
		}
		if p := ps[named.ID]; p.Name != "Interpreter" {
			t.Errorf("%s sees the interpreter named %q: a display name is not a number", tt.who, p.Name)
		}
		joined := ofType(drain(tt.stream), conference.EventParticipantJoined)
		if len(joined) != 1 || joined[0].Participant.Phone.Number != tt.joined {
			t.Errorf("%s's participant.joined events %+v", tt.who, joined)
		}
	}
}

// Trunks often send the caller's number as its display name, written as
// people write numbers: such a name is masked as the number is.
func TestADisplayNameThatIsANumberIsMaskedToo(t *testing.T) {
	m := newMeeting(t)
	for _, name := range []string{"15550101", "+1 555 0102", "(555) 010-3", "555.0104"} {
		if _, err := m.c.AddPhone(conference.PhoneSpec{Name: name, Number: "+1555010" + name[len(name)-1:], Direction: conference.DialIn}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := m.c.AddPhone(conference.PhoneSpec{Name: "Room 101", Number: "+15550105", Direction: conference.DialIn}); err != nil {
		t.Fatal(err)
	}
	for _, p := range m.c.ParticipantsFor(conference.As(m.alice)) {
		if p.Phone == nil {
			continue
		}
		digits := 0
		for _, r := range p.Name {
			if r >= '0' && r <= '9' {
				digits++
			}
		}
		if p.Name != "Room 101" && digits > 4 {
			t.Errorf("a participant reads a caller's name %q, number %q", p.Name, p.Phone.Number)
		}
	}
}

// A stream resumed after an event id replays what it missed as its viewer
// may see it: a participant's replay masks the caller and leaves out the
// ban, as its live stream would have.
func TestAResumedStreamReplaysEventsAsItsViewerMaySeeThem(t *testing.T) {
	m := newMeeting(t)
	live := m.c.Subscribe(64)
	defer live.Close()
	if _, err := m.c.AddPhone(conference.PhoneSpec{Number: "+15550177", Direction: conference.DialIn}); err != nil {
		t.Fatal(err)
	}
	if err := m.c.HangUpAndBan(conference.As(m.host1), m.phone, conference.BanSpec{}); err != nil {
		t.Fatal(err)
	}
	all := drain(live)
	if len(all) == 0 {
		t.Fatal("no events")
	}
	resumed := m.c.SubscribeAs(conference.As(m.alice), all[0].Seq-1, 64)
	defer resumed.Close()
	got := drain(resumed)
	if len(ofType(got, conference.EventBanAdded)) != 0 {
		t.Error("a participant's replay carries the ban")
	}
	joined := ofType(got, conference.EventParticipantJoined)
	if len(joined) != 1 || joined[0].Participant.Phone.Number != "+****0177" {
		t.Errorf("a participant's replay of the caller joining: %+v", joined)
	}
	if len(got) != len(all)-1 {
		t.Errorf("replayed %d events of %d, want all but the ban", len(got), len(all))
	}
}
