package http_test

import (
	"maps"
	"net/http"
	"sync/atomic"
	"testing"

	confhttp "github.com/confgw/confgw/http"
	"github.com/confgw/confgw/internal/apitest"
)

type health struct {
	Status string            `json:"status"`
	Parts  map[string]string `json:"parts"`
}

// /healthz reports each part, and a gateway with one part down answers 503
// though its API still answers: a supervisor must not take it for healthy.
func TestHealthReportsEachPartAndIsDownWhenOneIs(t *testing.T) {
	var sipUp atomic.Bool
	sipUp.Store(true)
	env := apitest.Start(t, func(o *confhttp.Options) {
		o.Health = func() map[string]bool { return map[string]bool{"sip": sipUp.Load(), "webrtc": true} }
	})

	r := env.Do("GET", "/healthz", "", nil)
	var h health
	r.Decode(t, &h)
	want := map[string]string{"http": "ok", "sip": "ok", "webrtc": "ok"}
	if r.Status != http.StatusOK || h.Status != "ok" || !maps.Equal(h.Parts, want) {
		t.Fatalf("all up: %d %+v, want 200 ok %v", r.Status, h, want)
	}

	sipUp.Store(false)
	r = env.Do("GET", "/healthz", "", nil)
	h = health{}
	r.Decode(t, &h)
	want["sip"] = "down"
	if r.Status != http.StatusServiceUnavailable || h.Status != "down" || !maps.Equal(h.Parts, want) {
		t.Fatalf("sip down: %d %+v, want 503 down %v", r.Status, h, want)
	}
}

// An API run without other parts (tests, embedders) reports itself alone.
func TestHealthWithoutPartsReportsTheAPI(t *testing.T) {
	env := apitest.Start(t)
	r := env.Do("GET", "/healthz", "", nil)
	var h health
	r.Decode(t, &h)
	if r.Status != http.StatusOK || !maps.Equal(h.Parts, map[string]string{"http": "ok"}) {
		t.Fatalf("%d %+v", r.Status, h)
	}
}
