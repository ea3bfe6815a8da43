package conference_test

import (
	"errors"
	"testing"

	"github.com/confgw/confgw/conference"
)

// A host's locked mute silences Ann for the room from the next tick while
// she still hears it; she cannot unmute herself, and the host's unmute
// brings her back.
func TestAHostsLockedMuteSilencesAParticipantUntilTheHostUnmutes(t *testing.T) {
	am := newAudioMeeting(t)
	sub := am.c.Subscribe(16)
	defer sub.Close()
	am.connect(t, am.ann, am.annAudio)
	am.phone.hears(t, annSays)

	p, err := am.c.Mute(conference.As(am.host), am.ann, true)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Muted || !p.Locked || p.MutedBy != am.host {
		t.Fatalf("after the mute: %+v", p)
	}
	am.phone.neverHearsFromNowOn(annSays)
	am.annAudio.hears(t, phoneSays)
	if e := waitEvent(t, sub, conference.EventParticipantMuted); e.Participant.ID != am.ann || !e.Participant.Locked {
		t.Fatalf("muted event %+v", e.Participant)
	}

	_, err = am.c.Unmute(conference.As(am.ann), am.ann)
	var ce *conference.Error
	if !errors.As(err, &ce) || ce.Code != conference.CodeMuteLocked {
		t.Fatalf("self-unmute of a locked mute: %v, want %s", err, conference.CodeMuteLocked)
	}
	if am.phone.breaches.Load() != 0 {
		t.Fatal("the room heard Ann while she was muted")
	}

	am.phone.armed.Store(false)
	p, err = am.c.Unmute(conference.As(am.host), am.ann)
	if err != nil || p.Muted || p.Locked || p.MutedBy != "" {
		t.Fatalf("host's unmute: %+v %v", p, err)
	}
	am.phone.hears(t, annSays)
	if e := waitEvent(t, sub, conference.EventParticipantUnmuted); e.Participant.ID != am.ann {
		t.Fatalf("unmuted event %+v", e.Participant)
	}
}

// A participant mutes and unmutes itself, but may neither lock its mute
// nor mute anyone else.
func TestAParticipantMutesItselfButNobodyElse(t *testing.T) {
	am := newAudioMeeting(t)
	am.connect(t, am.ann, am.annAudio)
	p, err := am.c.Mute(conference.As(am.ann), am.ann, false)
	if err != nil || !p.Muted || p.MutedBy != am.ann || p.Locked {
		t.Fatalf("self-mute: %+v %v", p, err)
	}
	am.phone.hears(t, 0)
	if _, err := am.c.Unmute(conference.As(am.ann), am.ann); err != nil {
		t.Fatal(err)
	}
	am.phone.hears(t, annSays)
	for what, call := range map[string]func() error{
		"lock her own mute": func() error { _, err := am.c.Mute(conference.As(am.ann), am.ann, true); return err },
		"mute Ben":          func() error { _, err := am.c.Mute(conference.As(am.ann), am.ben, false); return err },
		"unmute Ben":        func() error { _, err := am.c.Unmute(conference.As(am.ann), am.ben); return err },
	} {
		if err := call(); !errors.Is(err, conference.ErrHostRequired) {
			t.Errorf("Ann may %s: %v, want %v", what, err, conference.ErrHostRequired)
		}
	}
}

// A muted participant moved to a breakout room arrives there muted: no
// tick of the new room hears her.
func TestAMutedParticipantStaysMutedWhenMoved(t *testing.T) {
	am := newAudioMeeting(t)
	if _, err := am.c.AddRoom(conference.As(am.host)); err != nil {
		t.Fatal(err)
	}
	am.connect(t, am.ann, am.annAudio)
	am.connect(t, am.ben, am.benAud)
	if _, err := am.c.Move(conference.As(am.host), am.ben, "1"); err != nil {
		t.Fatal(err)
	}
	if _, err := am.c.Mute(conference.As(am.host), am.ann, false); err != nil {
		t.Fatal(err)
	}
	am.benAud.neverHearsFromNowOn(annSays)
	if _, err := am.c.Move(conference.As(am.host), am.ann, "1"); err != nil {
		t.Fatal(err)
	}
	am.annAudio.hears(t, benSays)
	if n := am.benAud.breaches.Load(); n != 0 {
		t.Fatalf("Ben heard muted Ann in %d frames after her move", n)
	}
}

// Muting a room mutes everyone in it but the hosts, phone callers
// included, who are told so; muting them again tells them nothing new.
func TestMutingARoomMutesAllButItsHostsAndTellsThePhones(t *testing.T) {
	m := newMeeting(t)
	leg := &promptLeg{}
	ph, err := m.c.AddPhone(conference.PhoneSpec{Number: "+15550199", Direction: conference.DialIn, Leg: leg})
	if err != nil {
		t.Fatal(err)
	}
	muted, err := m.c.MuteRoom(conference.As(m.host1), conference.MainRoomID, false)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, p := range muted {
		got[p.ID] = p.Muted
	}
	for _, id := range []string{m.alice, m.bob, m.oldCarl, m.phone, ph.ID} {
		if !got[id] {
			t.Errorf("%s not muted by the room's mute: %v", id, got)
		}
	}
	for _, id := range []string{m.host1, m.host2} {
		if _, ok := got[id]; ok {
			t.Errorf("host %s muted by the room's mute", id)
		}
	}
	if told := leg.told(); len(told) != 1 || told[0] != conference.PromptMuted {
		t.Fatalf("the caller was told %v, want [muted]", told)
	}
	if _, err := m.c.MuteRoom(conference.As(m.host1), conference.MainRoomID, false); err != nil {
		t.Fatal(err)
	}
	if told := leg.told(); len(told) != 1 {
		t.Fatalf("a second room mute told the caller %v", told)
	}
	if _, err := m.c.MuteRoom(conference.As(m.alice), conference.MainRoomID, false); !errors.Is(err, conference.ErrHostRequired) {
		t.Fatalf("a participant muted the room: %v", err)
	}
	if _, err := m.c.MuteRoom(conference.As(m.host1), "7", false); !errors.Is(err, conference.ErrNotFound) {
		t.Fatalf("muting a room that does not exist: %v", err)
	}
}
