package jitter

import "time"

// Option configures a Buffer.
type Option func(*config)

type config struct {
	now        func() time.Time
	capacity   int
	maxPayload int
	frame      time.Duration
	clockRate  int
	initial    time.Duration
	minTarget  time.Duration
	maxTarget  time.Duration
}

func defaultConfig() config {
	return config{
		now: time.Now,
		// 32 slots hold 640 ms at 20 ms packets: room above the 200 ms
		// ceiling for bursts, small enough that a leg costs 16 KiB.
		capacity: 32,
		// 320 bytes is one decoded 20 ms frame; 512 leaves room for raw
		// G.711 at ptime up to 60 ms.
		maxPayload: 512,
		frame:      20 * time.Millisecond,
		clockRate:  8000,
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

// WithCapacity sets how many packets the buffer holds at most. It is rounded
// up to a power of two so that slots stay distinct across sequence wrap.
func WithCapacity(n int) Option {
	return func(c *config) { c.capacity = n }
}

// WithMaxPayload sets the largest payload a slot takes, in bytes.
func WithMaxPayload(n int) Option {
	return func(c *config) { c.maxPayload = n }
}

// WithFrameDuration sets how much audio one packet carries (the ptime).
func WithFrameDuration(d time.Duration) Option {
	return func(c *config) { c.frame = d }
}

// WithClockRate sets the RTP timestamp rate, needed to compare timestamps
// with arrival times.
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
	if c.capacity < 2 {
		c.capacity = 2
	}
	n := 1
	for n < c.capacity {
		n <<= 1
	}
	c.capacity = n
	if c.capacity > 1<<14 {
		// A window wider than half the sequence space would make "ahead" and
		// "behind" ambiguous.
		c.capacity = 1 << 14
	}
	if c.maxPayload < 1 {
		c.maxPayload = 1
	}
	if c.frame <= 0 {
		c.frame = 20 * time.Millisecond
	}
	if c.clockRate <= 0 {
		c.clockRate = 8000
	}
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
