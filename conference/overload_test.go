package conference_test

import (
	"sync"
	"testing"
	"time"

	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/conference"
)

// stalledLeg is a phone whose sending stalls: its WriteFrame blocks until
// released, holding up the main room's tick.
type stalledLeg struct {
	stuck   chan struct{}
	release chan struct{}
	once    sync.Once
}

func (l *stalledLeg) ReadFrame(*audio.Frame) bool { return false }

func (l *stalledLeg) WriteFrame(*audio.Frame) {
	select {
	case l.stuck <- struct{}{}:
	default:
	}
	<-l.release
}

func (l *stalledLeg) free() { l.once.Do(func() { close(l.release) }) }

// The main room's tick is stuck inside one phone's send: everyone else's
// joins, moves and leaves still go through, because none of them waits on
// a tick.
func TestJoinsMovesAndLeavesGoThroughWhileTheMainRoomsTickIsStuck(t *testing.T) {
	am := newAudioMeeting(t)
	am.connect(t, am.ann, am.annAudio)
	leg := &stalledLeg{stuck: make(chan struct{}, 1), release: make(chan struct{})}
	t.Cleanup(leg.free)
	if _, err := am.c.AddPhone(conference.PhoneSpec{Number: "+15550111", Media: leg}); err != nil {
		t.Fatal(err)
	}
	<-leg.stuck
	done := make(chan error, 1)
	go func() {
		done <- func() error {
			room, err := am.c.AddRoom(conference.As(am.host))
			if err != nil {
				return err
			}
			if _, err := am.c.Move(conference.As(am.host), am.ann, room.ID); err != nil {
				return err
			}
			if err := am.c.StartAudio(conference.As(am.ben), am.benAud); err != nil {
				return err
			}
			if err := am.c.AudioConnected(am.ben, am.benAud.ID()); err != nil {
				return err
			}
			if _, err := am.c.AddApp(conference.Admin, conference.AppSpec{Name: "Cy", ClientVersion: "5.0"}); err != nil {
				return err
			}
			if _, err := am.c.Move(conference.As(am.host), am.ann, "main"); err != nil {
				return err
			}
			return am.c.Remove(conference.As(am.host), am.ben)
		}()
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("a join, move or leave waited on the stuck tick")
	}
	leg.free()
}
