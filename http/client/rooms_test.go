package client_test

import (
	"errors"
	"testing"

	"github.com/confgw/confgw/conference"
)

func TestRoomsJoinAndDelete(t *testing.T) {
	k := newClinic(t)
	host := k.as(k.host)
	r, raw, err := host.AddRoom(t.Context(), "c")
	if err != nil || r.ID != "1" || r.Name != "Breakout room 1" {
		t.Fatalf("add %+v: %v", r, err)
	}
	sameJSON(t, raw, r)

	p, raw, err := host.JoinRoom(t.Context(), "c", "1")
	if err != nil || p.ID != k.host.Participant.ID || p.Room != "1" {
		t.Fatalf("join %+v: %v", p, err)
	}
	sameJSON(t, raw, p)

	rooms, raw, err := k.as(k.alice).Rooms(t.Context(), "c")
	if err != nil || len(rooms) != 2 || rooms[0].Count != 2 || rooms[1].Count != 1 {
		t.Fatalf("rooms %+v: %v", rooms, err)
	}
	sameJSON(t, raw, struct {
		Rooms []conference.Room `json:"rooms"`
	}{rooms})
	one, raw, err := host.Room(t.Context(), "c", "1")
	if err != nil || one.Count != 1 || one.Participants[0].Name != "Hanna" {
		t.Fatalf("room 1 %+v: %v", one, err)
	}
	sameJSON(t, raw, one)

	if err := host.DeleteRoom(t.Context(), "c", "1"); !errors.Is(err, conference.ErrHostInsideRoom) {
		t.Fatalf("delete own room: %v", err)
	}
	if err := k.admin.DeleteRoom(t.Context(), "c", "1"); err != nil {
		t.Fatal(err)
	}
	if rooms, _, _ := host.Rooms(t.Context(), "c"); len(rooms) != 1 || rooms[0].Count != 3 {
		t.Fatalf("after delete %+v", rooms)
	}
}

func TestRecordingStartsOnlyInMainRoom(t *testing.T) {
	k := newClinic(t)
	host := k.as(k.host)
	if _, _, err := host.AddRoom(t.Context(), "c"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := host.StartRecording(t.Context(), "c", "1"); !errors.Is(err, conference.ErrRecordingMainOnly) {
		t.Fatalf("record room 1: %v", err)
	}
	rec, raw, err := host.StartRecording(t.Context(), "c", "main")
	if err != nil || rec.Room != "main" || rec.ID == "" {
		t.Fatalf("start %+v: %v", rec, err)
	}
	sameJSON(t, raw, struct {
		Recording conference.Recording `json:"recording"`
	}{rec})
	if info, _, _ := host.Conference(t.Context(), "c"); info.Recording == nil || info.Recording.ID != rec.ID {
		t.Fatalf("conference recording %+v", info.Recording)
	}
	if err := host.StopRecording(t.Context(), "c", "main"); err != nil {
		t.Fatal(err)
	}
	if info, _, _ := host.Conference(t.Context(), "c"); info.Recording != nil {
		t.Fatalf("still recording %+v", info.Recording)
	}
}
