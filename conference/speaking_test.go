package conference_test

import (
	"testing"

	"github.com/confgw/confgw/conference"
)

// Ann's voice in the main room lights her speaking indicator for everyone
// with its level; her mute puts it out, and so does her leaving.
func TestParticipantsSpeakingIsPublishedAndEndsWithAMuteOrALeave(t *testing.T) {
	am := newAudioMeeting(t)
	sub := am.c.Subscribe(256)
	defer sub.Close()
	am.connect(t, am.ann, newSession("s-loud", 4000)) // about -18 dBov

	e := waitEvent(t, sub, conference.EventParticipantSpeaking)
	if e.Participant.ID != am.ann || !e.Participant.Speaking || e.Level == nil || *e.Level < -20 || *e.Level > -16 {
		t.Fatalf("speaking event %+v level %v, want Ann speaking at about -18 dBov", e.Participant, e.Level)
	}
	if p, _ := am.c.Participant(am.ann); !p.Speaking {
		t.Fatalf("Ann's participant says she is not speaking: %+v", p)
	}
	if _, err := am.c.Mute(conference.As(am.host), am.ann, false); err != nil {
		t.Fatal(err)
	}
	if e := waitEvent(t, sub, conference.EventParticipantSpeaking); e.Participant.ID != am.ann || e.Participant.Speaking {
		t.Fatalf("after her mute: %+v, want Ann no longer speaking", e.Participant)
	}
	if _, err := am.c.Unmute(conference.As(am.host), am.ann); err != nil {
		t.Fatal(err)
	}
	if e := waitEvent(t, sub, conference.EventParticipantSpeaking); !e.Participant.Speaking {
		t.Fatalf("after her unmute: %+v, want Ann speaking", e.Participant)
	}
	if err := am.c.Remove(conference.As(am.ann), am.ann); err != nil {
		t.Fatal(err)
	}
	if e := waitEvent(t, sub, conference.EventParticipantSpeaking); e.Participant.Speaking {
		t.Fatalf("when she left: %+v, want Ann no longer speaking", e.Participant)
	}
}
