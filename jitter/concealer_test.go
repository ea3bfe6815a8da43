package jitter

import (
	"testing"

	"github.com/confgw/confgw/audio"
)

func TestConcealer(t *testing.T) {
	var good audio.Frame
	for i := range good.Samples() {
		good.PCM[i] = 1600
	}
	var c Concealer
	var f audio.Frame

	if c.Conceal(&f) || f != (audio.Frame{}) {
		t.Fatalf("concealing before any good frame gave sound")
	}

	c.Good(&good)
	// Repeat, then halve on each further loss, then silence.
	want := []int16{1600, 800, 400, 200, 100, 0, 0}
	for i, w := range want {
		f = audio.Frame{PCM: [audio.MaxFrameSamples]int16{1: 7}}
		sound := c.Conceal(&f)
		if f.PCM[0] != w || f.PCM[audio.NarrowbandFrameSamples-1] != w {
			t.Fatalf("loss %d: sample = %d, want %d", i+1, f.PCM[0], w)
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
	good := audio.Frame{PCM: [audio.MaxFrameSamples]int16{0: 1000}}
	var c Concealer
	c.Good(&good)
	var f audio.Frame
	c.Conceal(&f)
	c.Conceal(&f)
	if good.PCM[0] != 1000 {
		t.Fatalf("concealing changed the caller's frame")
	}
}

func TestConcealerPatch(t *testing.T) {
	const half = audio.NarrowbandFrameSamples / 2
	halves := func(a, b int16) audio.Frame {
		var f audio.Frame
		for i := range f.Samples() {
			f.PCM[i] = a
			if i >= half {
				f.PCM[i] = b
			}
		}
		return f
	}
	tests := []struct {
		name    string
		prev    *audio.Frame // last good frame, if any
		missing uint8
		want    audio.Frame
	}{
		{"second half repeats the first", nil, 0b10, halves(100, 100)},
		{"first half repeats the end of the last frame", &audio.Frame{PCM: [audio.MaxFrameSamples]int16{audio.NarrowbandFrameSamples - 1: 0}}, 0b01, halves(0, 200)},
		{"first half from a level last frame", ptr(halves(7, 9)), 0b01, halves(9, 200)},
		{"first half with nothing before is silence", nil, 0b01, halves(0, 200)},
		{"nothing missing", ptr(halves(7, 9)), 0, halves(100, 200)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c Concealer
			if tt.prev != nil {
				c.Good(tt.prev)
			}
			f := halves(100, 200)
			c.Patch(&f, tt.missing, half)
			if f != tt.want {
				t.Fatalf("patched frame starts %d, %d; want %d, %d", f.PCM[0], f.PCM[half], tt.want.PCM[0], tt.want.PCM[half])
			}
			// The patched frame is what a following loss repeats.
			var next audio.Frame
			if !c.Conceal(&next) || next != tt.want {
				t.Fatalf("loss after a patch did not repeat the patched frame")
			}
		})
	}
}

func ptr(f audio.Frame) *audio.Frame { return &f }
