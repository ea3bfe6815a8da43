package main

import (
	"strings"
	"testing"

	"github.com/confgw/confgw/internal/apitest"
)

func TestOnlyConnectionFlagsOfClientCommandsComeFromTheEnvironment(t *testing.T) {
	c := newClinic(t)
	t.Setenv("CONFGW_SERVER", c.env.Server.URL)
	t.Setenv("CONFGW_TOKEN", apitest.AdminKey)
	t.Setenv("CONFGW_CONFERENCE", "c")
	t.Setenv("CONFGW_NAME", "Stray")
	// Without --name the server must refuse; a leak would add "Stray".
	out, err := execute(t.Context(), "participants", "add", "--client-version", "4.14")
	if err == nil || strings.Contains(out, "Stray") {
		t.Fatalf("CONFGW_NAME leaked into a client command: %v\n%s", err, out)
	}
}
