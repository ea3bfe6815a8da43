package http_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/confgw/confgw/conference"
	confhttp "github.com/confgw/confgw/http"
	"github.com/confgw/confgw/internal/apitest"
	"github.com/confgw/confgw/store"
)

// Alice raises her hand and asks for a host over the API; everyone is
// told, and a host lowers the hand and clears the request.
func TestAParticipantRaisesItsHandAndAsksForHelpOverHTTP(t *testing.T) {
	k := newClinic(t)
	conf, _ := k.env.Registry.Get("c")
	sub := conf.Subscribe(64)
	defer sub.Close()
	alice := "/v1/conferences/c/participants/" + k.alice.Participant.ID
	var p conference.Participant
	r := k.env.Do("POST", alice+"/hand", k.alice.Token, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("raise: %d %s", r.Status, r.Body)
	}
	r.Decode(t, &p)
	if !p.Hand || p.HandRaisedAt == nil || p.Help {
		t.Fatalf("raised: %+v", p)
	}
	if r := k.env.Do("POST", alice+"/help", k.alice.Token, map[string]any{}); r.Status != http.StatusOK {
		t.Fatalf("help: %d %s", r.Status, r.Body)
	}
	p = conference.Participant{}
	k.env.Do("GET", alice, k.host.Token, nil).Decode(t, &p)
	if !p.Hand || !p.Help {
		t.Fatalf("as the host sees Alice: %+v", p)
	}
	if r := k.env.Do("DELETE", alice+"/hand", k.host.Token, nil); r.Status != http.StatusOK {
		t.Fatalf("host lowers: %d %s", r.Status, r.Body)
	}
	if r := k.env.Do("DELETE", alice+"/help", k.host2.Token, nil); r.Status != http.StatusOK {
		t.Fatalf("host clears: %d %s", r.Status, r.Body)
	}
	p = conference.Participant{}
	k.env.Do("GET", alice, k.alice.Token, nil).Decode(t, &p)
	if p.Hand || p.HandRaisedAt != nil || p.Help {
		t.Fatalf("after the host: %+v", p)
	}
	var got []string
	for _, e := range drainEvents(sub) {
		if e.Type == conference.EventParticipantHand || e.Type == conference.EventParticipantHelp {
			got = append(got, e.Type+" "+e.Reason)
		}
	}
	want := []string{"participant.hand raised", "participant.help asked", "participant.hand lowered", "participant.help cleared"}
	if len(got) != len(want) {
		t.Fatalf("events %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("events %v, want %v", got, want)
		}
	}
}

func drainEvents(s *conference.Subscription) []conference.Event {
	var out []conference.Event
	for {
		select {
		case e := <-s.C:
			out = append(out, e)
		default:
			return out
		}
	}
}

// Every refusal of the hand and help routes, each with its code.
func TestTheHandAndHelpRoutesRefuseWithTheirCodes(t *testing.T) {
	p := func(k *clinic, id, what string) string { return "/v1/conferences/c/participants/" + id + "/" + what }
	cases := []struct {
		name, method string
		path         func(k *clinic) string
		token        func(k *clinic) string
		body         any
		status       int
		code         string
	}{
		{"a host raises Alice's hand", "POST", func(k *clinic) string { return p(k, k.alice.Participant.ID, "hand") },
			func(k *clinic) string { return k.host.Token }, nil, 403, "self_only"},
		{"the admin asks help for Alice", "POST", func(k *clinic) string { return p(k, k.alice.Participant.ID, "help") },
			func(*clinic) string { return apitest.AdminKey }, nil, 403, "self_only"},
		{"Alice lowers another's hand", "DELETE", func(k *clinic) string { return p(k, k.old.Participant.ID, "hand") },
			func(k *clinic) string { return k.alice.Token }, nil, 403, "host_required"},
		{"Alice clears another's help", "DELETE", func(k *clinic) string { return p(k, k.old.Participant.ID, "help") },
			func(k *clinic) string { return k.alice.Token }, nil, 403, "host_required"},
		{"a hand of no one", "DELETE", func(k *clinic) string { return p(k, "p-none", "hand") },
			func(k *clinic) string { return k.host.Token }, nil, 404, "not_found"},
		{"help of no one", "POST", func(k *clinic) string { return p(k, "p-none", "help") },
			func(k *clinic) string { return k.alice.Token }, nil, 404, "not_found"},
		{"no token", "POST", func(k *clinic) string { return p(k, k.alice.Participant.ID, "hand") },
			func(*clinic) string { return "" }, nil, 401, "unauthorized"},
		{"a body", "POST", func(k *clinic) string { return p(k, k.alice.Participant.ID, "hand") },
			func(k *clinic) string { return k.alice.Token }, map[string]any{"raised": true}, 400, "invalid_request"},
		{"a body too large", "DELETE", func(k *clinic) string { return p(k, k.alice.Participant.ID, "help") },
			func(k *clinic) string { return k.alice.Token }, `{"x":"` + strings.Repeat("x", 70<<10) + `"}`, 413, "request_too_large"},
		{"a host lowers a phone's hand", "DELETE", func(k *clinic) string { return p(k, k.phone, "hand") },
			func(k *clinic) string { return k.host.Token }, nil, 200, ""},
		{"Alice withdraws her own help", "DELETE", func(k *clinic) string { return p(k, k.alice.Participant.ID, "help") },
			func(k *clinic) string { return k.alice.Token }, nil, 200, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			k := newClinic(t)
			r := k.env.Do(tc.method, tc.path(k), tc.token(k), tc.body)
			if r.Status != tc.status || r.ErrorCode() != tc.code {
				t.Fatalf("%s %s = %d %s, want %d %q", tc.method, tc.path(k), r.Status, r.Body, tc.status, tc.code)
			}
		})
	}
}

// A hand the store cannot save is refused, to be retried, and not raised.
func TestAHandTheStoreCannotSaveIsNotRaised(t *testing.T) {
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	reg := conference.NewRegistry(conference.Config{Journal: st})
	t.Cleanup(reg.EndAll)
	env := apitest.Start(t, func(o *confhttp.Options) { o.Registry = reg })
	env.CreateConference("c")
	alice := env.AddParticipant("c", "Alice", conference.RoleParticipant, "10.0")
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	path := "/v1/conferences/c/participants/" + alice.Participant.ID
	r := env.Do("POST", path+"/hand", alice.Token, nil)
	if r.Status != http.StatusServiceUnavailable || r.ErrorCode() != "storage_unavailable" {
		t.Fatalf("raising a hand with the store gone: %d %s", r.Status, r.Body)
	}
	var p conference.Participant
	env.Do("GET", path, alice.Token, nil).Decode(t, &p)
	if p.Hand {
		t.Fatal("the hand went up though it was not saved")
	}
}

// PATCH switches the keypad alone, or with breakout rooms in one change.
func TestAHostSwitchesThePhoneKeypadOverHTTP(t *testing.T) {
	k := newClinic(t)
	var info conference.Info
	k.env.Do("GET", "/v1/conferences/c", k.alice.Token, nil).Decode(t, &info)
	if !info.Keypad {
		t.Fatal("a new conference's keypad is off")
	}
	if r := k.env.Do("PATCH", "/v1/conferences/c", k.alice.Token, map[string]any{"keypad": false}); r.Status != 403 || r.ErrorCode() != "host_required" {
		t.Fatalf("Alice switching the keypad: %d %s", r.Status, r.Body)
	}
	r := k.env.Do("PATCH", "/v1/conferences/c", k.host.Token, map[string]any{"keypad": false, "breakout_enabled": false})
	if r.Status != 200 {
		t.Fatalf("patch: %d %s", r.Status, r.Body)
	}
	r.Decode(t, &info)
	if info.Keypad || info.BreakoutEnabled {
		t.Fatalf("after the patch: keypad %v, breakout %v", info.Keypad, info.BreakoutEnabled)
	}
	if r := k.env.Do("POST", "/v1/conferences", apitest.AdminKey, map[string]any{"id": "quiet", "title": "Quiet", "keypad": false}); r.Status != 201 {
		t.Fatalf("create with the keypad off: %d %s", r.Status, r.Body)
	} else {
		r.Decode(t, &info)
		if info.Keypad {
			t.Fatal("created with keypad false, got it on")
		}
	}
}
