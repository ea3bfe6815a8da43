package http_test

import (
	"slices"
	"testing"

	"github.com/confgw/confgw/conference"
	"github.com/confgw/confgw/http/wire"
	"github.com/confgw/confgw/internal/apitest"
)

// A participant's token reads callers' numbers masked, in listings and
// events alike; a host's reads them whole.
func TestAParticipantSeesCallersNumbersMaskedAndAHostWhole(t *testing.T) {
	k := newClinic(t)
	events := follow(t, k, k.alice.Token)
	for _, tt := range []struct {
		who, token, want string
	}{
		{"a host", k.host.Token, "+15550100"},
		{"the admin", apitest.AdminKey, "+15550100"},
		{"a participant", k.alice.Token, "+****0100"},
	} {
		var list wire.Participants
		k.env.Do("GET", "/v1/conferences/c/participants", tt.token, nil).Decode(t, &list)
		var one conference.Participant
		k.env.Do("GET", "/v1/conferences/c/participants/"+k.phone, tt.token, nil).Decode(t, &one)
		var info conference.Info
		k.env.Do("GET", "/v1/conferences/c", tt.token, nil).Decode(t, &info)
		got := []string{one.Phone.Number}
		for _, ps := range [][]conference.Participant{list.Participants, info.Participants, info.Rooms[0].Participants} {
			for _, p := range ps {
				if p.ID == k.phone {
					got = append(got, p.Phone.Number)
				}
			}
		}
		if len(got) != 4 || slices.ContainsFunc(got, func(n string) bool { return n != tt.want }) {
			t.Errorf("%s reads the caller's number as %q, want %q everywhere", tt.who, got, tt.want)
		}
	}
	conf, _ := k.env.Registry.Get("c")
	if _, err := conf.AddPhone(conference.PhoneSpec{Number: "+15550177", Direction: conference.DialIn}); err != nil {
		t.Fatal(err)
	}
	if e := next(t, events, "participant.joined"); e.Data.Participant == nil || e.Data.Participant.Phone.Number != "+****0177" || e.Data.Participant.Name != "+****0177" {
		t.Fatalf("a participant's stream told of the new caller as %+v", e.Data.Participant)
	}
}
