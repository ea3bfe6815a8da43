package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/confgw/confgw/conference"
	"github.com/confgw/confgw/gateway"
	confhttp "github.com/confgw/confgw/http"
	"github.com/confgw/confgw/http/wire"
	"github.com/confgw/confgw/internal/sipphone"
	"github.com/confgw/confgw/store"
)

// apiCall sends a JSON request and returns the status and body; a transport
// error (a gateway killed mid-request) is returned, not fatal.
func apiCall(method, url, token string, body any) (int, []byte, error) {
	var in io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		in = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, in)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	return resp.StatusCode, out, err
}

// mustCall is apiCall for a request that must succeed with want.
func mustCall(t *testing.T, want int, method, url, token string, body, into any) {
	t.Helper()
	status, out, err := apiCall(method, url, token, body)
	if err != nil || status != want {
		t.Fatalf("%s %s: %d %v\n%s", method, url, status, err, out)
	}
	if into != nil {
		if err := json.Unmarshal(out, into); err != nil {
			t.Fatalf("%s %s: %v\n%s", method, url, err, out)
		}
	}
}

func TestServeGivesBackRoomsParticipantsAndTheirTokensAfterARestart(t *testing.T) {
	dir := t.TempDir()
	first := startServe(t, "--data-dir", dir)
	demo := first.url + "/v1/conferences/demo"
	mustCall(t, http.StatusCreated, "POST", demo+"/rooms", first.token, nil, nil)
	var alice wire.Joined
	mustCall(t, http.StatusCreated, "POST", demo+"/participants", first.token,
		wire.NewParticipant{Name: "Alice", ClientVersion: "4.14"}, &alice)
	mustCall(t, http.StatusOK, "POST", demo+"/participants/"+alice.Participant.ID+"/move", first.token, wire.Move{Room: "1"}, nil)
	if err := first.stop(t); err != nil {
		t.Fatalf("serve did not stop cleanly: %v", err)
	}

	fi, err := os.Stat(filepath.Join(dir, tokenKeyName))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the token key file: %v %v, want it readable by its owner alone", fi, err)
	}
	if _, err := os.Stat(filepath.Join(dir, store.FileName)); err != nil {
		t.Fatalf("no state database in the data directory: %v", err)
	}

	second := startServe(t, "--data-dir", dir)
	demo = second.url + "/v1/conferences/demo"
	// Tokens of before the restart still verify, for the host and Alice.
	var rooms wire.Rooms
	mustCall(t, http.StatusOK, "GET", demo+"/rooms", first.token, nil, &rooms)
	if len(rooms.Rooms) != 2 || rooms.Rooms[1].Count != 1 || rooms.Rooms[1].Participants[0].ID != alice.Participant.ID {
		t.Fatalf("rooms after the restart: %+v, want Alice alone in room 1", rooms.Rooms)
	}
	var self conference.Participant
	mustCall(t, http.StatusOK, "GET", demo+"/participants/"+alice.Participant.ID, alice.Token, nil, &self)
	if self.Room != "1" || self.Name != "Alice" {
		t.Fatalf("Alice reads herself after the restart as %+v", self)
	}
	// The demo's host carries on rather than a second one being added.
	var ps wire.Participants
	mustCall(t, http.StatusOK, "GET", demo+"/participants", second.token, nil, &ps)
	if len(ps.Participants) != 2 {
		t.Fatalf("participants after the restart: %+v, want the host and Alice", ps.Participants)
	}
}

func TestServeWithStateInMemoryWritesNoDatabase(t *testing.T) {
	dir := t.TempDir()
	s := startServe(t, "--data-dir", dir, "--state", "memory")
	mustCall(t, http.StatusCreated, "POST", s.url+"/v1/conferences/demo/rooms", s.token, nil, nil)
	for _, name := range []string{store.FileName, tokenKeyName} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			t.Errorf("%s written with --state memory", name)
		}
	}
}

func TestServeSignsTokensWithTheKeyOfItsFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "token-key")
	if err := os.WriteFile(file, []byte(strings.Repeat("k", 40)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := startServe(t, "--state", "memory", "--token-key-file", file)
	if _, _, err := confhttp.NewTokens(confhttp.TokenOptions{Secret: []byte(strings.Repeat("k", 40))}).Parse(s.token); err != nil {
		t.Fatalf("the host token does not verify with the key of the file: %v", err)
	}
	short := filepath.Join(t.TempDir(), "short-key")
	if err := os.WriteFile(short, []byte("too short"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"--token-key-file", short},
		{"--token-key-file", filepath.Join(t.TempDir(), "missing")},
		{"--state", "postgres"},
	} {
		root := newRoot()
		root.SetArgs(append([]string{"serve", "--http", "127.0.0.1:0", "--sip", "127.0.0.1:0", "--webrtc-udp", "127.0.0.1:0", "--data-dir", t.TempDir()}, args...))
		var out bytes.Buffer
		root.SetOut(&out)
		root.SetErr(&out)
		if err := root.ExecuteContext(context.Background()); err == nil {
			t.Errorf("serve %v started", args)
		}
	}
}

// killable is a confgw process of its own, to be killed without warning.
type killable struct {
	cmd    *exec.Cmd
	out    *lockedBuffer
	url    string
	exited chan error
}

const crashAdminKey = "crash-test-admin-key"

func startGateway(t *testing.T, dir string) *killable {
	t.Helper()
	cmd := exec.Command(os.Args[0], "serve", "--http", "127.0.0.1:0", "--sip", "127.0.0.1:0",
		"--webrtc-udp", "127.0.0.1:0", "--data-dir", dir, "--log-level", "warn", "--demo=false",
		"--auth-failure-burst", "0")
	cmd.Env = append(os.Environ(), runMainEnv+"=1", envPrefix+"API_KEY="+crashAdminKey)
	g := &killable{cmd: cmd, out: &lockedBuffer{}, exited: make(chan error, 1)}
	cmd.Stdout, cmd.Stderr = g.out, g.out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { g.exited <- cmd.Wait() }()
	t.Cleanup(g.kill)
	deadline := time.Now().Add(30 * time.Second)
	for g.url == "" {
		if time.Now().After(deadline) {
			t.Fatalf("confgw printed no address:\n%s", g.out.String())
		}
		select {
		case err := <-g.exited:
			g.exited <- err
			t.Fatalf("confgw exited at start: %v\n%s", err, g.out.String())
		case <-time.After(10 * time.Millisecond):
		}
		if m := httpLine.FindStringSubmatch(g.out.String()); m != nil {
			g.url = m[1]
		}
	}
	return g
}

// kill sends SIGKILL and waits for the process to be gone; safe to call
// more than once.
func (g *killable) kill() {
	_ = g.cmd.Process.Kill()
	err := <-g.exited
	g.exited <- err
}

// crashModel is what the gateway acknowledged, and the one change that was
// in flight when it was killed, which may or may not have been made.
type crashModel struct {
	rooms  map[string]int    // breakout rooms per conference, added 1, 2, … and never deleted
	rooms0 []string          // conferences in creation order
	where  map[string]string // participant → its room
	confOf map[string]string
	acked  int

	inflight struct {
		op, conf, participant, room string
	}
}

// check compares a restarted gateway with the model: everything
// acknowledged is there; the change in flight, if made, is taken in.
func (m *crashModel) check(t *testing.T, url string) {
	t.Helper()
	inf := m.inflight
	m.inflight.op = ""
	if inf.op == "create" {
		status, _, err := apiCall("GET", url+"/v1/conferences/"+inf.conf, crashAdminKey, nil)
		if err == nil && status == http.StatusOK {
			m.rooms[inf.conf] = 0
			m.rooms0 = append(m.rooms0, inf.conf)
		}
	}
	for _, cid := range m.rooms0 {
		var info conference.Info
		mustCall(t, http.StatusOK, "GET", url+"/v1/conferences/"+cid, crashAdminKey, nil, &info)
		want := m.rooms[cid]
		if got := len(info.Rooms) - 1; got != want {
			if inf.op == "room" && inf.conf == cid && got == want+1 {
				m.rooms[cid] = got
			} else {
				t.Fatalf("conference %s has %d breakout rooms after the restart, %d acknowledged (in flight: %+v)", cid, got, want, inf)
			}
		}
		seen := map[string]string{}
		for _, p := range info.Participants {
			seen[p.ID] = p.Room
			if _, ok := m.where[p.ID]; !ok {
				if inf.op == "participant" && inf.conf == cid {
					// Added by the request in flight, whose answer was
					// lost: it is the gateway's all the same.
					m.where[p.ID], m.confOf[p.ID] = p.Room, cid
					continue
				}
				t.Fatalf("conference %s has participant %s no one added", cid, p.ID)
			}
		}
		for pid, room := range m.where {
			if m.confOf[pid] != cid {
				continue
			}
			got, ok := seen[pid]
			switch {
			case !ok:
				t.Fatalf("participant %s acknowledged in %s is gone after the restart", pid, cid)
			case got == room:
			case inf.op == "move" && inf.participant == pid && got == inf.room:
				m.where[pid] = got
			default:
				t.Fatalf("participant %s is in room %s after the restart, acknowledged in %s (in flight: %+v)", pid, got, room, inf)
			}
		}
	}
}

// drive makes changes one at a time until the gateway stops answering,
// recording each one acknowledged.
func (m *crashModel) drive(t *testing.T, url string, rng *rand.Rand, next *int) {
	for {
		m.inflight.op = ""
		var status int
		var out []byte
		var err error
		if len(m.rooms0) == 0 || rng.IntN(10) == 0 {
			*next++
			cid := "k" + strconv.Itoa(*next)
			m.inflight.op, m.inflight.conf = "create", cid
			status, out, err = apiCall("POST", url+"/v1/conferences", crashAdminKey, wire.NewConference{ID: cid, Title: "Crash " + cid})
			if err != nil {
				return
			}
			if status == http.StatusCreated {
				m.rooms[cid] = 0
				m.rooms0 = append(m.rooms0, cid)
				m.acked++
				continue
			}
		} else {
			cid := m.rooms0[rng.IntN(len(m.rooms0))]
			base := url + "/v1/conferences/" + cid
			var pids []string
			for pid, c := range m.confOf {
				if c == cid {
					pids = append(pids, pid)
				}
			}
			switch n := rng.IntN(10); {
			case n < 3 && m.rooms[cid] < conference.MaxBreakoutRooms:
				m.inflight.op, m.inflight.conf = "room", cid
				status, out, err = apiCall("POST", base+"/rooms", crashAdminKey, nil)
				if err != nil {
					return
				}
				if status == http.StatusCreated {
					m.rooms[cid]++
					m.acked++
					continue
				}
			case n < 6 || len(pids) == 0:
				m.inflight.op, m.inflight.conf = "participant", cid
				var j wire.Joined
				status, out, err = apiCall("POST", base+"/participants", crashAdminKey, wire.NewParticipant{Name: "P", ClientVersion: "5.0"})
				if err != nil {
					return
				}
				if status == http.StatusCreated && json.Unmarshal(out, &j) == nil {
					m.where[j.Participant.ID], m.confOf[j.Participant.ID] = j.Participant.Room, cid
					m.acked++
					continue
				}
			default:
				pid := pids[rng.IntN(len(pids))]
				room := conference.MainRoomID
				if r := rng.IntN(m.rooms[cid] + 1); r > 0 {
					room = strconv.Itoa(r)
				}
				m.inflight.op, m.inflight.conf, m.inflight.participant, m.inflight.room = "move", cid, pid, room
				status, out, err = apiCall("POST", base+"/participants/"+pid+"/move", crashAdminKey, wire.Move{Room: room})
				if err != nil {
					return
				}
				if status == http.StatusOK {
					m.where[pid] = room
					m.acked++
					continue
				}
			}
		}
		t.Fatalf("%+v answered %d: %s", m.inflight, status, out)
	}
}

// Every change a gateway acknowledged is there after it was killed with
// SIGKILL at a random point and started again: none is lost.
func TestServeLosesNoAcknowledgedChangeWhenKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("kills and restarts a gateway several times")
	}
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	m := &crashModel{rooms: map[string]int{}, where: map[string]string{}, confOf: map[string]string{}}
	next := 0
	const kills = 6
	for range kills {
		g := startGateway(t, dir)
		m.check(t, g.url)
		after := time.Duration(50+rng.IntN(300)) * time.Millisecond
		killer := time.AfterFunc(after, g.kill)
		m.drive(t, g.url, rng, &next)
		killer.Stop()
		g.kill()
	}
	g := startGateway(t, dir)
	m.check(t, g.url)
	if m.acked < kills {
		t.Fatalf("only %d changes acknowledged in %d runs: the test proved little", m.acked, kills)
	}
	t.Logf("%d changes acknowledged over %d kills, none lost", m.acked, kills)
}

// A host bans a caller with its hang-up and an app participant with its
// removal; after a restart the number is still refused with 403, the
// participant's token still 401, and the bans are listed as they were.
func TestServeKeepsBansAcrossARestart(t *testing.T) {
	dir := t.TempDir()
	first := startServe(t, "--data-dir", dir)
	demo := first.url + "/v1/conferences/demo"
	phone, err := sipphone.New(sipphone.Config{Name: "Heckler", User: "+15550100", Tone: 600})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(phone.Close)
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	call, err := phone.Dial(ctx, "sip:demo@"+first.sip, sipphone.CallOptions{})
	if err != nil {
		t.Fatalf("dial demo: %v", err)
	}
	var pid string
	for pid == "" {
		var ps wire.Participants
		mustCall(t, http.StatusOK, "GET", demo+"/participants", first.token, nil, &ps)
		for _, p := range ps.Participants {
			if p.Phone != nil && p.Phone.Number == "+15550100" {
				pid = p.ID
			}
		}
		select {
		case <-ctx.Done():
			t.Fatal("the caller never showed up")
		case <-time.After(20 * time.Millisecond):
		}
	}
	mustCall(t, http.StatusNoContent, "POST", demo+"/participants/"+pid+"/hangup", first.token, wire.HangUp{Ban: true, Reason: "heckling"}, nil)
	select {
	case <-call.Done():
	case <-ctx.Done():
		t.Fatal("no BYE at the banned caller")
	}
	var bob wire.Joined
	mustCall(t, http.StatusCreated, "POST", demo+"/participants", first.token, wire.NewParticipant{Name: "Bob", ClientVersion: "4.14"}, &bob)
	mustCall(t, http.StatusOK, "GET", demo, bob.Token, nil, nil)
	mustCall(t, http.StatusNoContent, "DELETE", demo+"/participants/"+bob.Participant.ID+"?ban=true", first.token, nil, nil)
	mustCall(t, http.StatusUnauthorized, "GET", demo, bob.Token, nil, nil)
	var before wire.Bans
	mustCall(t, http.StatusOK, "GET", demo+"/bans", first.token, nil, &before)
	if err := first.stop(t); err != nil {
		t.Fatalf("serve did not stop cleanly: %v", err)
	}

	second := startServe(t, "--data-dir", dir)
	demo = second.url + "/v1/conferences/demo"
	mustCall(t, http.StatusUnauthorized, "GET", demo, bob.Token, nil, nil)
	var after wire.Bans
	mustCall(t, http.StatusOK, "GET", demo+"/bans", first.token, nil, &after)
	if len(after.Bans) != 2 || len(before.Bans) != 2 {
		t.Fatalf("bans after the restart %+v, before %+v", after.Bans, before.Bans)
	}
	for i, b := range after.Bans {
		if b.Key() != before.Bans[i].Key() || b.Reason != before.Bans[i].Reason || !b.At.Equal(before.Bans[i].At) {
			t.Errorf("ban %d after the restart %+v, before %+v", i, b, before.Bans[i])
		}
	}
	_, err = phone.Dial(ctx, "sip:demo@"+second.sip, sipphone.CallOptions{})
	var se *sipphone.StatusError
	if !errors.As(err, &se) || se.Status != 403 || se.Reason != gateway.BannedReason {
		t.Fatalf("the banned number's dial-in after the restart: %v, want 403", err)
	}
	mustCall(t, http.StatusNoContent, "DELETE", demo+"/bans/+15550100", second.token, nil, nil)
	if _, err := phone.Dial(ctx, "sip:demo@"+second.sip, sipphone.CallOptions{}); err != nil {
		t.Fatalf("the number's dial-in once its ban is lifted: %v", err)
	}
}
