package main

import (
	"reflect"
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

// helpSections reads the root's help into its sections: a title line
// ending in ":" followed by indented "name  description" lines.
func helpSections(help string) map[string][]string {
	sections := map[string][]string{}
	title := ""
	for _, l := range strings.Split(help, "\n") {
		switch {
		case strings.HasSuffix(l, ":") && !strings.HasPrefix(l, " "):
			title = l
		case strings.HasPrefix(l, "  ") && title != "":
			sections[title] = append(sections[title], strings.Fields(l)[0])
		default:
			title = ""
		}
	}
	return sections
}

func TestHelpListsRunningAGatewayApartFromTalkingToOne(t *testing.T) {
	out, err := execute(t.Context(), "--help")
	if err != nil {
		t.Fatal(err)
	}
	got := helpSections(out)
	want := map[string][]string{
		"Run or load-test a gateway:": {"loadtest", "serve"},
		"Talk to a running gateway (--server, --token):": {
			"bans", "conference", "dial", "events", "hand", "hangup", "help-request", "host", "move", "mute", "participants", "record", "recordings", "rooms", "unmute",
		},
		"Additional Commands:": {"completion", "help"},
		"Usage:":               {"confgw"},
		"Flags:":               {"-h,"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("help sections:\n%v\nwant:\n%v\nhelp:\n%s", got, want, out)
	}
	if strings.Index(out, "Run or load-test") > strings.Index(out, "Talk to a running") {
		t.Fatalf("running a gateway is not listed first:\n%s", out)
	}
}

// A command added without a group would land among cobra's own.
func TestEveryCommandOfTheRootHasAGroup(t *testing.T) {
	for _, cmd := range newRoot().Commands() {
		if cmd.GroupID == "" && cmd.Name() != "help" && cmd.Name() != "completion" {
			t.Errorf("confgw %s has no group", cmd.Name())
		}
	}
}
