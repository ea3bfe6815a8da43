package wire_test

import (
	"encoding/json"
	"testing"

	"github.com/confgw/confgw/http/wire"
)

func encode(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// An unset field must not reach the server as a zero value: the server
// would then apply "no breakout rooms" or an empty id instead of its own
// defaults.
func TestANewConferenceSendsOnlyWhatItSets(t *testing.T) {
	if got := encode(t, wire.NewConference{Title: "Board"}); got != `{"title":"Board"}` {
		t.Fatalf("defaults: %s", got)
	}
	off := false
	got := encode(t, wire.NewConference{ID: "b", Title: "Board", DialIn: "5551234", PIN: "1234", BreakoutEnabled: &off})
	if want := `{"id":"b","title":"Board","dial_in":"5551234","pin":"1234","breakout_enabled":false}`; got != want {
		t.Fatalf("all set:\n got %s\nwant %s", got, want)
	}
}

func TestANewParticipantLeavesItsRoleToTheServer(t *testing.T) {
	if got := encode(t, wire.NewParticipant{Name: "Pat", ClientVersion: "4.14"}); got != `{"name":"Pat","client_version":"4.14"}` {
		t.Fatalf("no role: %s", got)
	}
}

func TestAnErrorBodyNestsItsCodeAndMessage(t *testing.T) {
	var b wire.ErrorBody
	if err := json.Unmarshal([]byte(`{"error":{"code":"client_too_old","message":"Carl uses client 4.9"}}`), &b); err != nil {
		t.Fatal(err)
	}
	if b.Error.Code != "client_too_old" || b.Error.Message != "Carl uses client 4.9" {
		t.Fatalf("decoded %+v", b)
	}
}
