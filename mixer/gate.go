package mixer

import (
	"time"

	"github.com/confgw/confgw/audio"
)

// gate decides which endpoints a tick hears. An endpoint whose frame is
// quieter than the threshold, and has been for the hangover, adds nothing
// to the mix: it then hears the room's full mix, the one frame every such
// listener shares, so an encoder can serve them all at once. Without it
// every app participant counts as a talker (browsers send frames of room
// noise the whole time) and each needs an encode of its own. It also keeps
// the noise floors of a room full of open microphones out of the mix.
type gate struct {
	// power is the threshold as a frame's sum of squared samples per
	// sample; 0 opens the gate for every frame read.
	power int64
	// hang is how many ticks a talker stays one after its last loud
	// frame, so the pauses between words do not chop a sentence.
	hang int32
}

// newGate returns a gate at dBov (the level of a full-scale square wave is
// 0 dBov, of a full-scale sine -3) that holds for hangover.
func newGate(dBov float64, hangover time.Duration) gate {
	return gate{
		power: powerAt(dBov),
		hang:  int32(hangover / audio.FrameDuration),
	}
}

// power is a frame's mean squared sample.
func power(pcm []int16) int64 {
	var sum int64
	for _, v := range pcm {
		sum += int64(v) * int64(v)
	}
	return sum / int64(len(pcm))
}

// open reports whether s, which said something this tick at s.power, is
// heard.
func (g gate) open(s *slot) bool {
	if s.power >= g.power {
		s.hang = g.hang
		return true
	}
	if s.hang > 0 {
		s.hang--
		return true
	}
	return false
}
