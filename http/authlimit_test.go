package http_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/confgw/confgw/conference"
	confhttp "github.com/confgw/confgw/http"
	"github.com/confgw/confgw/internal/apitest"
)

// from is a client whose requests come from ip, one of the loopback
// addresses, so that a test can speak as several sources. What it sends
// goes through the test server's watch, so it is still held to the
// document.
func from(t *testing.T, env *apitest.Env, ip string) func(method, path, token string) (int, http.Header, string) {
	t.Helper()
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	client := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			return dialer.DialContext(ctx, network, addr)
		},
	}}
	t.Cleanup(client.CloseIdleConnections)
	return func(method, path, token string) (int, http.Header, string) {
		t.Helper()
		req, err := http.NewRequest(method, env.Server.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header, string(body)
	}
}

func TestASourceGuessingTheAdminKeyIsMadeToWaitWhileOthersAreServed(t *testing.T) {
	clock := newFakeClock()
	env := apitest.Start(t, func(o *confhttp.Options) {
		o.AuthLimit = confhttp.AuthLimit{Burst: 10, Interval: 10 * time.Second, Now: clock.Now}
	})
	env.CreateConference("c")
	alice := env.AddParticipant("c", "Alice", conference.RoleParticipant, "4.14")
	guesser, operator := from(t, env, "127.0.0.2"), from(t, env, "127.0.0.3")

	for i := range 10 {
		if status, _, body := guesser("GET", "/v1/conferences", "guess"); status != http.StatusUnauthorized {
			t.Fatalf("wrong key %d of the burst: %d %s", i+1, status, body)
		}
	}
	status, header, body := guesser("GET", "/v1/conferences", "guess")
	if status != http.StatusTooManyRequests || !strings.Contains(body, `"too_many_attempts"`) || header.Get("Retry-After") != "10" {
		t.Fatalf("a wrong key past the burst: %d Retry-After %q %s", status, header.Get("Retry-After"), body)
	}
	// Letting the right key through would tell the guesser it had found it.
	if status, _, body := guesser("GET", "/v1/conferences", apitest.AdminKey); status != http.StatusTooManyRequests {
		t.Fatalf("the right key from the throttled source: %d %s", status, body)
	}
	if status, _, body := guesser("GET", "/v1/conferences/c/rooms", "a.forged.token"); status != http.StatusTooManyRequests {
		t.Fatalf("a forged token from the throttled source: %d %s", status, body)
	}
	if status, _, body := operator("GET", "/v1/conferences", apitest.AdminKey); status != http.StatusOK {
		t.Fatalf("the right key from another source: %d %s", status, body)
	}
	// A token the gateway signed is no guess: people sharing the
	// guesser's address keep their meeting.
	if status, _, body := guesser("GET", "/v1/conferences/c", alice.Token); status != http.StatusOK {
		t.Fatalf("a participant's own token from the throttled source: %d %s", status, body)
	}

	clock.Advance(10 * time.Second)
	if status, _, body := guesser("GET", "/v1/conferences", apitest.AdminKey); status != http.StatusOK {
		t.Fatalf("the right key once Retry-After has passed: %d %s", status, body)
	}
	guesser("GET", "/v1/conferences", "guess")
	if status, _, _ := guesser("GET", "/v1/conferences", "guess"); status != http.StatusTooManyRequests {
		t.Fatalf("a second wrong key after one interval: %d, want one attempt earned back only", status)
	}

	metrics := string(env.Do("GET", "/metrics", "", nil).Body)
	for _, want := range []string{
		`confgw_auth_failures_total{reason="bad_key"} 11`,
		`confgw_auth_failures_total{reason="throttled"} 4`,
		`confgw_auth_failures_total{reason="expired_token"} 0`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

func TestStaleTokensAndMissingCredentialsDoNotCountAsGuesses(t *testing.T) {
	clock := newFakeClock()
	env := apitest.Start(t, func(o *confhttp.Options) {
		o.AuthLimit = confhttp.AuthLimit{Burst: 2, Interval: time.Minute, Now: clock.Now}
		o.Tokens = confhttp.NewTokens(confhttp.TokenOptions{TTL: time.Hour, Now: clock.Now})
	})
	env.CreateConference("c")
	env.CreateConference("d")
	alice := env.AddParticipant("c", "Alice", conference.RoleParticipant, "4.14")
	bob := env.AddParticipant("d", "Bob", conference.RoleParticipant, "4.14")
	env.Do("DELETE", "/v1/conferences/d", apitest.AdminKey, nil)
	for range 5 {
		env.Do("GET", "/v1/conferences", "", nil)
		env.Do("GET", "/v1/conferences/d", bob.Token, nil)
		env.Do("GET", "/v1/conferences/d", alice.Token, nil)
	}
	clock.Advance(2 * time.Hour)
	for range 5 {
		if r := env.Do("GET", "/v1/conferences/c", alice.Token, nil); r.Status != http.StatusUnauthorized {
			t.Fatalf("an expired token: %d %s", r.Status, r.Body)
		}
	}
	if r := env.Do("GET", "/v1/conferences", apitest.AdminKey, nil); r.Status != http.StatusOK {
		t.Fatalf("the admin key after stale tokens only: %d %s", r.Status, r.Body)
	}
}

func TestWithoutALimitFailuresAreNeverThrottled(t *testing.T) {
	env := apitest.Start(t, func(o *confhttp.Options) { o.AuthLimit = confhttp.AuthLimit{Burst: -1} })
	for i := range 30 {
		if r := env.Do("GET", "/v1/conferences", "guess", nil); r.Status != http.StatusUnauthorized {
			t.Fatalf("wrong key %d: %d %s", i+1, r.Status, r.Body)
		}
	}
}
