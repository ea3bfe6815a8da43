package http_test

import (
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/confgw/confgw/conference"
	confhttp "github.com/confgw/confgw/http"
	"github.com/confgw/confgw/internal/apitest"
)

// fakeClock is a clock tests move by hand; the server reads it from request
// goroutines, hence the atomic.
type fakeClock struct{ now atomic.Int64 }

func newFakeClock() *fakeClock {
	c := &fakeClock{}
	c.now.Store(time.Date(2030, 1, 2, 9, 0, 0, 0, time.UTC).UnixNano())
	return c
}

func (c *fakeClock) Now() time.Time          { return time.Unix(0, c.now.Load()) }
func (c *fakeClock) Advance(d time.Duration) { c.now.Add(int64(d)) }

func withTokens(o confhttp.TokenOptions) apitest.Option {
	return func(opts *confhttp.Options) { opts.Tokens = confhttp.NewTokens(o) }
}

func TestAParticipantTokenIsRefusedAsExpiredOnceItsTTLHasPassed(t *testing.T) {
	clock := newFakeClock()
	env := apitest.Start(t, withTokens(confhttp.TokenOptions{TTL: time.Hour, Now: clock.Now}))
	env.CreateConference("c")
	alice := env.AddParticipant("c", "Alice", conference.RoleParticipant, "4.14")

	clock.Advance(59 * time.Minute)
	if r := env.Do("GET", "/v1/conferences/c", alice.Token, nil); r.Status != http.StatusOK {
		t.Fatalf("within its TTL: %d %s", r.Status, r.Body)
	}
	clock.Advance(2 * time.Minute)
	r := env.Do("GET", "/v1/conferences/c", alice.Token, nil)
	if r.Status != http.StatusUnauthorized || r.ErrorCode() != "unauthorized" || !strings.Contains(string(r.Body), "expired") {
		t.Fatalf("past its TTL: %d %s", r.Status, r.Body)
	}
	if r := env.Do("GET", "/v1/conferences/c/events", alice.Token, nil); r.Status != http.StatusUnauthorized {
		t.Fatalf("the events stream past the TTL: %d %s", r.Status, r.Body)
	}
	if r := env.Do("GET", "/v1/conferences", alice.Token, nil); r.Status != http.StatusUnauthorized || !strings.Contains(string(r.Body), "expired") {
		t.Fatalf("an admin route past the TTL: %d %s", r.Status, r.Body)
	}
}

func TestATokenIsGoodForADayUnlessToldOtherwise(t *testing.T) {
	clock := newFakeClock()
	tokens := confhttp.NewTokens(confhttp.TokenOptions{Now: clock.Now})
	tok, err := tokens.Issue("c", "p-1")
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(23 * time.Hour)
	if _, _, err := tokens.Parse(tok); err != nil {
		t.Fatalf("after 23 hours: %v", err)
	}
	clock.Advance(2 * time.Hour)
	if _, _, err := tokens.Parse(tok); err == nil {
		t.Fatal("after 25 hours the token is still good")
	}
}

func TestASignedTokenWithoutExpiryIsRefused(t *testing.T) {
	secret := []byte("a secret shared with the test")
	env := apitest.Start(t, withTokens(confhttp.TokenOptions{Secret: secret}))
	env.CreateConference("c")
	alice := env.AddParticipant("c", "Alice", conference.RoleParticipant, "4.14")
	forever, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"iss": "confgw", "sub": alice.Participant.ID, "conf": "c",
	}).SignedString(secret)
	if err != nil {
		t.Fatal(err)
	}
	if r := env.Do("GET", "/v1/conferences/c", forever, nil); r.Status != http.StatusUnauthorized {
		t.Fatalf("a token without exp: %d %s", r.Status, r.Body)
	}
}

func TestTheTokensOfAnEndedConferenceAreRefusedAsUnauthorized(t *testing.T) {
	env := apitest.Start(t)
	env.CreateConference("c")
	alice := env.AddParticipant("c", "Alice", conference.RoleParticipant, "4.14")
	if r := env.Do("DELETE", "/v1/conferences/c", apitest.AdminKey, nil); r.Status != http.StatusNoContent {
		t.Fatalf("end: %d %s", r.Status, r.Body)
	}
	for _, path := range []string{"/v1/conferences/c", "/v1/conferences/c/rooms", "/v1/conferences/c/events"} {
		r := env.Do("GET", path, alice.Token, nil)
		if r.Status != http.StatusUnauthorized || r.ErrorCode() != "unauthorized" || !strings.Contains(string(r.Body), "ended") {
			t.Errorf("GET %s with a token of the ended conference: %d %s", path, r.Status, r.Body)
		}
	}
	if r := env.Do("GET", "/v1/conferences/c", apitest.AdminKey, nil); r.Status != http.StatusNotFound || r.ErrorCode() != "not_found" {
		t.Errorf("GET the ended conference with the admin key: %d %s", r.Status, r.Body)
	}
}

// A conference created again under the same id is another conference: the
// tokens of the first name participants the second never had.
func TestTheTokensOfAnEndedConferenceDoNotOpenOneCreatedUnderItsID(t *testing.T) {
	env := apitest.Start(t)
	env.CreateConference("c")
	alice := env.AddParticipant("c", "Alice", conference.RoleParticipant, "4.14")
	if r := env.Do("DELETE", "/v1/conferences/c", apitest.AdminKey, nil); r.Status != http.StatusNoContent {
		t.Fatalf("end: %d %s", r.Status, r.Body)
	}
	env.CreateConference("c")
	if r := env.Do("GET", "/v1/conferences/c", alice.Token, nil); r.Status != http.StatusUnauthorized {
		t.Fatalf("an old token on the new conference: %d %s", r.Status, r.Body)
	}
}
