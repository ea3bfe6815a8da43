package conference_test

import (
	"errors"
	"slices"
	"sync"
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

// roomsSeen records which endpoints each room's media was handed.
type roomsSeen struct {
	mu       sync.Mutex
	attached map[string][]string // room id -> participant ids, in order
}

type seenRoom struct {
	seen *roomsSeen
	room string
}

func (r seenRoom) Attach(id string, _ mixer.Endpoint) error {
	r.seen.mu.Lock()
	defer r.seen.mu.Unlock()
	r.seen.attached[r.room] = append(r.seen.attached[r.room], id)
	return nil
}
func (seenRoom) Detach(string)         {}
func (seenRoom) SetMuted(string, bool) {}
func (seenRoom) SetTap(mixer.Tap)      {}
func (seenRoom) Close()                {}

func (s *roomsSeen) rooms(id string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for room, ids := range s.attached {
		if slices.Contains(ids, id) {
			out = append(out, room)
		}
	}
	return out
}

func TestAPhoneLegsAudioIsOnlyEverWiredToTheMainRoom(t *testing.T) {
	seen := &roomsSeen{attached: map[string][]string{}}
	reg := conference.NewRegistry(conference.Config{BreakoutDefault: true,
		NewRoomMedia: func(_, room string) conference.RoomMedia { return seenRoom{seen, room} }})
	defer reg.EndAll()
	c, _ := reg.Create(conference.Spec{ID: "m", Title: "M"})
	if _, err := c.AddRoom(conference.Admin); err != nil {
		t.Fatal(err)
	}
	phone, err := c.AddPhone(conference.PhoneSpec{Number: "100", Media: &phoneMedia{}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Move(conference.Admin, phone.ID, "1"); !errors.Is(err, conference.ErrPhonePinned) {
		t.Fatalf("moving a phone leg: %v, want %v", err, conference.ErrPhonePinned)
	}
	if err := c.DeleteRoom(conference.Admin, "1"); err != nil {
		t.Fatal(err)
	}
	if got := seen.rooms(phone.ID); !slices.Equal(got, []string{conference.MainRoomID}) {
		t.Errorf("the phone leg's audio was wired to %v, want the main room only", got)
	}
}
