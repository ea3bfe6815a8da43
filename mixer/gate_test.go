package mixer_test

import (
	"testing"

	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/mixer"
)

// sharedListener is a fakeEndpoint that takes the shared mix as such.
type sharedListener struct {
	fakeEndpoint
	ids []mixer.MixID // zero on ticks it was written to as a talker
}

func (e *sharedListener) WriteFrame(f *audio.Frame) {
	e.fakeEndpoint.WriteFrame(f)
	e.ids = append(e.ids, mixer.MixID{})
}

func (e *sharedListener) WriteSharedFrame(f *audio.Frame, id mixer.MixID) {
	e.fakeEndpoint.WriteFrame(f)
	e.ids = append(e.ids, id)
}

// A frame of room noise (-70 dBov) under a -50 dBov gate is not mixed:
// the others hear nothing of it, and its sender hears the full mix,
// while a loud talker is heard as before.
func TestTheGateKeepsQuietFramesOutOfTheMix(t *testing.T) {
	m := mixer.New(mixer.WithGate(-50, 0))
	noise, loud, ear := constant(10), constant(1000), silent()
	for id, ep := range map[string]*fakeEndpoint{"noise": noise, "loud": loud, "ear": ear} {
		if err := m.Attach(id, ep); err != nil {
			t.Fatal(err)
		}
	}
	m.MixOnce()
	if got := ear.lastHeard()[0]; got != 1000 {
		t.Errorf("the listener hears %d, want the loud talker's 1000 alone", got)
	}
	if got := noise.lastHeard()[0]; got != 1000 {
		t.Errorf("the quiet one hears %d, want the full mix 1000", got)
	}
	if got := loud.lastHeard()[0]; got != 0 {
		t.Errorf("the loud talker hears %d, want nothing of the quiet one", got)
	}
	if noise.frames[0] != ear.frames[0] {
		t.Error("the quiet one and the listener were handed different frames")
	}
}

// A talker who falls quiet is still heard for the hangover, so the pause
// between two words does not cut the second one's onset, then no longer.
func TestATalkerStaysHeardForTheHangover(t *testing.T) {
	const hang = 3
	level := int16(1000)
	talk := &fakeEndpoint{say: func(f *audio.Frame) bool {
		for i := range f.Samples() {
			f.PCM[i] = level
		}
		return true
	}}
	ear := silent()
	m := mixer.New(mixer.WithGate(-50, hang*audio.FrameDuration))
	for id, ep := range map[string]*fakeEndpoint{"talk": talk, "ear": ear} {
		if err := m.Attach(id, ep); err != nil {
			t.Fatal(err)
		}
	}
	m.MixOnce()
	level = 10
	for i := range hang {
		m.MixOnce()
		if got := ear.lastHeard()[0]; got != level {
			t.Fatalf("quiet tick %d of the hangover: the listener hears %d, want %d", i+1, got, level)
		}
	}
	m.MixOnce()
	if got := ear.lastHeard()[0]; got != 0 {
		t.Fatalf("after the hangover the listener hears %d, want 0", got)
	}
}

// Every listener that said nothing is told the same MixID for the tick,
// and the next tick's is another of the same room; a talker gets its own
// mix-minus through WriteFrame.
func TestSilentSharedListenersAreToldOneMixIDPerTick(t *testing.T) {
	m, other := mixer.New(), mixer.New()
	a, b, talk := &sharedListener{}, &sharedListener{}, &sharedListener{fakeEndpoint: *constant(100)}
	for id, ep := range map[string]*sharedListener{"a": a, "b": b, "talk": talk} {
		if err := m.Attach(id, ep); err != nil {
			t.Fatal(err)
		}
	}
	ear := &sharedListener{}
	if err := other.Attach("ear", ear); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		m.MixOnce()
		other.MixOnce()
	}
	for tick := range 2 {
		if a.ids[tick] != b.ids[tick] || a.ids[tick].Room() != m {
			t.Fatalf("tick %d: ids %+v and %+v, want one id of the room", tick, a.ids[tick], b.ids[tick])
		}
		if talk.ids[tick] != (mixer.MixID{}) {
			t.Fatalf("tick %d: the talker was handed the shared mix", tick)
		}
	}
	if a.ids[1].Tick() <= a.ids[0].Tick() {
		t.Errorf("ticks %d then %d, want increasing", a.ids[0].Tick(), a.ids[1].Tick())
	}
	if ear.ids[0] == a.ids[0] {
		t.Error("two rooms' mixes share an id")
	}
}

// A muted endpoint is not heard from the next tick on, still hears the
// room, and is heard again once unmuted; a mute set before the endpoint
// arrives holds from its first tick.
func TestAMutedEndpointHearsTheRoomAndIsNotHeard(t *testing.T) {
	m := mixer.New()
	talk, ear := constant(1000), constant(7)
	m.SetMuted("talk", true)
	for id, ep := range map[string]*fakeEndpoint{"talk": talk, "ear": ear} {
		if err := m.Attach(id, ep); err != nil {
			t.Fatal(err)
		}
	}
	m.MixOnce()
	if got := ear.lastHeard()[0]; got != 0 {
		t.Fatalf("the room hears %d from an endpoint muted before it came", got)
	}
	if got := talk.lastHeard()[0]; got != 7 {
		t.Fatalf("the muted endpoint hears %d, want the room's 7", got)
	}
	m.SetMuted("talk", false)
	m.MixOnce()
	if got := ear.lastHeard()[0]; got != 1000 {
		t.Fatalf("unmuted, the room hears %d, want 1000", got)
	}
	m.SetMuted("talk", true)
	m.MixOnce()
	if got := ear.lastHeard()[0]; got != 0 {
		t.Fatalf("muted again, the room hears %d", got)
	}
	m.Detach("talk")
	if err := m.Attach("talk", talk); err != nil {
		t.Fatal(err)
	}
	m.MixOnce()
	if got := ear.lastHeard()[0]; got != 1000 {
		t.Fatalf("after Detach forgot the mute, the room hears %d, want 1000", got)
	}
}
