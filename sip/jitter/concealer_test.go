package jitter

import (
	"testing"

	"github.com/confgw/confgw/conference/mixer"
)

func TestConcealer(t *testing.T) {
	var good mixer.Frame
	for i := range good {
		good[i] = 1600
	}
	var c Concealer
	var f mixer.Frame

	if c.Conceal(&f) || f != (mixer.Frame{}) {
		t.Fatalf("concealing before any good frame gave sound")
	}

	c.Good(&good)
	// Repeat, then halve on each further loss, then silence.
	want := []int16{1600, 800, 400, 200, 100, 0, 0}
	for i, w := range want {
		f = mixer.Frame{1: 7}
		sound := c.Conceal(&f)
		if f[0] != w || f[mixer.FrameSamples-1] != w {
			t.Fatalf("loss %d: sample = %d, want %d", i+1, f[0], w)
		}
		if sound != (w != 0) {
			t.Fatalf("loss %d: sound = %v, want %v", i+1, sound, w != 0)
		}
	}

	c.Good(&good)
	if !c.Conceal(&f) || f != good {
		t.Fatalf("a good frame did not restart concealment from a plain repeat")
	}

	c.Reset()
	if c.Conceal(&f) {
		t.Fatalf("concealing after Reset repeated an old frame")
	}
}

func TestConcealerKeepsGoodFrameIntact(t *testing.T) {
	good := mixer.Frame{0: 1000}
	var c Concealer
	c.Good(&good)
	var f mixer.Frame
	c.Conceal(&f)
	c.Conceal(&f)
	if good[0] != 1000 {
		t.Fatalf("concealing changed the caller's frame")
	}
}
