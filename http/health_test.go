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

type readiness struct {
	Status string `json:"status"`
	Reason string `json:"reason"`
}

// /readyz turns a load balancer's new calls away while the gateway sheds
// them, saying why, and welcomes them again once it takes calls.
func TestReadinessIsUnavailableWithTheReasonWhileCallsAreShed(t *testing.T) {
	var reason atomic.Value
	reason.Store("")
	env := apitest.Start(t, func(o *confhttp.Options) {
		o.Shedding = func() string { return reason.Load().(string) }
	})
	r := env.Do("GET", "/readyz", "", nil)
	var got readiness
	r.Decode(t, &got)
	if r.Status != http.StatusOK || got != (readiness{Status: "ready"}) {
		t.Fatalf("taking calls: %d %+v, want 200 ready", r.Status, got)
	}

	reason.Store("tick_late")
	r = env.Do("GET", "/readyz", "", nil)
	got = readiness{}
	r.Decode(t, &got)
	if r.Status != http.StatusServiceUnavailable || got != (readiness{Status: "shedding", Reason: "tick_late"}) {
		t.Fatalf("shedding: %d %+v, want 503 shedding tick_late", r.Status, got)
	}
	// Shedding is no fault: the gateway stays healthy.
	if r := env.Do("GET", "/healthz", "", nil); r.Status != http.StatusOK {
		t.Fatalf("/healthz %d while shedding, want 200", r.Status)
	}
}

func TestReadinessWithoutAnAdmissionSignalIsReady(t *testing.T) {
	env := apitest.Start(t)
	if r := env.Do("GET", "/readyz", "", nil); r.Status != http.StatusOK {
		t.Fatalf("%d, want 200", r.Status)
	}
}
