package conference_test

import (
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/conference"
	"github.com/confgw/confgw/mixer"
)

// phoneMedia counts what the main-room mixer hands a phone leg.
type phoneMedia struct{ writes atomic.Int64 }

func (*phoneMedia) ReadFrame(*audio.Frame) bool { return false }
func (p *phoneMedia) WriteFrame(*audio.Frame)   { p.writes.Add(1) }
func (*phoneMedia) PinnedToMainRoom() bool      { return true }

func waitWrites(t *testing.T, p *phoneMedia, above int64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for p.writes.Load() <= above {
		if time.Now().After(deadline) {
			t.Fatal("main-room mixer never fed the phone leg")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestPhoneMediaLivesInMainRoomMixer(t *testing.T) {
	reg := conference.NewRegistry(conference.Config{BreakoutDefault: true, NewRoomMedia: conference.MixerRooms(nil)})
	defer reg.EndAll()
	c, _ := reg.Create(conference.Spec{ID: "m", Title: "M"})
	if _, err := c.AddRoom(conference.Admin); err != nil {
		t.Fatal(err)
	}
	media := &phoneMedia{}
	p, err := c.AddPhone(conference.PhoneSpec{Number: "100", Media: media})
	if err != nil {
		t.Fatal(err)
	}
	waitWrites(t, media, 0)
	if err := c.HangUp(conference.Admin, p.ID); err != nil {
		t.Fatal(err)
	}
	after := media.writes.Load()
	// Detach returns only once the mixer stopped calling the leg, so a
	// second phone seeing ticks proves the first is no longer fed.
	other := &phoneMedia{}
	if _, err := c.AddPhone(conference.PhoneSpec{Number: "101", Media: other}); err != nil {
		t.Fatal(err)
	}
	waitWrites(t, other, 3)
	if got := media.writes.Load(); got != after {
		t.Fatalf("hung-up leg still fed: %d writes after %d", got, after)
	}
}

func TestBreakoutMixerRefusesPhoneMedia(t *testing.T) {
	rooms := conference.MixerRooms(nil)
	breakout := rooms("m", "1")
	defer breakout.Close()
	if err := breakout.Attach("p", &phoneMedia{}); !errors.Is(err, mixer.ErrPinned) {
		t.Fatalf("breakout mixer took a phone leg: %v", err)
	}
	main := rooms("m", conference.MainRoomID)
	defer main.Close()
	if err := main.Attach("p", &phoneMedia{}); err != nil {
		t.Fatalf("main mixer refused a phone leg: %v", err)
	}
}
