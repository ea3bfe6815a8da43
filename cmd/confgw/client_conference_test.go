package main

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/confgw/confgw/conference"
	confhttp "github.com/confgw/confgw/http"
	"github.com/confgw/confgw/internal/apitest"
)

// fields reads a key-value block ("ID  c") into a map.
func fields(out string) map[string]string {
	kv := map[string]string{}
	for _, l := range strings.Split(out, "\n") {
		if k, v, ok := strings.Cut(l, " "); ok {
			kv[k] = strings.TrimSpace(v)
		}
	}
	return kv
}

func TestConferenceCreatePrintsHowToReachIt(t *testing.T) {
	c := newCLI(t)
	out := c.must(apitest.AdminKey, "conference", "create", "--title", "Board", "--id", "board",
		"--dial-in", "5551234", "--pin", "1234", "--breakout=false")
	kv := fields(out)
	if kv["ID"] != "board" || kv["TITLE"] != "Board" || kv["DIAL-IN"] != "5551234" || kv["PIN"] != "required" || kv["BREAKOUT"] != "off" {
		t.Fatalf("create:\n%s", out)
	}
	// Without --breakout the server's default applies (on in tests).
	out = c.must(apitest.AdminKey, "conference", "create", "--title", "Ad hoc")
	if kv := fields(out); !strings.HasPrefix(kv["ID"], "c-") || kv["DIAL-IN"] != kv["ID"] || kv["PIN"] != "none" || kv["BREAKOUT"] != "on" {
		t.Fatalf("create with defaults:\n%s", out)
	}
	if _, err := c.as(apitest.AdminKey, "conference", "create"); err == nil || !strings.Contains(err.Error(), `"title" not set`) {
		t.Fatalf("no title: %v", err)
	}
	if _, err := c.as(apitest.AdminKey, "conference", "create", "--title", "Dup", "--id", "board"); !errors.Is(err, conference.ErrAlreadyExists) {
		t.Fatalf("duplicate: %v", err)
	}
}

func TestConferenceCreateLeavesBreakoutToTheServer(t *testing.T) {
	reg := conference.NewRegistry(conference.Config{BreakoutDefault: false})
	t.Cleanup(reg.EndAll)
	c := newCLI(t, func(o *confhttp.Options) { o.Registry = reg })
	if kv := fields(c.must(apitest.AdminKey, "conference", "create", "--title", "Quiet")); kv["BREAKOUT"] != "off" {
		t.Fatalf("server default off, got breakout %q", kv["BREAKOUT"])
	}
	if kv := fields(c.must(apitest.AdminKey, "conference", "create", "--title", "Busy", "--breakout")); kv["BREAKOUT"] != "on" {
		t.Fatalf("--breakout, got breakout %q", kv["BREAKOUT"])
	}
}

func TestConferenceShow(t *testing.T) {
	c := newClinic(t)
	c.must(c.host.Token, "rooms", "add")
	c.must(c.host.Token, "move", c.alice.Participant.ID, "1")
	out := trimmed(c.must(c.carl.Token, "conference", "show"))
	blocks := strings.Split(out, "\n\n")
	if len(blocks) != 3 || fields(blocks[0])["TITLE"] != "Clinic" {
		t.Fatalf("show:\n%s", out)
	}
	if !strings.Contains(blocks[1], "1     Breakout room 1  1      Alice") || strings.Count(blocks[2], "\n") != 4 {
		t.Fatalf("show rooms and participants:\n%s", out)
	}
}

func TestBreakoutOffSendsEveryoneBack(t *testing.T) {
	c := newClinic(t)
	c.must(c.host.Token, "rooms", "add")
	c.must(c.host.Token, "move", c.alice.Participant.ID, "1")
	if out := c.must(c.host.Token, "conference", "breakout", "off"); fields(out)["BREAKOUT"] != "off" {
		t.Fatalf("breakout off:\n%s", out)
	}
	if out := trimmed(c.must(c.host.Token, "rooms")); strings.Count(out, "\n") != 2 || !strings.Contains(out, "3      Hanna, Alice, Carl") {
		t.Fatalf("rooms after off:\n%s", out)
	}
	if _, err := c.as(c.host.Token, "rooms", "add"); !errors.Is(err, conference.ErrBreakoutDisabled) {
		t.Fatalf("add room while off: %v", err)
	}
	if out := c.must(c.host.Token, "conference", "breakout", "on"); fields(out)["BREAKOUT"] != "on" {
		t.Fatalf("breakout on:\n%s", out)
	}
	if _, err := c.as(c.host.Token, "conference", "breakout", "maybe"); err == nil {
		t.Fatal("breakout maybe accepted")
	}
}

func TestConferenceEndNeedsTheAdminKey(t *testing.T) {
	c := newClinic(t)
	if _, err := c.as(c.host.Token, "conference", "end"); !errors.Is(err, conference.ErrAdminRequired) {
		t.Fatalf("host ends: %v", err)
	}
	if out := c.must(apitest.AdminKey, "conference", "end", "--conference", "c"); out != "ended conference c\n" {
		t.Fatalf("end: %q", out)
	}
	if _, err := c.as(apitest.AdminKey, "conference", "show", "--conference", "c"); !errors.Is(err, conference.ErrNotFound) {
		t.Fatalf("show after end: %v", err)
	}
}

// TestJSONIsTheAPIsOwn compares -o json with what the API answers the same
// question with, byte for byte.
func TestJSONIsTheAPIsOwn(t *testing.T) {
	c := newClinic(t)
	c.must(c.host.Token, "rooms", "add")
	moved := c.must(c.host.Token, "move", c.alice.Participant.ID, "1", "-o", "json")
	for _, tc := range []struct {
		args []string
		path string
	}{
		{[]string{"conference", "show"}, "/v1/conferences/c"},
		{[]string{"participants"}, "/v1/conferences/c/participants"},
		{[]string{"rooms"}, "/v1/conferences/c/rooms"},
		{[]string{"recordings"}, "/v1/conferences/c/recordings"},
	} {
		out := c.must(c.host.Token, append(tc.args, "-o", "json")...)
		api := c.env.Do("GET", tc.path, c.host.Token, nil)
		if out != string(api.Body)+"\n" {
			t.Errorf("%s -o json:\n%s\nAPI:\n%s", strings.Join(tc.args, " "), out, api.Body)
		}
	}
	if api := c.env.Do("GET", "/v1/conferences/c/participants/"+c.alice.Participant.ID, c.host.Token, nil); moved != string(api.Body)+"\n" {
		t.Errorf("move -o json:\n%s\nAPI:\n%s", moved, api.Body)
	}
	var p conference.Participant
	if err := json.Unmarshal([]byte(moved), &p); err != nil || p.Room != "1" {
		t.Fatalf("move -o json %q: %v", moved, err)
	}
}

func TestAnAdminListsConferencesAPageAtATimeFromTheCommandLine(t *testing.T) {
	c := newCLI(t)
	for _, id := range []string{"clinic", "board", "standup"} {
		c.must(apitest.AdminKey, "conference", "create", "--id", id, "--title", "The "+id)
	}
	c.must(apitest.AdminKey, "participants", "add", "--conference", "clinic", "--name", "Pat", "--client-version", "4.14")
	args := []string{"conference", "list", "--limit", "2", "--server", c.env.Server.URL, "--token", apitest.AdminKey}
	out, hint, err := executeBoth(t.Context(), args...)
	if err != nil {
		t.Fatal(err)
	}
	want := "ID      TITLE       DIAL-IN  PIN   BREAKOUT  PARTICIPANTS\n" +
		"board   The board   board    none  on        0\n" +
		"clinic  The clinic  clinic   none  on        1\n"
	if out != want {
		t.Fatalf("first page:\n%s\nwant:\n%s", out, want)
	}
	if hint != "more: confgw conference list --after clinic\n" {
		t.Fatalf("hint %q", hint)
	}
	out, hint, err = executeBoth(t.Context(), append(args, "--after", "clinic")...)
	if err != nil || !strings.HasPrefix(strings.Split(out, "\n")[1], "standup ") || strings.Count(out, "\n") != 2 || hint != "" {
		t.Fatalf("last page: %v\n%s\nhint %q", err, out, hint)
	}
}

func TestConferenceListJSONIsTheAPIsOwnPage(t *testing.T) {
	c := newClinic(t)
	out := c.must(apitest.AdminKey, "conference", "list", "-o", "json", "--limit", "1")
	if api := c.env.Do("GET", "/v1/conferences?limit=1", apitest.AdminKey, nil); out != string(api.Body)+"\n" {
		t.Fatalf("list -o json:\n%s\nAPI:\n%s", out, api.Body)
	}
}

func TestConferenceListRefusesWhatTheServerWould(t *testing.T) {
	c := newClinic(t)
	if _, err := c.as(c.host.Token, "conference", "list"); !errors.Is(err, conference.ErrAdminRequired) {
		t.Fatalf("a host lists: %v", err)
	}
	if _, err := c.as(apitest.AdminKey, "conference", "list", "--limit", "501"); !errors.Is(err, conference.ErrInvalid) {
		t.Fatalf("--limit 501: %v", err)
	}
	if _, err := c.as(apitest.AdminKey, "conference", "list", "--limit", "0"); err == nil || !strings.Contains(err.Error(), "--limit 0") {
		t.Fatalf("--limit 0: %v", err)
	}
}

func TestConferenceCreateTakesItsIDAsAnArgument(t *testing.T) {
	c := newCLI(t)
	if kv := fields(c.must(apitest.AdminKey, "conference", "create", "clinic", "--title", "Clinic")); kv["ID"] != "clinic" || kv["DIAL-IN"] != "clinic" {
		t.Fatalf("create clinic: %v", kv)
	}
	// The flag keeps working, alone or saying the same as the argument.
	if kv := fields(c.must(apitest.AdminKey, "conference", "create", "--id", "board", "--title", "Board")); kv["ID"] != "board" {
		t.Fatalf("create --id board: %v", kv)
	}
	if kv := fields(c.must(apitest.AdminKey, "conference", "create", "standup", "--id", "standup", "--title", "Standup")); kv["ID"] != "standup" {
		t.Fatalf("create standup --id standup: %v", kv)
	}
	_, err := c.as(apitest.AdminKey, "conference", "create", "retro", "--id", "review", "--title", "Retro")
	if err == nil || err.Error() != `conference id given twice, as "retro" and as --id "review": give one` {
		t.Fatalf("create retro --id review: %v", err)
	}
	if _, err := c.as(apitest.AdminKey, "conference", "create", "a", "b", "--title", "Two"); err == nil {
		t.Fatal("create with two ids accepted")
	}
	if _, err := c.as(apitest.AdminKey, "conference", "show", "retro"); !errors.Is(err, conference.ErrNotFound) {
		t.Fatalf("a refused create created retro: %v", err)
	}
}

func TestConferenceShowAndEndTakeTheIDAsAnArgument(t *testing.T) {
	c := newClinic(t)
	c.must(apitest.AdminKey, "conference", "create", "board", "--title", "Board")
	if kv := fields(c.must(apitest.AdminKey, "conference", "show", "c")); kv["TITLE"] != "Clinic" {
		t.Fatalf("show c: %v", kv)
	}
	if kv := fields(c.must(apitest.AdminKey, "conference", "show", "c", "--conference", "c")); kv["TITLE"] != "Clinic" {
		t.Fatalf("show c --conference c: %v", kv)
	}
	_, err := c.as(apitest.AdminKey, "conference", "show", "c", "--conference", "board")
	if err == nil || err.Error() != `conference given twice, as "c" and as --conference "board": give one` {
		t.Fatalf("show c --conference board: %v", err)
	}
	// A participant token names its conference; an argument naming another
	// reaches the server, which judges the token.
	if kv := fields(c.must(c.alice.Token, "conference", "show", "c")); kv["TITLE"] != "Clinic" {
		t.Fatalf("alice shows c: %v", kv)
	}
	if _, err := c.as(c.alice.Token, "conference", "show", "board"); !errors.Is(err, conference.ErrUnauthorized) {
		t.Fatalf("alice shows board: %v", err)
	}
	if out := c.must(apitest.AdminKey, "conference", "end", "board"); out != "ended conference board\n" {
		t.Fatalf("end board: %q", out)
	}
	if _, err := c.as(apitest.AdminKey, "conference", "end", "c", "--conference", "board"); err == nil || !strings.Contains(err.Error(), "given twice") {
		t.Fatalf("end c --conference board: %v", err)
	}
	if _, err := c.as(apitest.AdminKey, "conference", "show", "c", "board"); err == nil {
		t.Fatal("show with two ids accepted")
	}
}

// CONFGW_CONFERENCE is a default like the token's: the argument, typed for
// this one command, wins over it.
func TestAConferenceArgumentWinsOverTheEnvironment(t *testing.T) {
	c := newClinic(t)
	c.must(apitest.AdminKey, "conference", "create", "board", "--title", "Board")
	t.Setenv("CONFGW_CONFERENCE", "board")
	if kv := fields(c.must(apitest.AdminKey, "conference", "show", "c")); kv["TITLE"] != "Clinic" {
		t.Fatalf("show c with CONFGW_CONFERENCE=board: %v", kv)
	}
	if kv := fields(c.must(apitest.AdminKey, "conference", "show")); kv["TITLE"] != "Board" {
		t.Fatalf("show with CONFGW_CONFERENCE=board: %v", kv)
	}
}

func TestAHostSwitchesThePhoneKeypadFromTheCommandLine(t *testing.T) {
	c := newClinic(t)
	if kv := fields(c.must(apitest.AdminKey, "conference", "create", "--title", "Quiet", "--keypad=false")); kv["KEYPAD"] != "off" {
		t.Fatalf("--keypad=false, got keypad %q", kv["KEYPAD"])
	}
	if kv := fields(c.must(c.host.Token, "conference", "show")); kv["KEYPAD"] != "on" {
		t.Fatalf("a conference's keypad by default: %q", kv["KEYPAD"])
	}
	if _, err := c.as(c.alice.Token, "conference", "keypad", "off"); !errors.Is(err, conference.ErrHostRequired) {
		t.Fatalf("a participant switching the keypad: %v", err)
	}
	if out := c.must(c.host.Token, "conference", "keypad", "off"); fields(out)["KEYPAD"] != "off" {
		t.Fatalf("keypad off:\n%s", out)
	}
	if _, err := c.as(c.host.Token, "conference", "keypad", "maybe"); err == nil {
		t.Fatal("keypad maybe accepted")
	}
}
