package http_test

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"syscall"
	"testing"

	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/conference"
	confhttp "github.com/confgw/confgw/http"
	"github.com/confgw/confgw/internal/apitest"
	"github.com/confgw/confgw/recording"
)

func TestRoomLimitOverHTTP(t *testing.T) {
	k := newClinic(t)
	for range conference.MaxBreakoutRooms - 2 {
		if r := k.env.Do("POST", "/v1/conferences/c/rooms", k.host2.Token, nil); r.Status != 201 {
			t.Fatalf("add: %d %s", r.Status, r.Body)
		}
	}
	r := k.env.Do("POST", "/v1/conferences/c/rooms", k.host.Token, nil)
	if r.Status != http.StatusConflict || r.ErrorCode() != "room_limit_reached" {
		t.Fatalf("21st room: %d %s", r.Status, r.Body)
	}
	var rooms struct {
		Rooms []conference.Room `json:"rooms"`
	}
	k.env.Do("GET", "/v1/conferences/c/rooms", k.alice.Token, nil).Decode(t, &rooms)
	if len(rooms.Rooms) != 21 || rooms.Rooms[20].Name != "Breakout room 20" {
		t.Fatalf("rooms: %d, last %+v", len(rooms.Rooms), rooms.Rooms[len(rooms.Rooms)-1])
	}
}

func TestBreakoutDisabledOverHTTP(t *testing.T) {
	k := newClinic(t)
	if r := k.env.Do("PATCH", "/v1/conferences/c", k.host.Token, map[string]any{"breakout_enabled": false}); r.Status != 200 {
		t.Fatalf("patch: %d %s", r.Status, r.Body)
	}
	r := k.env.Do("POST", "/v1/conferences/c/rooms", k.host.Token, nil)
	if r.Status != http.StatusForbidden || r.ErrorCode() != "breakout_disabled" {
		t.Fatalf("add room while off: %d %s", r.Status, r.Body)
	}
	r = k.env.Do("POST", "/v1/conferences/c/participants/"+k.alice.Participant.ID+"/move", k.host.Token, map[string]any{"room": "1"})
	if r.Status != http.StatusForbidden || r.ErrorCode() != "breakout_disabled" {
		t.Fatalf("move while off: %d %s", r.Status, r.Body)
	}
	var rooms struct {
		Rooms []conference.Room `json:"rooms"`
	}
	k.env.Do("GET", "/v1/conferences/c/rooms", k.host.Token, nil).Decode(t, &rooms)
	if len(rooms.Rooms) != 1 || rooms.Rooms[0].ID != "main" {
		t.Fatalf("rooms while off: %+v", rooms.Rooms)
	}
}

func TestHostInsideRoomOverHTTP(t *testing.T) {
	k := newClinic(t)
	k.env.Do("POST", "/v1/conferences/c/rooms/1/join", k.host.Token, nil)
	r := k.env.Do("DELETE", "/v1/conferences/c/rooms/1", k.host.Token, nil)
	if r.Status != http.StatusConflict || r.ErrorCode() != "host_inside_room" {
		t.Fatalf("delete own room: %d %s", r.Status, r.Body)
	}
	if r := k.env.Do("DELETE", "/v1/conferences/c/rooms/1", k.host2.Token, nil); r.Status != http.StatusNoContent {
		t.Fatalf("other host deleting: %d %s", r.Status, r.Body)
	}
	var me conference.Participant
	k.env.Do("GET", "/v1/conferences/c/participants/"+k.host.Participant.ID, k.host.Token, nil).Decode(t, &me)
	if me.Room != "main" {
		t.Fatalf("host in %q after its room was deleted", me.Room)
	}
}

func TestTokensFollowLiveRole(t *testing.T) {
	k := newClinic(t)
	move := func(tok string) apitest.Response {
		return k.env.Do("POST", "/v1/conferences/c/participants/"+k.old.Participant.ID+"/move", tok, map[string]any{"room": "main"})
	}
	if r := move(k.alice.Token); r.ErrorCode() != "host_required" {
		t.Fatalf("before promotion: %d %s", r.Status, r.Body)
	}
	k.env.Do("POST", "/v1/conferences/c/participants/"+k.alice.Participant.ID+"/host", k.host.Token, nil)
	if r := move(k.alice.Token); r.Status != 200 {
		t.Fatalf("same token after promotion: %d %s", r.Status, r.Body)
	}
	k.env.Do("DELETE", "/v1/conferences/c/participants/"+k.alice.Participant.ID+"/host", k.host.Token, nil)
	if r := move(k.alice.Token); r.ErrorCode() != "host_required" {
		t.Fatalf("after demotion: %d %s", r.Status, r.Body)
	}
	k.env.Do("DELETE", "/v1/conferences/c/participants/"+k.alice.Participant.ID, k.host.Token, nil)
	if r := k.env.Do("GET", "/v1/conferences/c", k.alice.Token, nil); r.Status != http.StatusUnauthorized {
		t.Fatalf("removed participant reading: %d %s", r.Status, r.Body)
	}
}

func TestMetrics(t *testing.T) {
	k := newClinic(t)
	r := k.env.Do("GET", "/metrics", "", nil)
	body := string(r.Body)
	for _, want := range []string{
		"confgw_conferences 1",
		`confgw_participants{kind="app"} 4`,
		`confgw_participants{kind="phone"} 1`,
		"confgw_rooms 3",
		`confgw_api_requests_total{method="POST",route="/v1/conferences/:cid/rooms",status="201"} 2`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

func TestRecordingsServedFromStore(t *testing.T) {
	env := apitest.Start(t, func(o *confhttp.Options) { o.Recordings = fakeRecordings{} })
	env.CreateConference("c")
	r := env.Do("GET", "/v1/conferences/c/recordings", apitest.AdminKey, nil)
	if r.Status != 200 || !strings.Contains(string(r.Body), `"id":"r-1"`) || !strings.Contains(string(r.Body), `"state":"failed","error":"recording: write audio`) {
		t.Fatalf("list: %d %s", r.Status, r.Body)
	}
	r = env.Do("GET", "/v1/conferences/c/recordings/r-1", apitest.AdminKey, nil)
	if r.Status != 200 || string(r.Body) != "RIFF" || r.Header.Get("Content-Type") != "audio/wav" {
		t.Fatalf("download: %d %q %v", r.Status, r.Body, r.Header)
	}
	if r := env.Do("GET", "/v1/conferences/c/recordings/r-2", apitest.AdminKey, nil); r.Status != 404 || r.ErrorCode() != "not_found" {
		t.Fatalf("missing: %d %s", r.Status, r.Body)
	}
	if r := env.Do("GET", "/v1/conferences/c/recordings/r-live", apitest.AdminKey, nil); r.Status != 409 || r.ErrorCode() != "recording_in_progress" {
		t.Fatalf("running: %d %s", r.Status, r.Body)
	}
}

type fakeRecordings struct{}

func (fakeRecordings) List(string) ([]recording.Info, error) {
	return []recording.Info{
		{ID: "r-0", Bytes: 44, State: recording.StateFailed, Error: "recording: write audio: write: no space left on device"},
		{ID: "r-1", Bytes: 4, State: recording.StateStopped},
	}, nil
}

func (fakeRecordings) Open(_, id string) (io.ReadSeekCloser, recording.Info, error) {
	switch id {
	case "r-1":
		return nopCloser{strings.NewReader("RIFF")}, recording.Info{ID: id}, nil
	case "r-live":
		return nil, recording.Info{}, recording.ErrInProgress
	}
	return nil, recording.Info{}, recording.ErrNotFound
}

type nopCloser struct{ *strings.Reader }

func (nopCloser) Close() error { return nil }

// Clients grey out moves the server would refuse, so the conference tells
// them the oldest client that can be moved.
func TestConferenceTellsMinClientVersion(t *testing.T) {
	k := newClinic(t)
	var info struct {
		MinClientVersion string `json:"min_client_version"`
	}
	k.env.Do("GET", "/v1/conferences/c", k.alice.Token, nil).Decode(t, &info)
	if info.MinClientVersion != "4.14" {
		t.Fatalf("min_client_version = %q, want 4.14", info.MinClientVersion)
	}
}

// The console's link and the events stream carry tokens in the query
// string; nothing the API logs may repeat them.
func TestTokensInQueriesAreNotLogged(t *testing.T) {
	var logs strings.Builder
	env := apitest.Start(t, func(o *confhttp.Options) {
		o.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	env.CreateConference("c")
	const secret = "eyJsecret.query.token"
	for _, path := range []string{"/?token=" + secret, "/v1/conferences/c/events?token=" + secret, "/v2/none?token=" + secret} {
		env.Do("GET", path, "", nil)
	}
	if strings.Contains(logs.String(), secret) {
		t.Fatalf("a token reached the logs:\n%s", logs.String())
	}
}

// failedSink is a recording whose disk was full from its first frame.
type failedSink struct{ failed chan struct{} }

func (failedSink) ID() string                { return "r-full" }
func (failedSink) WriteMix(*audio.Frame)     {}
func (s failedSink) Failed() <-chan struct{} { return s.failed }
func (failedSink) Close() error {
	return errors.Join(errors.New("recording: write audio"), syscall.ENOSPC)
}

func TestStoppingARecordingWhoseDiskFailedAnswersNoContent(t *testing.T) {
	env := apitest.Start(t, func(o *confhttp.Options) {
		failed := make(chan struct{})
		close(failed)
		o.Registry = conference.NewRegistry(conference.Config{
			NewRoomMedia: conference.MixerRooms(nil),
			Recorder:     conference.RecorderFunc(func(string) (failedSink, error) { return failedSink{failed}, nil }),
		})
	})
	t.Cleanup(env.Registry.EndAll)
	env.CreateConference("c")
	if r := env.Do("POST", "/v1/conferences/c/rooms/main/recording", apitest.AdminKey, struct{}{}); r.Status != 200 {
		t.Fatalf("start: %d %s", r.Status, r.Body)
	}
	// Whether the conference has seen the failure yet or not.
	if r := env.Do("DELETE", "/v1/conferences/c/rooms/main/recording", apitest.AdminKey, nil); r.Status != 204 {
		t.Fatalf("stop of a failed recording: %d %s", r.Status, r.Body)
	}
	if r := env.Do("GET", "/v1/conferences/c", apitest.AdminKey, nil); r.Status != 200 || !strings.Contains(string(r.Body), `"recording":null`) {
		t.Fatalf("the conference still records: %d %s", r.Status, r.Body)
	}
	if r := env.Do("POST", "/v1/conferences/c/rooms/main/recording", apitest.AdminKey, struct{}{}); r.Status != 200 || !strings.Contains(string(r.Body), `"state":"recording"`) {
		t.Fatalf("a new recording after the failure: %d %s", r.Status, r.Body)
	}
}

// A host's locked mute holds against the participant's own unmute (403
// mute_locked) until a host lifts it; the participant JSON says who muted
// whom and whether it is locked, and the events stream tells everyone.
func TestALockedMuteOverHTTP(t *testing.T) {
	k := newClinic(t)
	alice := "/v1/conferences/c/participants/" + k.alice.Participant.ID
	var p conference.Participant
	r := k.env.Do("POST", alice+"/mute", k.host.Token, map[string]any{"lock": true})
	if r.Status != http.StatusOK {
		t.Fatalf("mute: %d %s", r.Status, r.Body)
	}
	r.Decode(t, &p)
	if !p.Muted || !p.Locked || p.MutedBy != k.host.Participant.ID {
		t.Fatalf("muted participant %+v", p)
	}
	r = k.env.Do("POST", alice+"/unmute", k.alice.Token, nil)
	if r.Status != http.StatusForbidden || r.ErrorCode() != "mute_locked" {
		t.Fatalf("self-unmute of a locked mute: %d %s", r.Status, r.Body)
	}
	k.env.Do("GET", alice, k.alice.Token, nil).Decode(t, &p)
	if !p.Muted {
		t.Fatalf("still muted after a refused unmute? %+v", p)
	}
	if r := k.env.Do("POST", alice+"/unmute", k.host2.Token, nil); r.Status != http.StatusOK {
		t.Fatalf("another host's unmute: %d %s", r.Status, r.Body)
	}
	p = conference.Participant{}
	k.env.Do("GET", alice, k.alice.Token, nil).Decode(t, &p)
	if p.Muted || p.Locked || p.MutedBy != "" {
		t.Fatalf("after the host's unmute %+v", p)
	}
}
