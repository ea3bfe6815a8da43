package main

import (
	"encoding/base64"
	"testing"

	confhttp "github.com/confgw/confgw/http"
)

func TestConferenceOfToken(t *testing.T) {
	tok, err := confhttp.NewTokens(confhttp.TokenOptions{}).Issue("board-7", "p-1")
	if err != nil {
		t.Fatal(err)
	}
	payload := func(s string) string { return "h." + base64.RawURLEncoding.EncodeToString([]byte(s)) + ".sig" }
	for tok, want := range map[string]string{
		tok:                      "board-7",
		payload(`{"conf":"c"}`):  "c",
		payload(`{"sub":"p-1"}`): "",
		payload(`not json`):      "",
		"h.!!!.sig":              "",
		"test-admin-key":         "",
		"":                       "",
		"a.b.c.d":                "",
		"h." + base64.URLEncoding.EncodeToString([]byte(`{"conf":"padded"}`)) + ".s": "padded",
	} {
		if got := conferenceOfToken(tok); got != want {
			t.Errorf("conferenceOfToken(%q) = %q, want %q", tok, got, want)
		}
	}
}
