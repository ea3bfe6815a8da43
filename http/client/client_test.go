package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"

	"github.com/confgw/confgw/conference"
	"github.com/confgw/confgw/http/client"
	"github.com/confgw/confgw/http/wire"
	"github.com/confgw/confgw/internal/apitest"
)

// clinic is conference "c" with a host, a current client and an old one.
type clinic struct {
	env   *apitest.Env
	admin *client.Client
	host  wire.Joined
	alice wire.Joined
	carl  wire.Joined
}

func newClinic(t *testing.T, opts ...apitest.Option) *clinic {
	t.Helper()
	env := apitest.Start(t, opts...)
	k := &clinic{env: env, admin: client.New(env.Server.URL, apitest.AdminKey)}
	if _, _, err := k.admin.CreateConference(t.Context(), wire.NewConference{ID: "c", Title: "Clinic"}); err != nil {
		t.Fatal(err)
	}
	k.host = k.join(t, "Hanna", conference.RoleHost, "4.14")
	k.alice = k.join(t, "Alice", conference.RoleParticipant, "4.14.2")
	k.carl = k.join(t, "Carl", conference.RoleParticipant, "4.9")
	return k
}

func (k *clinic) join(t *testing.T, name string, role conference.Role, version string) wire.Joined {
	t.Helper()
	j, _, err := k.admin.AddParticipant(t.Context(), "c", wire.NewParticipant{Name: name, Role: role, ClientVersion: version})
	if err != nil {
		t.Fatalf("add %s: %v", name, err)
	}
	return j
}

// as is a client acting with a participant's token.
func (k *clinic) as(j wire.Joined) *client.Client {
	return client.New(k.env.Server.URL, j.Token)
}

// sameJSON fails unless raw decodes to exactly want, so a method cannot
// hand back a body other than the one it decoded.
func sameJSON[T any](t *testing.T, raw []byte, want T) {
	t.Helper()
	var got T
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatalf("raw %q: %v", raw, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("raw decodes to %+v, want %+v", got, want)
	}
}

func TestRequestCarriesTokenBodyAndEscapedPath(t *testing.T) {
	type seen struct{ method, path, auth, ctype, body string }
	got := make(chan seen, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- seen{r.Method, r.URL.EscapedPath(), r.Header.Get("Authorization"), r.Header.Get("Content-Type"), string(b)}
		w.Write([]byte(`{"id":"a b/c","room":"2"}`))
	}))
	defer srv.Close()

	p, raw, err := client.New(srv.URL+"/", "tok").Move(context.Background(), "c 1", "a b/c", "2")
	if err != nil {
		t.Fatal(err)
	}
	s := <-got
	want := seen{"POST", "/v1/conferences/c%201/participants/a%20b%2Fc/move", "Bearer tok", "application/json", `{"room":"2"}`}
	if s != want {
		t.Fatalf("request %+v, want %+v", s, want)
	}
	if p.ID != "a b/c" || p.Room != "2" || string(raw) != `{"id":"a b/c","room":"2"}` {
		t.Fatalf("answer %+v %s", p, raw)
	}
}

func TestBodilessCallsSendNoBody(t *testing.T) {
	got := make(chan string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.Header.Get("Content-Type") + "|" + r.Method + " " + r.URL.Path
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	if err := client.New(srv.URL, "").HangUp(context.Background(), "c", "p"); err != nil {
		t.Fatal(err)
	}
	if s := <-got; s != "|POST /v1/conferences/c/participants/p/hangup" {
		t.Fatalf("request %q", s)
	}
}

func TestUnreachableServerIsNotAnAPIError(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	_, _, err := client.New(url, "").Conference(context.Background(), "c")
	var apiErr *client.APIError
	if err == nil || errors.As(err, &apiErr) {
		t.Fatalf("err %v", err)
	}
}

func TestMalformedAnswerIsAnError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Write([]byte(`<html>`))
	}))
	defer srv.Close()
	if _, raw, err := client.New(srv.URL, "").Rooms(context.Background(), "c"); err == nil || raw != nil {
		t.Fatalf("raw %q err %v", raw, err)
	}
}
