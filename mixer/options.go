package mixer

import "time"

// WithGate has the mixer hear an endpoint only while its frames are at
// least dBov loud or were within the last hangover; see gate. Without it,
// every frame an endpoint reads is mixed.
func WithGate(dBov float64, hangover time.Duration) Option {
	return func(m *Mixer) { m.gate = newGate(dBov, hangover) }
}

// Option configures a Mixer at construction.
type Option func(*Mixer)

// WithTickObserver has observe called after every tick with the time the
// tick took, so a metrics histogram can show how close a room runs to its
// 20 ms budget. observe runs on the tick goroutine and must be quick.
func WithTickObserver(observe func(time.Duration)) Option {
	return func(m *Mixer) { m.observe = observe }
}

// WithTap sets the tap from the first tick; see SetTap.
func WithTap(t Tap) Option {
	return func(m *Mixer) { m.tap = t }
}

// WithLateness has observe called whenever a tick of Run starts after its
// due time, with how late it is: the first of a catch-up run reports the
// delay the stall caused. It is how the gateway learns the CPU cannot keep
// up; (*Lateness).Observe aggregates every room's ticks. observe runs on
// the tick goroutine and must be quick and allocation-free.
func WithLateness(observe func(time.Duration)) Option {
	return func(m *Mixer) { m.late = observe }
}
