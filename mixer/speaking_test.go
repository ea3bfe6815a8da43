package mixer_test

import (
	"testing"

	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/mixer"
)

// levelled is an endpoint saying a constant it can be told to change.
func levelled(level *int16) *fakeEndpoint {
	return &fakeEndpoint{say: func(f *audio.Frame) bool {
		for i := range f.Samples() {
			f.PCM[i] = *level
		}
		return *level != 0
	}}
}

// The indicator lights after 60 ms of speech, with the speech's level,
// and goes out 400 ms after it stops; a click of one frame lights
// nothing.
func TestSpeakingStartsAfter60msAndStopsAfter400ms(t *testing.T) {
	var got []mixer.Speaking
	level := int16(0)
	m := mixer.New()
	m.OnSpeaking(func(s mixer.Speaking) bool { got = append(got, s); return true })
	if err := m.Attach("ann", levelled(&level)); err != nil {
		t.Fatal(err)
	}
	tick := func(n int) {
		for range n {
			m.MixOnce()
		}
	}
	level = 20000
	tick(1)
	level = 0
	tick(30)
	if len(got) != 0 {
		t.Fatalf("a one-frame click gave %+v", got)
	}
	level = 3000 // about -21 dBov
	tick(2)
	if len(got) != 0 {
		t.Fatalf("speaking after 40 ms: %+v", got)
	}
	tick(1)
	if len(got) != 1 || !got[0].Speaking || got[0].ID != "ann" || got[0].Level < -22 || got[0].Level > -20 {
		t.Fatalf("after 60 ms of speech: %+v, want ann speaking at about -21 dBov", got)
	}
	level = 0
	tick(19)
	if len(got) != 1 {
		t.Fatalf("stopped before 400 ms of silence: %+v", got)
	}
	tick(1)
	if len(got) != 2 || got[1].Speaking {
		t.Fatalf("after 400 ms of silence: %+v", got)
	}
}

// A change the receiver could not take is offered again at the next tick,
// so a stop is never lost; and a muted endpoint stops speaking.
func TestAChangeNotTakenIsOfferedAgainAndAMutedEndpointStopsSpeaking(t *testing.T) {
	var got []mixer.Speaking
	full := true
	level := int16(3000)
	m := mixer.New()
	m.OnSpeaking(func(s mixer.Speaking) bool {
		if full {
			return false
		}
		got = append(got, s)
		return true
	})
	if err := m.Attach("ann", levelled(&level)); err != nil {
		t.Fatal(err)
	}
	for range 10 {
		m.MixOnce()
	}
	full = false
	m.MixOnce()
	if len(got) != 1 || !got[0].Speaking {
		t.Fatalf("after the receiver had room: %+v", got)
	}
	m.SetMuted("ann", true)
	for range 20 {
		m.MixOnce()
	}
	if len(got) != 2 || got[1].Speaking {
		t.Fatalf("muted for 400 ms: %+v, want a stop", got)
	}
}

// Someone who talks in bursts cannot flood the indicator: changes come at
// least 240 ms apart, about four a second at most.
func TestSpeakingChangesComeAtMostFourTimesASecond(t *testing.T) {
	var ticks []int
	level := int16(0)
	m := mixer.New()
	n := 0
	m.OnSpeaking(func(mixer.Speaking) bool { ticks = append(ticks, n); return true })
	if err := m.Attach("ann", levelled(&level)); err != nil {
		t.Fatal(err)
	}
	for n = range 500 { // 10 s of 3 loud frames and 20 quiet ones, over and over
		if n%23 < 3 {
			level = 3000
		} else {
			level = 0
		}
		m.MixOnce()
	}
	for i := 1; i < len(ticks); i++ {
		if d := ticks[i] - ticks[i-1]; d < 12 {
			t.Fatalf("changes at ticks %d and %d, %d ms apart", ticks[i-1], ticks[i], d*20)
		}
	}
	if len(ticks) < 10 {
		t.Fatalf("only %d changes in 10 s of bursts", len(ticks))
	}
}
