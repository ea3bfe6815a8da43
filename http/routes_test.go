package http_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/confgw/confgw/conference"
	"github.com/confgw/confgw/http/wire"
	"github.com/confgw/confgw/internal/apitest"
)

// clinic is a conference "c" with two hosts, an app participant on a new
// client, one on client 4.9 and a phone caller, plus two breakout rooms.
type clinic struct {
	env                *apitest.Env
	host, host2, alice wire.Joined
	old                wire.Joined
	phone              string
}

func newClinic(t *testing.T) *clinic {
	t.Helper()
	env := apitest.Start(t)
	env.CreateConference("c")
	k := &clinic{env: env}
	k.host = env.AddParticipant("c", "Dr One", conference.RoleHost, "4.14")
	k.host2 = env.AddParticipant("c", "Dr Two", conference.RoleHost, "4.14.1")
	k.alice = env.AddParticipant("c", "Alice", conference.RoleParticipant, "10.0")
	k.old = env.AddParticipant("c", "Old", conference.RoleParticipant, "4.9")
	conf, _ := env.Registry.Get("c")
	p, err := conf.AddPhone(conference.PhoneSpec{Number: "+15550100", Direction: conference.DialIn})
	if err != nil {
		t.Fatal(err)
	}
	k.phone = p.ID
	for range 2 {
		if r := env.Do("POST", "/v1/conferences/c/rooms", k.host.Token, nil); r.Status != http.StatusCreated {
			t.Fatalf("add room: %d %s", r.Status, r.Body)
		}
	}
	return k
}

func TestRoutes(t *testing.T) {
	const admin = apitest.AdminKey
	type call struct {
		method, path string
		token        func(k *clinic) string
		body         any
		status       int
		code         string
	}
	asHost := func(k *clinic) string { return k.host.Token }
	asAlice := func(k *clinic) string { return k.alice.Token }
	asAdmin := func(*clinic) string { return admin }
	none := func(*clinic) string { return "" }
	p := func(k *clinic, id string) string { return "/v1/conferences/c/participants/" + id }
	tests := []struct {
		name string
		call call
		// path built from the clinic when the route names a participant
		pathOf func(k *clinic) string
	}{
		{"health", call{"GET", "/healthz", none, nil, 200, ""}, nil},
		{"readiness", call{"GET", "/readyz", none, nil, 200, ""}, nil},
		{"create needs auth", call{"POST", "/v1/conferences", none, map[string]any{"title": "x"}, 401, "unauthorized"}, nil},
		{"create needs admin", call{"POST", "/v1/conferences", asHost, map[string]any{"title": "x"}, 403, "admin_required"}, nil},
		{"create with garbage token", call{"POST", "/v1/conferences", func(*clinic) string { return "nope" }, map[string]any{"title": "x"}, 401, "unauthorized"}, nil},
		{"create", call{"POST", "/v1/conferences", asAdmin, map[string]any{"id": "d", "title": "D", "pin": "1234", "breakout_enabled": false}, 201, ""}, nil},
		{"create duplicate", call{"POST", "/v1/conferences", asAdmin, map[string]any{"id": "c", "title": "C"}, 409, "already_exists"}, nil},
		{"create unknown field", call{"POST", "/v1/conferences", asAdmin, map[string]any{"title": "x", "colour": "red"}, 400, "invalid_request"}, nil},
		{"create bad json", call{"POST", "/v1/conferences", asAdmin, `{"title":`, 400, "invalid_request"}, nil},
		{"create trailing data", call{"POST", "/v1/conferences", asAdmin, `{"title":"x"} {}`, 400, "invalid_request"}, nil},
		{"create too large", call{"POST", "/v1/conferences", asAdmin, `{"title":"` + strings.Repeat("x", 70<<10) + `"}`, 413, "request_too_large"}, nil},
		{"get as member", call{"GET", "/v1/conferences/c", asAlice, nil, 200, ""}, nil},
		{"get unknown", call{"GET", "/v1/conferences/zz", asAdmin, nil, 404, "not_found"}, nil},
		{"get with token of another conference", call{"GET", "/v1/conferences/other", asAlice, nil, 401, "unauthorized"}, nil},
		{"get without token", call{"GET", "/v1/conferences/c", none, nil, 401, "unauthorized"}, nil},
		{"patch as participant", call{"PATCH", "/v1/conferences/c", asAlice, map[string]any{"breakout_enabled": false}, 403, "host_required"}, nil},
		{"patch empty", call{"PATCH", "/v1/conferences/c", asHost, map[string]any{}, 400, "invalid_request"}, nil},
		{"patch as host", call{"PATCH", "/v1/conferences/c", asHost, map[string]any{"breakout_enabled": false}, 200, ""}, nil},
		{"end as host", call{"DELETE", "/v1/conferences/c", asHost, nil, 403, "admin_required"}, nil},
		{"end as admin", call{"DELETE", "/v1/conferences/c", asAdmin, nil, 204, ""}, nil},
		{"add participant as host", call{"POST", "/v1/conferences/c/participants", asHost, map[string]any{"name": "N", "client_version": "4.14"}, 201, ""}, nil},
		{"add participant as participant", call{"POST", "/v1/conferences/c/participants", asAlice, map[string]any{"name": "N", "client_version": "4.14"}, 403, "host_required"}, nil},
		{"add participant bad version", call{"POST", "/v1/conferences/c/participants", asHost, map[string]any{"name": "N", "client_version": "4.x"}, 400, "invalid_request"}, nil},
		{"add participant no version", call{"POST", "/v1/conferences/c/participants", asHost, map[string]any{"name": "N"}, 400, "invalid_request"}, nil},
		{"list participants", call{"GET", "/v1/conferences/c/participants", asAlice, nil, 200, ""}, nil},
		{"move by participant", call{"POST", "", asAlice, map[string]any{"room": "1"}, 403, "host_required"}, func(k *clinic) string { return p(k, k.alice.Participant.ID) + "/move" }},
		{"move", call{"POST", "", asHost, map[string]any{"room": "1"}, 200, ""}, func(k *clinic) string { return p(k, k.alice.Participant.ID) + "/move" }},
		{"move no room", call{"POST", "", asHost, map[string]any{}, 400, "invalid_request"}, func(k *clinic) string { return p(k, k.alice.Participant.ID) + "/move" }},
		{"move bad room", call{"POST", "", asHost, map[string]any{"room": "lobby"}, 400, "invalid_request"}, func(k *clinic) string { return p(k, k.alice.Participant.ID) + "/move" }},
		{"move missing room", call{"POST", "", asHost, map[string]any{"room": "9"}, 404, "not_found"}, func(k *clinic) string { return p(k, k.alice.Participant.ID) + "/move" }},
		{"move old client", call{"POST", "", asHost, map[string]any{"room": "1"}, 409, "client_too_old"}, func(k *clinic) string { return p(k, k.old.Participant.ID) + "/move" }},
		{"move phone", call{"POST", "", asHost, map[string]any{"room": "1"}, 409, "phone_participant_pinned"}, func(k *clinic) string { return p(k, k.phone) + "/move" }},
		{"move unknown participant", call{"POST", "", asHost, map[string]any{"room": "1"}, 404, "not_found"}, func(k *clinic) string { return p(k, "p-none") + "/move" }},
		{"mute other by participant", call{"POST", "", asAlice, nil, 403, "host_required"}, func(k *clinic) string { return p(k, k.old.Participant.ID) + "/mute" }},
		{"mute self with a lock", call{"POST", "", asAlice, map[string]any{"lock": true}, 403, "host_required"}, func(k *clinic) string { return p(k, k.alice.Participant.ID) + "/mute" }},
		{"mute with a lock", call{"POST", "", asHost, map[string]any{"lock": true}, 200, ""}, func(k *clinic) string { return p(k, k.alice.Participant.ID) + "/mute" }},
		{"unmute by host", call{"POST", "", asHost, nil, 200, ""}, func(k *clinic) string { return p(k, k.alice.Participant.ID) + "/unmute" }},
		{"mute self", call{"POST", "", asAlice, nil, 200, ""}, func(k *clinic) string { return p(k, k.alice.Participant.ID) + "/mute" }},
		{"unmute self", call{"POST", "", asAlice, nil, 200, ""}, func(k *clinic) string { return p(k, k.alice.Participant.ID) + "/unmute" }},
		{"mute bad body", call{"POST", "", asHost, map[string]any{"lock": "yes"}, 400, "invalid_request"}, func(k *clinic) string { return p(k, k.alice.Participant.ID) + "/mute" }},
		{"mute unknown participant", call{"POST", "", asHost, nil, 404, "not_found"}, func(k *clinic) string { return p(k, "p-none") + "/mute" }},
		{"mute phone", call{"POST", "", asAdmin, nil, 200, ""}, func(k *clinic) string { return p(k, k.phone) + "/mute" }},
		{"mute room by participant", call{"POST", "/v1/conferences/c/rooms/main/mute", asAlice, nil, 403, "host_required"}, nil},
		{"mute missing room", call{"POST", "/v1/conferences/c/rooms/7/mute", asHost, nil, 404, "not_found"}, nil},
		{"mute room", call{"POST", "/v1/conferences/c/rooms/main/mute", asHost, map[string]any{"lock": true}, 200, ""}, nil},
		{"hangup app participant", call{"POST", "", asHost, nil, 409, "not_a_phone_participant"}, func(k *clinic) string { return p(k, k.alice.Participant.ID) + "/hangup" }},
		{"hangup by participant", call{"POST", "", asAlice, nil, 403, "host_required"}, func(k *clinic) string { return p(k, k.phone) + "/hangup" }},
		{"hangup phone", call{"POST", "", asAdmin, nil, 204, ""}, func(k *clinic) string { return p(k, k.phone) + "/hangup" }},
		{"hangup with a ban", call{"POST", "", asHost, map[string]any{"ban": true, "reason": "heckling"}, 204, ""}, func(k *clinic) string { return p(k, k.phone) + "/hangup" }},
		{"hangup with a reason and no ban", call{"POST", "", asHost, map[string]any{"reason": "heckling"}, 400, "invalid_request"}, func(k *clinic) string { return p(k, k.phone) + "/hangup" }},
		{"hangup with a ban by participant", call{"POST", "", asAlice, map[string]any{"ban": true}, 403, "host_required"}, func(k *clinic) string { return p(k, k.phone) + "/hangup" }},
		{"hangup with a ban of an app participant", call{"POST", "", asHost, map[string]any{"ban": true}, 409, "not_a_phone_participant"}, func(k *clinic) string { return p(k, k.alice.Participant.ID) + "/hangup" }},
		{"hangup with a ban of a caller without a number", call{"POST", "", asHost, map[string]any{"ban": true}, 409, "no_caller_number"}, func(k *clinic) string { return p(k, k.numberless(t)) + "/hangup" }},
		{"hangup with a ban past the cap", call{"POST", "", asHost, map[string]any{"ban": true}, 409, "ban_limit_reached"}, func(k *clinic) string { k.fillBans(t); return p(k, k.phone) + "/hangup" }},
		{"hangup with a ban of an unknown participant", call{"POST", "", asAdmin, map[string]any{"ban": true}, 404, "not_found"}, func(k *clinic) string { return p(k, "p-none") + "/hangup" }},
		{"remove with a ban", call{"DELETE", "", asHost, nil, 204, ""}, func(k *clinic) string { return p(k, k.alice.Participant.ID) + "?ban=true&reason=spam" }},
		{"remove self with a ban", call{"DELETE", "", asAlice, nil, 403, "host_required"}, func(k *clinic) string { return p(k, k.alice.Participant.ID) + "?ban=true" }},
		{"remove with a ban that is not a boolean", call{"DELETE", "", asHost, nil, 400, "invalid_request"}, func(k *clinic) string { return p(k, k.alice.Participant.ID) + "?ban=maybe" }},
		{"remove with a reason and no ban", call{"DELETE", "", asHost, nil, 400, "invalid_request"}, func(k *clinic) string { return p(k, k.alice.Participant.ID) + "?reason=spam" }},
		{"remove a phone with a ban past the cap", call{"DELETE", "", asAdmin, nil, 409, "ban_limit_reached"}, func(k *clinic) string { k.fillBans(t); return p(k, k.phone) + "?ban=true" }},
		{"remove a caller without a number with a ban", call{"DELETE", "", asAdmin, nil, 409, "no_caller_number"}, func(k *clinic) string { return p(k, k.numberless(t)) + "?ban=true" }},
		{"bans", call{"GET", "/v1/conferences/c/bans", asHost, nil, 200, ""}, func(k *clinic) string { k.ban(t); return "/v1/conferences/c/bans" }},
		{"bans by participant", call{"GET", "/v1/conferences/c/bans", asAlice, nil, 403, "host_required"}, nil},
		{"bans without token", call{"GET", "/v1/conferences/c/bans", none, nil, 401, "unauthorized"}, nil},
		{"bans of an unknown conference", call{"GET", "/v1/conferences/zz/bans", asAdmin, nil, 404, "not_found"}, nil},
		{"lift a ban", call{"DELETE", "", asHost, nil, 204, ""}, func(k *clinic) string { k.ban(t); return "/v1/conferences/c/bans/+15550100" }},
		{"lift a ban escaped", call{"DELETE", "", asAdmin, nil, 204, ""}, func(k *clinic) string { k.ban(t); return "/v1/conferences/c/bans/%2B15550100" }},
		{"lift a ban by participant", call{"DELETE", "", asAlice, nil, 403, "host_required"}, func(k *clinic) string { k.ban(t); return "/v1/conferences/c/bans/+15550100" }},
		{"lift no ban", call{"DELETE", "/v1/conferences/c/bans/+15550100", asHost, nil, 404, "not_found"}, nil},
		{"dial-out to a banned number", call{"POST", "/v1/conferences/c/dial-out", asHost, map[string]any{"to": "+15550100"}, 403, "banned"}, func(k *clinic) string { k.ban(t); return "/v1/conferences/c/dial-out" }},
		{"make host", call{"POST", "", asHost, nil, 200, ""}, func(k *clinic) string { return p(k, k.alice.Participant.ID) + "/host" }},
		{"make phone host", call{"POST", "", asHost, nil, 409, "phone_cannot_be_host"}, func(k *clinic) string { return p(k, k.phone) + "/host" }},
		{"make host by participant", call{"POST", "", asAlice, nil, 403, "host_required"}, func(k *clinic) string { return p(k, k.old.Participant.ID) + "/host" }},
		{"leave self", call{"DELETE", "", asAlice, nil, 204, ""}, func(k *clinic) string { return p(k, k.alice.Participant.ID) }},
		{"remove other as participant", call{"DELETE", "", asAlice, nil, 403, "host_required"}, func(k *clinic) string { return p(k, k.old.Participant.ID) }},
		{"remove as host", call{"DELETE", "", asHost, nil, 204, ""}, func(k *clinic) string { return p(k, k.old.Participant.ID) }},
		{"get participant", call{"GET", "", asAlice, nil, 200, ""}, func(k *clinic) string { return p(k, k.phone) }},
		{"rooms", call{"GET", "/v1/conferences/c/rooms", asAlice, nil, 200, ""}, nil},
		{"room", call{"GET", "/v1/conferences/c/rooms/1", asAlice, nil, 200, ""}, nil},
		{"room missing", call{"GET", "/v1/conferences/c/rooms/5", asAlice, nil, 404, "not_found"}, nil},
		{"add room as participant", call{"POST", "/v1/conferences/c/rooms", asAlice, nil, 403, "host_required"}, nil},
		{"add room with a name", call{"POST", "/v1/conferences/c/rooms", asHost, map[string]any{"name": "Mine"}, 400, "invalid_request"}, nil},
		{"add room with a null body", call{"POST", "/v1/conferences/c/rooms", asHost, "null", 400, "invalid_request"}, nil},
		{"join with an array body", call{"POST", "/v1/conferences/c/rooms/1/join", asHost, "[]", 400, "invalid_request"}, nil},
		{"rename", call{"PATCH", "/v1/conferences/c/rooms/1", asHost, map[string]any{"name": "x"}, 405, "rename_not_supported"}, nil},
		{"delete main", call{"DELETE", "/v1/conferences/c/rooms/main", asHost, nil, 409, "main_room_permanent"}, nil},
		{"delete room", call{"DELETE", "/v1/conferences/c/rooms/2", asHost, nil, 204, ""}, nil},
		{"join as admin", call{"POST", "/v1/conferences/c/rooms/1/join", asAdmin, nil, 403, "host_required"}, nil},
		{"join as participant", call{"POST", "/v1/conferences/c/rooms/1/join", asAlice, nil, 403, "host_required"}, nil},
		{"join as host", call{"POST", "/v1/conferences/c/rooms/1/join", asHost, nil, 200, ""}, nil},
		{"record breakout", call{"POST", "/v1/conferences/c/rooms/1/recording", asHost, nil, 409, "recording_main_room_only"}, nil},
		{"record main", call{"POST", "/v1/conferences/c/rooms/main/recording", asHost, nil, 200, ""}, nil},
		{"record by participant", call{"POST", "/v1/conferences/c/rooms/main/recording", asAlice, nil, 403, "host_required"}, nil},
		{"stop recording", call{"DELETE", "/v1/conferences/c/rooms/main/recording", asAdmin, nil, 204, ""}, nil},
		{"stop recording breakout", call{"DELETE", "/v1/conferences/c/rooms/2/recording", asAdmin, nil, 409, "recording_main_room_only"}, nil},
		{"recordings list", call{"GET", "/v1/conferences/c/recordings", asHost, nil, 200, ""}, nil},
		{"recordings list by participant", call{"GET", "/v1/conferences/c/recordings", asAlice, nil, 403, "host_required"}, nil},
		{"recording missing", call{"GET", "/v1/conferences/c/recordings/r-x", asHost, nil, 404, "not_found"}, nil},
		{"dial-out without trunk", call{"POST", "/v1/conferences/c/dial-out", asHost, map[string]any{"to": "+15550199"}, 409, "no_outbound_trunk"}, nil},
		{"dial-out by participant", call{"POST", "/v1/conferences/c/dial-out", asAlice, map[string]any{"to": "1"}, 403, "host_required"}, nil},
		{"dial-out without number", call{"POST", "/v1/conferences/c/dial-out", asHost, map[string]any{}, 400, "invalid_request"}, nil},
		{"unknown route", call{"GET", "/v2/nothing", none, nil, 404, "not_found"}, nil},
		{"console page", call{"GET", "/", none, nil, 200, ""}, nil},
		{"console page with token", call{"GET", "/?token=x", none, nil, 200, ""}, nil},
		{"console script", call{"GET", "/console/main.js", none, nil, 200, ""}, nil},
		{"console unknown file", call{"GET", "/console/nothing.js", none, nil, 404, "not_found"}, nil},
		{"console page posted to", call{"POST", "/", none, nil, 405, "method_not_allowed"}, nil},
		{"method not served", call{"PUT", "/v1/conferences/c/rooms", asHost, nil, 405, "method_not_allowed"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := newClinic(t)
			path := tt.call.path
			if tt.pathOf != nil {
				path = tt.pathOf(k)
			}
			r := k.env.Do(tt.call.method, path, tt.call.token(k), tt.call.body)
			if r.Status != tt.call.status || r.ErrorCode() != tt.call.code {
				t.Fatalf("%s %s = %d %s, want %d %q", tt.call.method, path, r.Status, r.Body, tt.call.status, tt.call.code)
			}
			if tt.call.code != "" && !strings.Contains(string(r.Body), `"message"`) {
				t.Fatalf("error without message: %s", r.Body)
			}
		})
	}
}

// ban bans the clinic's phone caller, +15550100.
func (k *clinic) ban(t *testing.T) {
	t.Helper()
	if r := k.env.Do("POST", "/v1/conferences/c/participants/"+k.phone+"/hangup", k.host.Token, map[string]any{"ban": true}); r.Status != http.StatusNoContent {
		t.Fatalf("ban: %d %s", r.Status, r.Body)
	}
}

// numberless adds a caller whose From header had no number.
func (k *clinic) numberless(t *testing.T) string {
	t.Helper()
	conf, _ := k.env.Registry.Get("c")
	p, err := conf.AddPhone(conference.PhoneSpec{Direction: conference.DialIn})
	if err != nil {
		t.Fatal(err)
	}
	return p.ID
}

// fillBans bans as many callers as a conference may hold.
func (k *clinic) fillBans(t *testing.T) {
	t.Helper()
	conf, _ := k.env.Registry.Get("c")
	for i := range conference.DefaultMaxBans {
		p, err := conf.AddPhone(conference.PhoneSpec{Number: fmt.Sprintf("+1666%07d", i), Direction: conference.DialIn})
		if err == nil {
			err = conf.HangUpAndBan(conference.Admin, p.ID, conference.BanSpec{})
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}
