// Package apitest runs the confgw API in-process for tests and speaks to it
// the way a script would: JSON over HTTP with a bearer token. Every
// exchange made through an Env is held to the API's OpenAPI document, so
// the document cannot drift from what the server does.
package apitest

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/confgw/confgw/conference"
	confhttp "github.com/confgw/confgw/http"
	"github.com/confgw/confgw/http/wire"
)

// AdminKey is the admin key of every test server.
const AdminKey = "test-admin-key"

// Env is a running API with its registry.
type Env struct {
	T        testing.TB
	Registry *conference.Registry
	API      *confhttp.Server
	Server   *httptest.Server
	// Contract is the API's document every exchange is checked against.
	Contract *Contract
}

// Option adjusts the API's options before it starts.
type Option func(*confhttp.Options)

// Start runs an API on a loopback port until the test ends. What reaches
// it other than through Do and Send (a Go client, the command line, an
// events stream) is checked against the document too, and reported to t.
func Start(t testing.TB, opts ...Option) *Env {
	t.Helper()
	contract, err := LoadContract()
	if err != nil {
		t.Fatal(err)
	}
	reg := conference.NewRegistry(conference.Config{BreakoutDefault: true})
	o := confhttp.Options{Registry: reg, AdminKey: AdminKey, Logger: slog.New(slog.DiscardHandler)}
	for _, opt := range opts {
		opt(&o)
	}
	api := confhttp.New(o)
	srv := httptest.NewServer(watch(t, contract, api.Handler()))
	t.Cleanup(func() {
		api.Drain()
		srv.Close()
		reg.EndAll()
	})
	return &Env{T: t, Registry: o.Registry, API: api, Server: srv, Contract: contract}
}

// For returns the same server reporting to t, for subtests and fuzz
// targets that must not fail their parent.
func (e *Env) For(t testing.TB) *Env {
	c := *e
	c.T = t
	return &c
}

// Response is an answer of the API.
type Response struct {
	Status int
	Body   []byte
	Header http.Header
}

// Decode unmarshals the body into v, failing the test on bad JSON.
func (r Response) Decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// ErrorCode is the API error code of the answer, or "" when it has none.
func (r Response) ErrorCode() string {
	var e wire.ErrorBody
	_ = json.Unmarshal(r.Body, &e)
	return string(e.Error.Code)
}

// Do sends a request; body may be nil, a string or []byte (sent as is), or
// anything else (sent as JSON).
func (e *Env) Do(method, path, token string, body any) Response {
	e.T.Helper()
	var raw []byte
	switch b := body.(type) {
	case nil:
		return e.send(method, path, token, "", nil)
	case string:
		raw = []byte(b)
	case []byte:
		raw = b
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.T.Fatal(err)
		}
		raw = j
	}
	return e.send(method, path, token, "application/json", raw)
}

// Send sends body as is with the given Content-Type, for routes that take
// something other than JSON (an SDP offer).
func (e *Env) Send(method, path, token, contentType string, body []byte) Response {
	e.T.Helper()
	return e.send(method, path, token, contentType, body)
}

// send makes the request and holds the exchange to the document. A
// mismatch fails the test but does not stop it, so that the caller's own
// checks still say what the answer was.
func (e *Env) send(method, path, token, contentType string, body []byte) Response {
	e.T.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, e.Server.URL+path, rd)
	if err != nil {
		e.T.Fatal(err)
	}
	req.Header.Set(checkedHeader, "1")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := e.Server.Client().Do(req)
	if err != nil {
		e.T.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.T.Fatal(err)
	}
	r := Response{Status: resp.StatusCode, Body: b, Header: resp.Header}
	if err := e.Contract.Check(req, body, r); err != nil {
		e.T.Errorf("%s %s breaks the API's OpenAPI document: %v", method, path, err)
	}
	return r
}

// CreateConference creates a conference with the admin key.
func (e *Env) CreateConference(id string) {
	e.T.Helper()
	if r := e.Do("POST", "/v1/conferences", AdminKey, map[string]any{"id": id, "title": "Conference " + id}); r.Status != http.StatusCreated {
		e.T.Fatalf("create %s: %d %s", id, r.Status, r.Body)
	}
}

// AddParticipant adds an app participant with the admin key.
func (e *Env) AddParticipant(cid, name string, role conference.Role, version string) wire.Joined {
	e.T.Helper()
	r := e.Do("POST", "/v1/conferences/"+cid+"/participants", AdminKey,
		map[string]any{"name": name, "role": role, "client_version": version})
	if r.Status != http.StatusCreated {
		e.T.Fatalf("add %s: %d %s", name, r.Status, r.Body)
	}
	var j wire.Joined
	r.Decode(e.T, &j)
	return j
}
