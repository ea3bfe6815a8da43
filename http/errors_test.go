package http_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/confgw/confgw/conference"
	"github.com/confgw/confgw/gateway"
	confhttp "github.com/confgw/confgw/http"
	"github.com/confgw/confgw/internal/apitest"
)

// refusingDialer refuses every dial-out with err, as a gateway does once it
// has begun to shut down.
type refusingDialer struct{ err error }

func (d refusingDialer) DialOut(context.Context, *conference.Conference, string) (conference.Participant, error) {
	return conference.Participant{}, d.err
}

func TestADialOutWhileTheGatewayShutsDownIsToBeRetriedLater(t *testing.T) {
	env := apitest.Start(t, func(o *confhttp.Options) { o.Dialer = refusingDialer{gateway.ErrShuttingDown} })
	env.CreateConference("c")
	r := env.Do("POST", "/v1/conferences/c/dial-out", apitest.AdminKey, map[string]any{"to": "+15550199"})
	if r.Status != http.StatusServiceUnavailable || r.ErrorCode() != "shutting_down" {
		t.Fatalf("dial-out during shutdown: %d %s", r.Status, r.Body)
	}
	if got := r.Header.Get("Retry-After"); got != "10" {
		t.Fatalf("Retry-After %q, want 10", got)
	}
}

func TestARefusalThatWillNotGoAwayHasNoRetryAfter(t *testing.T) {
	env := apitest.Start(t)
	env.CreateConference("c")
	r := env.Do("POST", "/v1/conferences/c/dial-out", apitest.AdminKey, map[string]any{"to": "+15550199"})
	if r.Status != http.StatusConflict || r.Header.Get("Retry-After") != "" {
		t.Fatalf("dial-out without a trunk: %d Retry-After %q", r.Status, r.Header.Get("Retry-After"))
	}
}
