package http_test

import (
	"net/http"
	"testing"

	"github.com/confgw/confgw/conference"
	"github.com/confgw/confgw/internal/apitest"
)

// FuzzBodies posts arbitrary bodies to the routes that take one: each is
// answered with a clear 2xx or 4xx, never a 500, and the conference keeps
// every participant in exactly one room.
func FuzzBodies(f *testing.F) {
	for _, seed := range []string{
		`{"room":"1"}`, `{"room":"main"}`, `{"room":1}`, `{"room":"../1"}`, `{"room":"1","x":2}`,
		`{"name":"Ann","client_version":"4.14"}`, `{"name":"Ann","client_version":"99999999999.1"}`,
		`{"breakout_enabled":false}`, `{"breakout_enabled":"no"}`, `{"title":"t","id":"a b"}`,
		`{"to":"+1555\r\nVia: x"}`, `null`, `[]`, `{}{}`, "\xff\xfe", `{"name":"` + "\u0000" + `"}`,
	} {
		f.Add(seed)
	}
	env := apitest.Start(f)
	env.CreateConference("c")
	host := env.AddParticipant("c", "Host", conference.RoleHost, "4.14")
	pat := env.AddParticipant("c", "Pat", conference.RoleParticipant, "4.14")
	env.Do("POST", "/v1/conferences/c/rooms", host.Token, nil)
	routes := []struct{ method, path string }{
		{"POST", "/v1/conferences"},
		{"PATCH", "/v1/conferences/c"},
		{"POST", "/v1/conferences/c/participants"},
		{"POST", "/v1/conferences/c/participants/" + pat.Participant.ID + "/move"},
		{"POST", "/v1/conferences/c/rooms"},
		{"POST", "/v1/conferences/c/rooms/1/join"},
		{"POST", "/v1/conferences/c/dial-out"},
	}
	f.Fuzz(func(t *testing.T, body string) {
		env := env.For(t)
		for _, r := range routes {
			resp := env.Do(r.method, r.path, host.Token, body)
			if resp.Status >= http.StatusInternalServerError {
				t.Fatalf("%s %s with %q: %d %s", r.method, r.path, body, resp.Status, resp.Body)
			}
			if resp.Status >= 400 && resp.ErrorCode() == "" {
				t.Fatalf("%s %s with %q: %d without an error code: %s", r.method, r.path, body, resp.Status, resp.Body)
			}
		}
		conf, err := env.Registry.Get("c")
		if err != nil {
			t.Fatal(err)
		}
		placed := 0
		for _, room := range conf.Rooms() {
			placed += room.Count
		}
		if n := len(conf.Participants()); placed != n {
			t.Fatalf("%d participants but %d placed in rooms", n, placed)
		}
	})
}
