package jitter

import "github.com/confgw/confgw/audio"

// fadeSteps is how many concealed frames follow the plain repeat before
// silence: each halves the level, so by the last one the repeat is 24 dB down
// and stopping does not click.
const fadeSteps = 4

// Concealer fills the ticks the buffer cannot: the first missing frame
// repeats the last good one, the next few fade it out, then it is silence.
// Repeating beats silence for one short gap; a long repeat would buzz.
type Concealer struct {
	last   audio.Frame
	misses int
	have   bool
}

// Good records f as the latest frame that arrived, ending any concealment.
func (c *Concealer) Good(f *audio.Frame) {
	c.last = *f
	c.have = true
	c.misses = 0
}

// Conceal fills f for a tick with no frame and reports whether f carries any
// sound, so that an endpoint can say it has nothing this tick.
func (c *Concealer) Conceal(f *audio.Frame) bool {
	c.misses++
	if !c.have || c.misses > 1+fadeSteps {
		f.Silence()
		return false
	}
	if c.misses > 1 {
		last := c.last.Samples()
		for i := range last {
			last[i] /= 2
		}
	}
	*f = c.last
	return true
}

// Patch fills the blocks of f that missing marks (bit k for samples
// k*blockSamples up to the next block) with the 10 ms or so of audio just
// before each, from f itself or from the last frame, then records f as good.
// It serves a frame that arrived in part, as when a lost 30 ms packet took
// half of it: a short repeat bridges the hole, and the audio that did arrive
// plays in its place. Before any good frame the hole is silence.
func (c *Concealer) Patch(f *audio.Frame, missing uint8, blockSamples int) {
	pcm := f.Samples()
	if blockSamples <= 0 {
		blockSamples = len(pcm)
	}
	last := c.last.Samples()
	for k := 0; k*blockSamples < len(pcm) && k < 8; k++ {
		if missing&(1<<k) == 0 {
			continue
		}
		lo := k * blockSamples
		hi := min(lo+blockSamples, len(pcm))
		dst := pcm[lo:hi]
		switch {
		case lo >= blockSamples:
			copy(dst, pcm[lo-blockSamples:])
		case c.have && len(last) >= len(dst):
			copy(dst, last[len(last)-len(dst):])
		default:
			clear(dst)
		}
	}
	c.Good(f)
}

// Reset forgets the last frame, so a new talk spurt never repeats an old one.
func (c *Concealer) Reset() {
	*c = Concealer{}
}
