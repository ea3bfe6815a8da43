package mixer_test

import (
	"testing"

	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/internal/tone"
	"github.com/confgw/confgw/mixer"
)

// wideTalker is an endpoint that speaks wideband natively, as an Opus
// participant does.
type wideTalker struct {
	fakeEndpoint
}

func (*wideTalker) NativeRate() audio.Rate { return audio.Wideband }

func newWideTalker(freqHz float64) *wideTalker {
	g := tone.Sine(freqHz, 8000, audio.WidebandHz)
	return &wideTalker{fakeEndpoint{say: func(f *audio.Frame) bool { g.Next(f); return true }}}
}

func TestARoomOfNarrowbandEndpointsMixesNarrowband(t *testing.T) {
	m := mixer.New()
	a, b := talker(600), talker(1000)
	_ = m.Attach("a", a)
	_ = m.Attach("b", b)
	m.MixOnce()
	if m.Rate() != audio.Narrowband || a.frames[0].Rate != audio.Narrowband || len(a.lastHeard()) != audio.NarrowbandFrameSamples {
		t.Fatalf("room %v, a heard a %v frame of %d samples", m.Rate(), a.frames[0].Rate, len(a.lastHeard()))
	}
}

func TestAWidebandEndpointMakesTheRoomWidebandUntilItLeaves(t *testing.T) {
	m := mixer.New()
	phone := talker(600)
	_ = m.Attach("phone", phone)
	app := newWideTalker(6000)
	_ = m.Attach("app", app)
	m.MixOnce()
	if m.Rate() != audio.Wideband {
		t.Fatalf("room is %v with a wideband endpoint in it", m.Rate())
	}
	if r := phone.frames[0].Rate; r != audio.Wideband {
		t.Fatalf("the phone was handed a %v frame", r)
	}
	// The phone hears the app's 6 kHz, which only a wideband room carries.
	heard := phone.heard[len(phone.heard)-audio.WidebandFrameSamples:]
	if !tone.Detect(heard, 6000, audio.WidebandHz) {
		t.Errorf("the 6 kHz tone is not in what the phone heard (share %.3f)", tone.Share(heard, 6000, audio.WidebandHz))
	}
	// Replacing it by a narrowband endpoint under the same id counts too.
	_ = m.Attach("app", talker(1000))
	if m.Rate() != audio.Narrowband {
		t.Fatalf("room is %v once its wideband endpoint was replaced", m.Rate())
	}
	_ = m.Attach("app", app)
	m.Detach("app")
	m.MixOnce()
	if m.Rate() != audio.Narrowband || phone.frames[len(phone.frames)-1].Rate != audio.Narrowband {
		t.Errorf("room is %v after its wideband endpoint left", m.Rate())
	}
}

func TestMixMinusStaysExactAtTheWidebandRate(t *testing.T) {
	m := mixer.New()
	eps := []*wideTalker{newWideTalker(500), newWideTalker(3000), newWideTalker(7000)}
	for i, ep := range eps {
		_ = m.Attach(string(rune('a'+i)), ep)
	}
	for range 3 {
		m.MixOnce()
	}
	for i, ep := range eps {
		want := audio.Frame{Rate: audio.Wideband}
		for j, other := range eps {
			if j == i {
				continue
			}
			last := other.said[len(other.said)-1]
			for k := range want.Samples() {
				want.PCM[k] += last.PCM[k]
			}
		}
		got := ep.heard[len(ep.heard)-audio.WidebandFrameSamples:]
		for k, v := range want.Samples() {
			if got[k] != v {
				t.Fatalf("endpoint %d sample %d: heard %d, want %d", i, k, got[k], v)
			}
		}
	}
}
