package client_test

import (
	"errors"
	"testing"

	"github.com/confgw/confgw/conference"
	"github.com/confgw/confgw/http/wire"
)

func TestAddedParticipantsTokenActsForIt(t *testing.T) {
	k := newClinic(t)
	j, raw, err := k.as(k.host).AddParticipant(t.Context(), "c", wire.NewParticipant{Name: "Dora", ClientVersion: "5.0"})
	if err != nil {
		t.Fatal(err)
	}
	if j.Participant.Name != "Dora" || j.Participant.Role != conference.RoleParticipant || j.Token == "" {
		t.Fatalf("joined %+v", j)
	}
	sameJSON(t, raw, j)
	// Dora may read but not move anyone: the server knows her by the token.
	if _, _, err := k.as(j).Participants(t.Context(), "c"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := k.as(j).Move(t.Context(), "c", k.alice.Participant.ID, "main"); !errors.Is(err, conference.ErrHostRequired) {
		t.Fatalf("participant moves: %v", err)
	}
}

func TestParticipantsInJoinOrder(t *testing.T) {
	k := newClinic(t)
	ps, raw, err := k.as(k.alice).Participants(t.Context(), "c")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range ps {
		names = append(names, p.Name)
	}
	if len(names) != 3 || names[0] != "Hanna" || names[1] != "Alice" || names[2] != "Carl" {
		t.Fatalf("names %v", names)
	}
	sameJSON(t, raw, struct {
		Participants []conference.Participant `json:"participants"`
	}{ps})

	p, raw, err := k.as(k.alice).Participant(t.Context(), "c", k.carl.Participant.ID)
	if err != nil || p.ClientVersion != "4.9" {
		t.Fatalf("carl %+v: %v", p, err)
	}
	sameJSON(t, raw, p)
}

func TestMoveSetHostAndRemove(t *testing.T) {
	k := newClinic(t)
	host := k.as(k.host)
	if _, _, err := host.AddRoom(t.Context(), "c"); err != nil {
		t.Fatal(err)
	}
	p, raw, err := host.Move(t.Context(), "c", k.alice.Participant.ID, "1")
	if err != nil || p.Room != "1" {
		t.Fatalf("move %+v: %v", p, err)
	}
	sameJSON(t, raw, p)

	p, raw, err = host.SetHost(t.Context(), "c", k.alice.Participant.ID, true)
	if err != nil || p.Role != conference.RoleHost {
		t.Fatalf("promote %+v: %v", p, err)
	}
	sameJSON(t, raw, p)
	if p, _, err = host.SetHost(t.Context(), "c", k.alice.Participant.ID, false); err != nil || p.Role != conference.RoleParticipant {
		t.Fatalf("demote %+v: %v", p, err)
	}

	if err := host.RemoveParticipant(t.Context(), "c", k.alice.Participant.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := host.Participant(t.Context(), "c", k.alice.Participant.ID); !errors.Is(err, conference.ErrNotFound) {
		t.Fatalf("after remove: %v", err)
	}
}

func TestHangUpOnlyPhones(t *testing.T) {
	k := newClinic(t)
	conf, err := k.env.Registry.Get("c")
	if err != nil {
		t.Fatal(err)
	}
	phone, err := conf.AddPhone(conference.PhoneSpec{Number: "+15550100", Direction: conference.DialIn})
	if err != nil {
		t.Fatal(err)
	}
	host := k.as(k.host)
	if err := host.HangUp(t.Context(), "c", k.alice.Participant.ID); !errors.Is(err, conference.ErrNotPhone) {
		t.Fatalf("hang up an app: %v", err)
	}
	if err := host.HangUp(t.Context(), "c", phone.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := conf.Participant(phone.ID); err == nil {
		t.Fatal("phone still in the conference")
	}
}
