package client_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/confgw/confgw/conference"
	"github.com/confgw/confgw/http/client"
)

func TestAPIErrorCarriesServersRefusal(t *testing.T) {
	k := newClinic(t)
	_, _, err := k.as(k.host).Move(t.Context(), "c", k.carl.Participant.ID, "main")
	if err != nil {
		t.Fatalf("moving to the room one is in is no change: %v", err)
	}
	if _, _, err := k.as(k.host).AddRoom(t.Context(), "c"); err != nil {
		t.Fatal(err)
	}
	_, raw, err := k.as(k.host).Move(t.Context(), "c", k.carl.Participant.ID, "1")
	var apiErr *client.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("err %T %v", err, err)
	}
	want := client.APIError{Status: http.StatusConflict, Code: "client_too_old", Message: "Carl uses client 4.9; moving needs 4.14 or later"}
	if *apiErr != want || raw != nil {
		t.Fatalf("got %+v raw %q, want %+v", *apiErr, raw, want)
	}
	if err.Error() != "client_too_old: Carl uses client 4.9; moving needs 4.14 or later" {
		t.Fatalf("message %q", err)
	}
	if !errors.Is(err, conference.ErrClientTooOld) || errors.Is(err, conference.ErrPhonePinned) {
		t.Fatal("errors.Is does not match on the code")
	}
}

func TestAPIErrorFromAForeignBody(t *testing.T) {
	for _, tc := range []struct {
		status  int
		body    string
		message string
	}{
		{http.StatusBadGateway, "upstream down\n", "HTTP 502: upstream down"},
		{http.StatusServiceUnavailable, "", "HTTP 503: Service Unavailable"},
		{http.StatusBadRequest, `{"error":"flat"}`, `HTTP 400: {"error":"flat"}`},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(tc.status)
			w.Write([]byte(tc.body))
		}))
		_, _, err := client.New(srv.URL, "").Participants(context.Background(), "c")
		srv.Close()
		var apiErr *client.APIError
		if !errors.As(err, &apiErr) || apiErr.Status != tc.status || apiErr.Code != "" || err.Error() != tc.message {
			t.Errorf("%d %q: %v", tc.status, tc.body, err)
		}
		if errors.Is(err, conference.ErrInvalid) {
			t.Errorf("%d: a codeless error matched a sentinel", tc.status)
		}
	}
}
