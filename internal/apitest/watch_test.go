package apitest_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	confhttp "github.com/confgw/confgw/http"
	"github.com/confgw/confgw/internal/apitest"
	"github.com/confgw/confgw/recording"
)

// spy collects what the server-side check reports instead of failing.
type spy struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (s *spy) Errorf(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.errs = append(s.errs, fmt.Sprintf(format, args...))
}

func (s *spy) reported() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.errs...)
}

// negativeRecordings lists a recording of -1 bytes, which the document
// does not allow.
type negativeRecordings struct{}

func (negativeRecordings) List(string) ([]recording.Info, error) {
	return []recording.Info{{ID: "r-1", Bytes: -1}}, nil
}

func (negativeRecordings) Open(string, string) (io.ReadSeekCloser, recording.Info, error) {
	return nil, recording.Info{}, recording.ErrNotFound
}

func get(t *testing.T, env *apitest.Env, path string) {
	t.Helper()
	req, err := http.NewRequest("GET", env.Server.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+apitest.AdminKey)
	resp, err := env.Server.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
}

func TestRequestsThatBypassDoAndSendAreCheckedByTheServer(t *testing.T) {
	s := &spy{TB: t}
	env := apitest.Start(s, func(o *confhttp.Options) { o.Recordings = negativeRecordings{} })
	env.CreateConference("c")
	get(t, env, "/v1/conferences?limit=0")
	if errs := s.reported(); len(errs) != 0 {
		t.Fatalf("a documented refusal was reported: %v", errs)
	}
	get(t, env, "/v1/conferences/c/recordings")
	if errs := s.reported(); len(errs) != 1 || !strings.Contains(errs[0], "/recordings/0/bytes") {
		t.Fatalf("reported %v, want the negative size", errs)
	}
}
