package audio

import (
	"fmt"
	"time"
)

// Rate is the sample rate of a frame's audio. A room mixes at the highest
// rate any of its participants speaks natively: phones alone keep a room
// narrowband, and so as cheap as G.711 allows; the first Opus participant
// makes it wideband.
type Rate uint8

// The rates rooms mix at.
const (
	// Narrowband is 8 kHz, G.711's rate. It is the zero value, so a frame
	// nobody set a rate on is narrowband.
	Narrowband Rate = iota
	// Wideband is 16 kHz, at which speech keeps what lies above the
	// telephone band's 3.4 kHz.
	Wideband
)

// Rates in samples per second.
const (
	NarrowbandHz = 8000
	WidebandHz   = 16000
)

// frameMillis is the frame length the whole audio path is cut to: the
// ptime phones are asked for and the period of every room's clock.
const frameMillis = 20

// FrameDuration is the length of one frame: a room mixes one frame per
// participant per FrameDuration.
const FrameDuration = frameMillis * time.Millisecond

// Samples in one frame at each rate; untyped, so that they count samples,
// bytes or timestamp units alike.
const (
	NarrowbandFrameSamples = NarrowbandHz * frameMillis / 1000
	WidebandFrameSamples   = WidebandHz * frameMillis / 1000
	// MaxFrameSamples is the most samples a frame holds, at the highest rate.
	MaxFrameSamples = WidebandFrameSamples
)

// Hz is r in samples per second.
func (r Rate) Hz() int {
	if r == Wideband {
		return WidebandHz
	}
	return NarrowbandHz
}

// FrameSamples is how many samples one frame holds at r.
func (r Rate) FrameSamples() int {
	if r == Wideband {
		return WidebandFrameSamples
	}
	return NarrowbandFrameSamples
}

// Samples returns how many samples at r last d, rounded down.
func (r Rate) Samples(d time.Duration) int {
	return int(int64(d) * int64(r.Hz()) / int64(time.Second))
}

// String names r as logs and metrics do.
func (r Rate) String() string {
	switch r {
	case Narrowband:
		return "narrowband"
	case Wideband:
		return "wideband"
	}
	return fmt.Sprintf("Rate(%d)", uint8(r))
}

// Frame is FrameDuration of signed 16-bit linear mono audio at Rate: the
// first Rate.FrameSamples() of PCM hold it. A room's mixer sets Rate before
// it hands a frame to be filled, so every endpoint knows what to deliver.
type Frame struct {
	Rate Rate
	PCM  [MaxFrameSamples]int16
}

// Samples is the frame's audio: PCM cut to the frame's rate.
func (f *Frame) Samples() []int16 { return f.PCM[:f.Rate.FrameSamples()] }

// Silence empties f at its rate.
func (f *Frame) Silence() { clear(f.Samples()) }
