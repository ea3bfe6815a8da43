package jitter

import (
	"time"

	"github.com/confgw/confgw/audio"
)

// Option configures a Buffer.
type Option func(*config)

type config struct {
	now        func() time.Time
	capacity   time.Duration
	maxPayload int
	frame      time.Duration
	block      time.Duration
	clockRate  int
	initial    time.Duration
	minTarget  time.Duration
	maxTarget  time.Duration

	// Derived by normalise.
	blocks   int // ring size in blocks, a power of two
	blockTS  int // timestamp units (and bytes) per block
	perFrame int // blocks per frame
}

func defaultConfig() config {
	return config{
		now: time.Now,
		// 640 ms: room above the 200 ms ceiling for bursts and the longest
		// packets, small enough that a leg costs 5 KiB.
		capacity: 640 * time.Millisecond,
		// 480 bytes is 60 ms of G.711, the longest ptime phones use.
		maxPayload: 480,
		frame:      audio.FrameDuration,
		// 10 ms divides every ptime that phones and trunks send.
		block:     10 * time.Millisecond,
		clockRate: int(audio.PCMU.ClockRate),
		// 60 ms matches what a mixer holds downstream; a floor of 40 ms keeps
		// tick-versus-arrival phase noise from starving a perfect network.
		initial:   60 * time.Millisecond,
		minTarget: 40 * time.Millisecond,
		maxTarget: 200 * time.Millisecond,
	}
}

// WithClock sets where arrival times come from; tests pass a fake clock so
// that no test depends on the scheduler.
func WithClock(now func() time.Time) Option {
	return func(c *config) { c.now = now }
}

// WithCapacity sets how much audio the buffer holds at most. It is rounded
// up to a power of two blocks so that slots stay distinct across timestamp
// wrap.
func WithCapacity(d time.Duration) Option {
	return func(c *config) { c.capacity = d }
}

// WithMaxPayload sets the largest payload Push takes, in bytes.
func WithMaxPayload(n int) Option {
	return func(c *config) { c.maxPayload = n }
}

// WithFrameDuration sets how much audio one Pop hands out.
func WithFrameDuration(d time.Duration) Option {
	return func(c *config) { c.frame = d }
}

// WithBlockDuration sets the unit payloads come in: every packet must carry
// a whole number of blocks. It must divide the frame duration into at most 8
// blocks; otherwise the block is the frame.
func WithBlockDuration(d time.Duration) Option {
	return func(c *config) { c.block = d }
}

// WithClockRate sets the RTP timestamp rate, which is also the sample rate:
// it places packets by timestamp and compares timestamps with arrival times.
func WithClockRate(hz int) Option {
	return func(c *config) { c.clockRate = hz }
}

// WithTargetDelay sets the delay the buffer starts with, before it has
// measured any jitter.
func WithTargetDelay(d time.Duration) Option {
	return func(c *config) { c.initial = d }
}

// WithDelayBounds clamps the adaptive target delay.
func WithDelayBounds(lo, hi time.Duration) Option {
	return func(c *config) { c.minTarget, c.maxTarget = lo, hi }
}

func (c *config) normalise() {
	if c.frame <= 0 {
		c.frame = audio.FrameDuration
	}
	if c.clockRate <= 0 {
		c.clockRate = int(audio.PCMU.ClockRate)
	}
	if c.block <= 0 || c.frame%c.block != 0 || c.frame/c.block > 8 {
		c.block = c.frame
	}
	c.blockTS = max(1, int(int64(c.clockRate)*int64(c.block)/int64(time.Second)))
	c.perFrame = int(c.frame / c.block)

	want := max(2*c.perFrame, int(c.capacity/c.block))
	n := 1
	for n < want {
		n <<= 1
	}
	// A window wider than a quarter of the timestamp space would make
	// "ahead" and "behind" ambiguous.
	for n > 2 && uint64(n)*uint64(c.blockTS) > 1<<30 {
		n >>= 1
	}
	c.blocks = n
	if c.maxPayload < c.blockTS {
		c.maxPayload = c.blockTS
	}
	// A packet must fit the window with room for the frame being played.
	c.maxPayload = min(c.maxPayload, (c.blocks-c.perFrame)*c.blockTS)
	if c.minTarget < c.frame {
		c.minTarget = c.frame
	}
	if c.maxTarget < c.minTarget {
		c.maxTarget = c.minTarget
	}
	if c.now == nil {
		c.now = time.Now
	}
}
