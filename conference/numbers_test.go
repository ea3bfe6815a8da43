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
	sub := m.c.Subscribe(64)
	defer sub.Close()
	named, err := m.c.AddPhone(conference.PhoneSpec{Name: "Interpreter", Number: "+15550199", Direction: conference.DialIn})
	if err != nil {
		t.Fatal(err)
	}
	joined := ofType(drain(sub), conference.EventParticipantJoined)
	if len(joined) != 1 {
		t.Fatalf("joined events %+v", joined)
	}
	// The meeting's own caller joined with no display name: its name is
	// its number, and is masked with it.
	for _, tt := range []struct {
		who                  string
		a                    conference.Actor
		number, name, joined string
	}{
		{"a host", conference.As(m.host2), "+15550100", "+15550100", "+15550199"},
		{"the admin", conference.Admin, "+15550100", "+15550100", "+15550199"},
		{"a participant", conference.As(m.alice), "+****0100", "+****0100", "+****0199"},
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
		e, shown := m.c.EventFor(tt.a, joined[0])
		if !shown || e.Participant.Phone.Number != tt.joined {
			t.Errorf("%s's participant.joined shows %+v", tt.who, e.Participant.Phone)
		}
	}
	if joined[0].Participant.Phone.Number != "+15550199" {
		t.Fatal("masking an event for one stream changed it for the others")
	}
}
