package http_test

import (
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"testing"

	"github.com/confgw/confgw/conference"
	"github.com/confgw/confgw/http/wire"
	"github.com/confgw/confgw/internal/apitest"
)

// listIDs lists conferences with query q as the admin and returns their
// ids and the next cursor.
func listIDs(t *testing.T, env *apitest.Env, q string) ([]string, string) {
	t.Helper()
	r := env.Do("GET", "/v1/conferences"+q, apitest.AdminKey, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("GET /v1/conferences%s: %d %s", q, r.Status, r.Body)
	}
	var page wire.ConferencePage
	r.Decode(t, &page)
	ids := make([]string, len(page.Conferences))
	for i, c := range page.Conferences {
		ids[i] = c.ID
	}
	return ids, page.Next
}

func TestAnAdminListsConferencesAPageAtATime(t *testing.T) {
	env := apitest.Start(t)
	for _, id := range []string{"delta", "alpha", "echo", "charlie", "bravo"} {
		env.CreateConference(id)
	}
	ids, next := listIDs(t, env, "?limit=2")
	if !slices.Equal(ids, []string{"alpha", "bravo"}) || next != "bravo" {
		t.Fatalf("first page %v next %q", ids, next)
	}
	ids, next = listIDs(t, env, "?limit=2&after="+next)
	if !slices.Equal(ids, []string{"charlie", "delta"}) || next != "delta" {
		t.Fatalf("second page %v next %q", ids, next)
	}
	ids, next = listIDs(t, env, "?limit=2&after="+next)
	if !slices.Equal(ids, []string{"echo"}) || next != "" {
		t.Fatalf("last page %v next %q", ids, next)
	}
}

func TestAPageThatEndsExactlyOnTheLastConferenceSaysThereIsNoNext(t *testing.T) {
	env := apitest.Start(t)
	env.CreateConference("a")
	env.CreateConference("b")
	if ids, next := listIDs(t, env, "?limit=2"); len(ids) != 2 || next != "" {
		t.Fatalf("page %v next %q", ids, next)
	}
}

func TestAConferenceEndedBetweenTwoPagesShiftsNoOther(t *testing.T) {
	env := apitest.Start(t)
	for _, id := range []string{"a", "b", "c", "d"} {
		env.CreateConference(id)
	}
	_, next := listIDs(t, env, "?limit=2")
	if r := env.Do("DELETE", "/v1/conferences/b", apitest.AdminKey, nil); r.Status != http.StatusNoContent {
		t.Fatalf("end b: %d %s", r.Status, r.Body)
	}
	if ids, _ := listIDs(t, env, "?limit=2&after="+next); !slices.Equal(ids, []string{"c", "d"}) {
		t.Fatalf("after the cursor's own conference ended: %v", ids)
	}
}

func TestConferencesAreListedFiftyAtATimeUnlessAskedOtherwise(t *testing.T) {
	env := apitest.Start(t)
	for i := range 60 {
		env.CreateConference(fmt.Sprintf("c%02d", i))
	}
	ids, next := listIDs(t, env, "")
	if len(ids) != wire.ConferencePageDefault || ids[0] != "c00" || next != "c49" {
		t.Fatalf("default page: %d conferences from %q, next %q", len(ids), ids[0], next)
	}
	if ids, next := listIDs(t, env, "?limit=500"); len(ids) != 60 || next != "" {
		t.Fatalf("largest page: %d conferences, next %q", len(ids), next)
	}
}

func TestNoConferencesIsAnEmptyListNotNull(t *testing.T) {
	env := apitest.Start(t)
	r := env.Do("GET", "/v1/conferences", apitest.AdminKey, nil)
	if r.Status != http.StatusOK || string(r.Body) != `{"conferences":[],"next":""}` {
		t.Fatalf("empty: %d %s", r.Status, r.Body)
	}
}

func TestAListedConferenceIsWhatGettingItAnswers(t *testing.T) {
	env := apitest.Start(t)
	env.CreateConference("c")
	env.AddParticipant("c", "Pat", conference.RoleParticipant, "4.14")
	var page wire.ConferencePage
	env.Do("GET", "/v1/conferences", apitest.AdminKey, nil).Decode(t, &page)
	var one conference.Info
	env.Do("GET", "/v1/conferences/c", apitest.AdminKey, nil).Decode(t, &one)
	if len(page.Conferences) != 1 || len(page.Conferences[0].Participants) != 1 ||
		!reflect.DeepEqual(page.Conferences[0], one) {
		t.Fatalf("listed %+v\ngot %+v", page.Conferences, one)
	}
}

// The same answers as the other admin-only routes give.
func TestListingConferencesNeedsTheAdminKey(t *testing.T) {
	env := apitest.Start(t)
	env.CreateConference("c")
	pat := env.AddParticipant("c", "Pat", conference.RoleHost, "4.14")
	for _, tc := range []struct {
		name, token string
		status      int
		code        string
	}{
		{"no token", "", http.StatusUnauthorized, "unauthorized"},
		{"a forged token", "forged", http.StatusUnauthorized, "unauthorized"},
		{"a host's token", pat.Token, http.StatusForbidden, "admin_required"},
	} {
		if r := env.Do("GET", "/v1/conferences", tc.token, nil); r.Status != tc.status || r.ErrorCode() != tc.code {
			t.Errorf("%s: %d %s, want %d %s", tc.name, r.Status, r.Body, tc.status, tc.code)
		}
	}
}

func TestAPageSizeOutOfRangeIsRefused(t *testing.T) {
	env := apitest.Start(t)
	for _, limit := range []string{"0", "-1", "501", "ten", "", "1.5"} {
		r := env.Do("GET", "/v1/conferences?limit="+limit, apitest.AdminKey, nil)
		if r.Status != http.StatusBadRequest || r.ErrorCode() != "invalid_request" {
			t.Errorf("limit=%s: %d %s", limit, r.Status, r.Body)
		}
	}
}
