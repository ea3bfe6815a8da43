package conference

import (
	"testing"
	"time"

	"github.com/confgw/confgw/mixer"
)

// A speaking change noticed before the participant's media was last
// attached (it left the room and came back while the change waited for
// the conference) is dropped: it would light the indicator of someone
// silent until they next spoke. One noticed after is taken.
func TestASpeakingChangeFromBeforeTheLastAttachIsDropped(t *testing.T) {
	c := newConference(Spec{ID: "c", Title: "C"}, Config{})
	attached := time.Now()
	c.members["p"] = &member{Participant: Participant{ID: "p", Room: MainRoomID}, attachedAt: attached}
	stale := speakingChange{room: MainRoomID, Speaking: mixer.Speaking{ID: "p", Speaking: true, At: attached.Add(-time.Millisecond)}}
	c.speakingChanged(stale)
	if c.members["p"].Speaking {
		t.Fatal("a change from the earlier attachment lit the indicator")
	}
	fresh := stale
	fresh.At = attached.Add(time.Millisecond)
	c.speakingChanged(fresh)
	if !c.members["p"].Speaking {
		t.Fatal("a change from the current attachment was dropped")
	}
}
