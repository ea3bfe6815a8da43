package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/confgw/confgw/conference"
	"github.com/confgw/confgw/internal/apitest"
)

func TestHostRunsBreakoutRooms(t *testing.T) {
	c := newClinic(t)
	host := c.host.Token
	if out := trimmed(c.must(host, "rooms", "add")); out != "ROOM  NAME             COUNT  PARTICIPANTS\n1     Breakout room 1  0\n" {
		t.Fatalf("rooms add:\n%s", out)
	}
	c.must(host, "rooms", "add")
	c.must(host, "move", c.alice.Participant.ID, "1")
	c.must(host, "rooms", "join", "2")

	want := "" +
		"ROOM  NAME             COUNT  PARTICIPANTS\n" +
		"main  Main Room        1      Carl\n" +
		"1     Breakout room 1  1      Alice\n" +
		"2     Breakout room 2  1      Hanna\n"
	if out := trimmed(c.must(host, "rooms")); out != want {
		t.Fatalf("rooms:\n%s\nwant:\n%s", out, want)
	}

	_, err := c.as(host, "rooms", "delete", "2")
	if !errors.Is(err, conference.ErrHostInsideRoom) || err.Error() != "host_inside_room: you are in Breakout room 2: join another room before deleting it" {
		t.Fatalf("delete own room: %v", err)
	}
	if out := c.must(host, "rooms", "delete", "1"); out != "deleted room 1\n" {
		t.Fatalf("delete: %q", out)
	}
	want = "" +
		"ROOM  NAME             COUNT  PARTICIPANTS\n" +
		"main  Main Room        2      Alice, Carl\n" +
		"2     Breakout room 2  1      Hanna\n"
	if out := trimmed(c.must(c.alice.Token, "rooms")); out != want {
		t.Fatalf("rooms after delete:\n%s\nwant:\n%s", out, want)
	}
}

func TestJoinNeedsAHostsOwnToken(t *testing.T) {
	c := newClinic(t)
	c.must(c.host.Token, "rooms", "add")
	if _, err := c.as(apitest.AdminKey, "rooms", "join", "1", "--conference", "c"); !errors.Is(err, conference.ErrHostRequired) {
		t.Fatalf("admin joins: %v", err)
	}
	if _, err := c.as(c.alice.Token, "rooms", "join", "1"); !errors.Is(err, conference.ErrHostRequired) {
		t.Fatalf("participant joins: %v", err)
	}
}

func TestRecordMainRoom(t *testing.T) {
	c := newClinic(t)
	out := trimmed(c.must(c.host.Token, "record", "start"))
	lines := strings.Split(out, "\n")
	if len(lines) != 3 || strings.Join(strings.Fields(lines[0]), " ") != "RECORDING ROOM STARTED" || strings.Fields(lines[1])[1] != "main" {
		t.Fatalf("record start:\n%s", out)
	}
	if out := c.must(c.host.Token, "conference", "show"); !strings.Contains(out, "RECORDING  "+strings.Fields(lines[1])[0]) {
		t.Fatalf("show while recording:\n%s", out)
	}
	if out := c.must(c.host.Token, "record", "stop"); out != "recording stopped\n" {
		t.Fatalf("record stop: %q", out)
	}
	if out := c.must(c.host.Token, "record", "stop", "-o", "json"); out != "" {
		t.Fatalf("record stop -o json printed %q for an empty answer", out)
	}
	if _, err := c.as(c.alice.Token, "record", "start"); !errors.Is(err, conference.ErrHostRequired) {
		t.Fatalf("participant records: %v", err)
	}
}
