package jitter

import "github.com/confgw/confgw/conference/mixer"

// fadeSteps is how many concealed frames follow the plain repeat before
// silence: each halves the level, so by the last one the repeat is 24 dB down
// and stopping does not click.
const fadeSteps = 4

// Concealer fills the ticks the buffer cannot: the first missing frame
// repeats the last good one, the next few fade it out, then it is silence.
// Repeating beats silence for one short gap; a long repeat would buzz.
type Concealer struct {
	last   mixer.Frame
	misses int
	have   bool
}

// Good records f as the latest frame that arrived, ending any concealment.
func (c *Concealer) Good(f *mixer.Frame) {
	c.last = *f
	c.have = true
	c.misses = 0
}

// Conceal fills f for a tick with no frame and reports whether f carries any
// sound, so that an endpoint can say it has nothing this tick.
func (c *Concealer) Conceal(f *mixer.Frame) bool {
	c.misses++
	if !c.have || c.misses > 1+fadeSteps {
		*f = mixer.Frame{}
		return false
	}
	if c.misses > 1 {
		for i := range c.last {
			c.last[i] /= 2
		}
	}
	*f = c.last
	return true
}

// Reset forgets the last frame, so a new talk spurt never repeats an old one.
func (c *Concealer) Reset() {
	*c = Concealer{}
}
