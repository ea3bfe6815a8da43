package main

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/confgw/confgw/conference"
	confhttp "github.com/confgw/confgw/http"
	"github.com/confgw/confgw/internal/apitest"
)

func TestMovingAnOldClientFailsWithTheServersMessage(t *testing.T) {
	c := newClinic(t)
	c.must(c.host.Token, "rooms", "add")
	out, err := c.as(c.host.Token, "move", c.carl.Participant.ID, "1")
	if err == nil || err.Error() != "client_too_old: Carl uses client 4.9; moving needs 4.14 or later" {
		t.Fatalf("err %v", err)
	}
	if out != "" {
		t.Fatalf("printed %q on failure", out)
	}
	if out := c.must(c.host.Token, "move", c.alice.Participant.ID, "1"); !strings.Contains(out, "Alice") {
		t.Fatalf("move:\n%s", out)
	}
}

func TestParticipantsTable(t *testing.T) {
	c := newClinic(t, func(o *confhttp.Options) { o.Dialer = ringer{} })
	c.must(c.host.Token, "rooms", "add")
	c.must(c.host.Token, "move", c.alice.Participant.ID, "1")
	phone := c.must(c.host.Token, "dial", "+15550100")
	if !strings.Contains(phone, "phone") || !strings.Contains(phone, "+15550100 dial-out ringing") {
		t.Fatalf("dial:\n%s", phone)
	}
	out := trimmed(c.must(c.alice.Token, "participants"))
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	rows := map[string][]string{}
	for _, l := range lines[1:] {
		f := strings.Fields(l)
		rows[f[1]] = f[2:]
	}
	if strings.Join(strings.Fields(lines[0]), " ") != "ID NAME KIND ROLE ROOM MODERATOR MUTED HAND HELP CLIENT/PHONE" || len(rows) != 4 {
		t.Fatalf("participants:\n%s", out)
	}
	for name, want := range map[string]string{
		"Hanna": "app host main yes 4.14", // the first in moderates until she leaves main
		"Alice": "app participant 1 4.14",
		"Carl":  "app participant main 4.9",
		// Alice is no host: she reads the caller's number masked.
		"+****0100": "phone participant main +****0100 dial-out ringing",
	} {
		if got := strings.Join(rows[name], " "); got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
}

// Alice raises her hand and asks for a host, Carl only asks: the
// participants table shows each in its own column, and no one else's.
func TestParticipantsTableShowsHandsAndHelpRequests(t *testing.T) {
	c := newClinic(t)
	c.must(c.alice.Token, "hand", "raise")
	c.must(c.alice.Token, "help-request", "ask")
	c.must(c.carl.Token, "help-request", "ask")
	out := c.must(c.host.Token, "participants")
	cells := tableCells(t, out, "NAME", "HAND", "HELP", "CLIENT/PHONE")
	want := map[string][3]string{
		"Hanna": {"", "", "4.14"},
		"Alice": {"up", "asked", "4.14"},
		"Carl":  {"", "asked", "4.9"},
	}
	if len(cells) != len(want) {
		t.Fatalf("participants:\n%s", out)
	}
	for _, row := range cells {
		if got := [3]string{row[1], row[2], row[3]}; got != want[row[0]] {
			t.Errorf("%s: HAND, HELP, CLIENT/PHONE %q, want %q\n%s", row[0], got, want[row[0]], out)
		}
	}
}

// tableCells reads the named columns of a table as the tabwriter lays it
// out, by where each heading starts: a blank cell would vanish from a
// split on spaces and shift the ones after it.
func tableCells(t *testing.T, out string, names ...string) [][]string {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	header := lines[0]
	heads := strings.Fields(header)
	starts := make([]int, len(heads)+1)
	for i, h := range heads {
		from := 0
		if i > 0 {
			from = starts[i-1] + len(heads[i-1])
		}
		starts[i] = from + strings.Index(header[from:], h)
	}
	starts[len(heads)] = math.MaxInt
	var rows [][]string
	for _, l := range lines[1:] {
		var row []string
		for _, name := range names {
			i := slices.Index(heads, name)
			if i < 0 {
				t.Fatalf("no %s column in %q", name, header)
			}
			start, end := min(starts[i], len(l)), min(starts[i+1], len(l))
			row = append(row, strings.TrimSpace(l[start:end]))
		}
		rows = append(rows, row)
	}
	return rows
}

func TestModeratorColumn(t *testing.T) {
	c := newClinic(t)
	c.must(c.host.Token, "rooms", "add")
	c.must(c.host.Token, "move", c.alice.Participant.ID, "1")
	c.must(c.host.Token, "move", c.host.Participant.ID, "1")
	// Carl is alone in the main room, so he moderates it.
	for _, l := range strings.Split(c.must(c.host.Token, "participants"), "\n") {
		if strings.Contains(l, "Carl") != strings.Contains(l, " yes ") {
			t.Fatalf("moderator column: %q", l)
		}
	}
}

func TestAddAndRemoveParticipant(t *testing.T) {
	c := newClinic(t)
	out := c.must(c.host.Token, "participants", "add", "--name", "Dora", "--client-version", "5.1")
	kv := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Fields(l)
		kv[f[0]] = f[1]
	}
	if !strings.HasPrefix(kv["ID"], "p-") || kv["NAME"] != "Dora" || kv["ROLE"] != "participant" || conferenceOfToken(kv["TOKEN"]) != "c" {
		t.Fatalf("participants add:\n%s", out)
	}
	// The printed token works on its own.
	if _, err := c.as(kv["TOKEN"], "rooms"); err != nil {
		t.Fatal(err)
	}
	if out := c.must(c.host.Token, "participants", "remove", kv["ID"]); out != "removed "+kv["ID"]+"\n" {
		t.Fatalf("remove: %q", out)
	}
	if _, err := c.as(kv["TOKEN"], "rooms"); !errors.Is(err, conference.ErrUnauthorized) {
		t.Fatalf("removed participant's token: %v", err)
	}
	if _, err := c.as(c.host.Token, "participants", "add", "--name", "Eve"); !errors.Is(err, conference.ErrInvalid) {
		t.Fatalf("no client version: %v", err)
	}
}

func TestHostAndDemote(t *testing.T) {
	c := newClinic(t)
	alice := c.alice.Participant.ID
	if _, err := c.as(c.alice.Token, "host", c.carl.Participant.ID); !errors.Is(err, conference.ErrHostRequired) {
		t.Fatalf("participant promotes: %v", err)
	}
	if out := c.must(c.host.Token, "host", alice); !strings.Contains(out, " host ") {
		t.Fatalf("host:\n%s", out)
	}
	// Alice acts as a host from her next call on.
	c.must(c.alice.Token, "rooms", "add")
	if out := c.must(c.host.Token, "host", alice, "--remove"); !strings.Contains(out, " participant ") {
		t.Fatalf("host --remove:\n%s", out)
	}
	if _, err := c.as(c.alice.Token, "rooms", "add"); !errors.Is(err, conference.ErrHostRequired) {
		t.Fatalf("demoted adds a room: %v", err)
	}
}

// ringer answers dial-outs with a ringing phone participant.
type ringer struct{}

func (ringer) DialOut(_ context.Context, c *conference.Conference, to string) (conference.Participant, error) {
	return c.AddPhone(conference.PhoneSpec{Number: to, Direction: conference.DialOut, State: conference.PhoneRinging})
}

func TestHangUpAndDialWithoutTrunk(t *testing.T) {
	c := newClinic(t)
	if _, err := c.as(c.host.Token, "dial", "+15550100"); !errors.Is(err, conference.ErrNoOutboundTrunk) {
		t.Fatalf("dial without trunk: %v", err)
	}
	phone := c.dialIn("+15550199")
	if _, err := c.as(c.host.Token, "hangup", c.alice.Participant.ID); !errors.Is(err, conference.ErrNotPhone) {
		t.Fatalf("hang up an app: %v", err)
	}
	if out := c.must(apitest.AdminKey, "hangup", phone.ID, "--conference", "c"); out != "hung up "+phone.ID+"\n" {
		t.Fatalf("hangup: %q", out)
	}
	if r := c.env.Do("GET", "/v1/conferences/c/participants/"+phone.ID, apitest.AdminKey, nil); r.Status != 404 {
		t.Fatalf("the phone after its hang-up: %d %s", r.Status, r.Body)
	}
}

// A participant raises its own hand and asks for a host without naming
// itself; a host lowers and clears them by PID.
func TestHandsAndHelpRequestsFromTheCommandLine(t *testing.T) {
	c := newClinic(t)
	alice := c.alice.Participant.ID
	var p conference.Participant
	out := c.must(c.alice.Token, "hand", "raise", "-o", "json")
	if err := json.Unmarshal([]byte(out), &p); err != nil || !p.Hand || p.ID != alice {
		t.Fatalf("hand raise: %s %v", out, err)
	}
	if _, err := c.as(c.host.Token, "hand", "raise", alice); !errors.Is(err, conference.ErrSelfOnly) {
		t.Fatalf("a host raising Alice's hand: %v", err)
	}
	if _, err := c.as(apitest.AdminKey, "hand", "raise", "--conference", "c"); err == nil || !strings.Contains(err.Error(), "no participant") {
		t.Fatalf("the admin key raising no one's hand: %v", err)
	}
	if _, err := c.as(c.alice.Token, "hand", "wave"); err == nil {
		t.Fatal("hand wave accepted")
	}
	c.must(c.alice.Token, "help-request", "ask")
	if _, err := c.as(c.carl.Token, "help-request", "clear", alice); !errors.Is(err, conference.ErrHostRequired) {
		t.Fatalf("Carl clearing Alice's request: %v", err)
	}
	c.must(c.host.Token, "hand", "lower", alice)
	out = c.must(c.host.Token, "help-request", "clear", alice, "-o", "json")
	p = conference.Participant{}
	if err := json.Unmarshal([]byte(out), &p); err != nil || p.Hand || p.Help {
		t.Fatalf("after the host: %s %v", out, err)
	}
}

// A host mutes Alice with a lock; her own unmute is refused and says why;
// the host's unmute works, and --room mutes everyone but the hosts.
func TestMuteAndUnmuteFromTheCommandLine(t *testing.T) {
	c := newClinic(t)
	alice := c.alice.Participant.ID
	if out := c.must(c.host.Token, "mute", alice, "--lock"); !strings.Contains(out, "locked") {
		t.Fatalf("mute --lock:\n%s", out)
	}
	if _, err := c.as(c.alice.Token, "unmute", alice); err == nil || !strings.Contains(err.Error(), "mute_locked") {
		t.Fatalf("Alice's own unmute of a locked mute: %v", err)
	}
	if out := c.must(c.host.Token, "unmute", alice); strings.Contains(out, "locked") || strings.Contains(out, " yes ") {
		t.Fatalf("unmute:\n%s", out)
	}
	out := c.must(c.host.Token, "mute", "--room", "main")
	for _, l := range strings.Split(strings.TrimSpace(out), "\n")[1:] {
		if strings.Contains(l, "Hanna") || !strings.Contains(l, "yes") {
			t.Errorf("room mute row: %q", l)
		}
	}
	if _, err := c.as(c.host.Token, "mute", alice, "--room", "main"); err == nil {
		t.Fatal("mute with both a participant and --room ran")
	}
}

func TestHangUpWithABanListsAndLiftsTheBan(t *testing.T) {
	c := newClinic(t, func(o *confhttp.Options) { o.Dialer = ringer{} })
	phone := c.dialIn("+15550199")
	if _, err := c.as(c.host.Token, "hangup", phone.ID, "--reason", "noise"); err == nil || !strings.Contains(err.Error(), "--reason goes with --ban") {
		t.Fatalf("--reason without --ban: %v", err)
	}
	if out := c.must(c.host.Token, "hangup", phone.ID, "--ban", "--reason", "noise"); out != "hung up and banned "+phone.ID+"\n" {
		t.Fatalf("hangup --ban: %q", out)
	}
	if _, err := c.as(c.host.Token, "dial", "+15550199"); !errors.Is(err, conference.ErrBanned) {
		t.Fatalf("dial of a banned number: %v", err)
	}
	if out := c.must(c.host.Token, "participants", "remove", c.carl.Participant.ID, "--ban"); out != "removed and banned "+c.carl.Participant.ID+"\n" {
		t.Fatalf("participants remove --ban: %q", out)
	}
	if _, err := c.as(c.carl.Token, "rooms"); !errors.Is(err, conference.ErrUnauthorized) {
		t.Fatalf("the banned participant's token: %v", err)
	}
	if _, err := c.as(c.alice.Token, "bans"); !errors.Is(err, conference.ErrHostRequired) {
		t.Fatalf("bans as a participant: %v", err)
	}
	out := trimmed(c.must(c.host.Token, "bans", "list"))
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	row := func(i int) string { return strings.Join(strings.Fields(lines[i]), " ") }
	if len(lines) != 3 || row(0) != "NUMBER NAME BANNED BY AT REASON" ||
		!strings.HasPrefix(row(1), "+15550199 +15550199 "+c.host.Participant.ID) || !strings.HasSuffix(row(1), " noise") ||
		!strings.HasPrefix(row(2), c.carl.Participant.ID+" Carl "+c.host.Participant.ID) {
		t.Fatalf("bans list:\n%s", out)
	}
	if out := c.must(c.host.Token, "bans", "remove", "+15550199"); out != "lifted the ban of +15550199\n" {
		t.Fatalf("bans remove: %q", out)
	}
	if _, err := c.as(c.host.Token, "bans", "remove", "+15550199"); !errors.Is(err, conference.ErrNotFound) {
		t.Fatalf("lifting it again: %v", err)
	}
	if out := c.must(c.host.Token, "dial", "+15550199"); !strings.Contains(out, "+15550199 dial-out ringing") {
		t.Fatalf("dial once the ban is lifted:\n%s", out)
	}
}
