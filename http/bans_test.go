package http_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/confgw/confgw/http/wire"
	"github.com/confgw/confgw/internal/apitest"
)

// A host bans a phone's number with its hang-up and an app participant
// with its removal: the list shows both to hosts, their events streams
// tell them, the removed participant's token is refused from the answer
// on, and a lifted ban leaves the list.
func TestAHostBansACallerAndAnAppParticipantAndLiftsABan(t *testing.T) {
	k := newClinic(t)
	events := follow(t, k, k.host2.Token)
	participant := follow(t, k, k.old.Token)
	if r := k.env.Do("GET", "/v1/conferences/c/bans", k.host.Token, nil); r.Status != http.StatusOK || !strings.Contains(string(r.Body), `"bans":[]`) {
		t.Fatalf("no bans: %d %s, want an empty list", r.Status, r.Body)
	}
	pp := "/v1/conferences/c/participants/"
	if r := k.env.Do("POST", pp+k.phone+"/hangup", k.host.Token, map[string]any{"ban": true, "reason": "heckling"}); r.Status != http.StatusNoContent {
		t.Fatalf("hang-up with a ban: %d %s", r.Status, r.Body)
	}
	if e := next(t, events, "ban.added"); e.Data.Ban == nil || e.Data.Ban.Number != "+15550100" || e.Data.Ban.Reason != "heckling" {
		t.Fatalf("ban.added %+v", e.Data)
	}
	// A participant learns that the caller left, not who banned it or why.
	if r := k.env.Do("POST", "/v1/conferences/c/rooms", k.host.Token, nil); r.Status != http.StatusCreated {
		t.Fatalf("add room: %d %s", r.Status, r.Body)
	}
	told := map[string]bool{}
	for e := range until(t, participant, "room.added") {
		told[e.Type] = true
	}
	if !told["participant.left"] || told["ban.added"] {
		t.Fatalf("a participant's stream told %v of a ban, want participant.left and no ban.added", told)
	}
	if r := k.env.Do("GET", "/v1/conferences/c", k.alice.Token, nil); r.Status != http.StatusOK {
		t.Fatalf("alice before her ban: %d %s", r.Status, r.Body)
	}
	if r := k.env.Do("DELETE", pp+k.alice.Participant.ID+"?ban=true", k.host.Token, nil); r.Status != http.StatusNoContent {
		t.Fatalf("removal with a ban: %d %s", r.Status, r.Body)
	}
	if r := k.env.Do("GET", "/v1/conferences/c", k.alice.Token, nil); r.Status != http.StatusUnauthorized || r.ErrorCode() != "unauthorized" {
		t.Fatalf("the banned participant's token right after: %d %s", r.Status, r.Body)
	}
	if e := next(t, events, "ban.added"); e.Data.Ban == nil || e.Data.Ban.Participant != k.alice.Participant.ID || e.Data.Ban.Name != "Alice" {
		t.Fatalf("ban.added %+v", e.Data)
	}
	var bans wire.Bans
	k.env.Do("GET", "/v1/conferences/c/bans", k.host2.Token, nil).Decode(t, &bans)
	if len(bans.Bans) != 2 || bans.Bans[0].Number != "+15550100" || bans.Bans[0].BannedBy != k.host.Participant.ID ||
		bans.Bans[1].Participant != k.alice.Participant.ID {
		t.Fatalf("bans %+v", bans)
	}
	if r := k.env.Do("DELETE", "/v1/conferences/c/bans/+15550100", k.host2.Token, nil); r.Status != http.StatusNoContent {
		t.Fatalf("lift: %d %s", r.Status, r.Body)
	}
	if e := next(t, events, "ban.removed"); e.Data.Ban == nil || e.Data.Ban.Number != "+15550100" {
		t.Fatalf("ban.removed %+v", e.Data)
	}
	bans = wire.Bans{}
	k.env.Do("GET", "/v1/conferences/c/bans", apitest.AdminKey, nil).Decode(t, &bans)
	if len(bans.Bans) != 1 || bans.Bans[0].Participant != k.alice.Participant.ID {
		t.Fatalf("bans after the lift %+v", bans)
	}
	if r := k.env.Do("GET", "/v1/conferences/c", k.alice.Token, nil); r.Status != http.StatusUnauthorized {
		t.Fatalf("the banned participant's token after another ban was lifted: %d %s", r.Status, r.Body)
	}
}
