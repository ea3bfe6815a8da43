package http_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/confgw/confgw/conference"
	"github.com/confgw/confgw/gateway"
	confhttp "github.com/confgw/confgw/http"
	"github.com/confgw/confgw/http/wire"
	"github.com/confgw/confgw/internal/apitest"
	"github.com/confgw/confgw/store"
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

func TestAChangeTheStoreCannotSaveIsRefusedToBeRetriedAndNotMade(t *testing.T) {
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	reg := conference.NewRegistry(conference.Config{BreakoutDefault: true, Journal: st})
	t.Cleanup(reg.EndAll)
	env := apitest.Start(t, func(o *confhttp.Options) { o.Registry = reg })
	env.CreateConference("c")
	// A closed database fails every write as a dead disk would.
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	r := env.Do("POST", "/v1/conferences/c/rooms", apitest.AdminKey, nil)
	if r.Status != http.StatusServiceUnavailable || r.ErrorCode() != "storage_unavailable" || r.Header.Get("Retry-After") != "5" {
		t.Fatalf("adding a room with the store gone: %d Retry-After %q %s", r.Status, r.Header.Get("Retry-After"), r.Body)
	}
	var rooms wire.Rooms
	env.Do("GET", "/v1/conferences/c/rooms", apitest.AdminKey, nil).Decode(t, &rooms)
	if len(rooms.Rooms) != 1 {
		t.Fatalf("rooms after the refused add: %+v, want the main room alone", rooms.Rooms)
	}
	if r := env.Do("POST", "/v1/conferences", apitest.AdminKey, map[string]any{"id": "d", "title": "D"}); r.Status != http.StatusServiceUnavailable {
		t.Fatalf("creating a conference with the store gone: %d %s", r.Status, r.Body)
	}
}
