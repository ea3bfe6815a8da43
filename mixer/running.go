package mixer

import (
	"context"
	"sync"
)

// Running is a mixer with its own clock, as a room uses it: one timing
// source per room, stopped with the room. The clock runs only while the
// room has someone to mix for or a recording to feed, so a conference's
// empty breakout rooms cost nothing between ticks.
type Running struct {
	m *Mixer

	mu     sync.Mutex
	tapped bool
	closed bool
	stop   context.CancelFunc
	done   chan struct{}
}

// Start returns a mixer whose clock starts with its first endpoint or tap.
func Start(opts ...Option) *Running {
	r := &Running{m: New(opts...)}
	r.tapped = r.m.tap != nil
	r.mu.Lock()
	r.adjustLocked()
	r.mu.Unlock()
	return r
}

// Attach adds an endpoint and starts the clock if it was idle.
func (r *Running) Attach(id string, ep Endpoint) error {
	if err := r.m.Attach(id, ep); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.adjustLocked()
	return nil
}

// Detach removes an endpoint and stops the clock when nothing is left.
func (r *Running) Detach(id string) {
	r.m.Detach(id)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.adjustLocked()
}

// SetMuted says whether the room hears the endpoint under id; see
// Mixer.SetMuted.
func (r *Running) SetMuted(id string, muted bool) { r.m.SetMuted(id, muted) }

// OnSpeaking has report told who starts and stops speaking; see
// Mixer.OnSpeaking.
func (r *Running) OnSpeaking(report func(Speaking) bool) { r.m.OnSpeaking(report) }

// SetTap sets the recording tap; a tapped room keeps time even when empty,
// so a recording's length is the meeting's.
func (r *Running) SetTap(t Tap) {
	r.m.SetTap(t)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.tapped = t != nil
	r.adjustLocked()
}

// Close stops the clock and waits for the last tick to finish, so nothing
// is written to an endpoint after Close returns.
func (r *Running) Close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	r.adjustLocked()
}

// Len returns the number of attached endpoints.
func (r *Running) Len() int { return r.m.Len() }

// Ticking reports whether the clock runs.
func (r *Running) Ticking() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stop != nil
}

// adjustLocked starts or stops the clock to match what the room needs.
// Stopping waits for the tick in flight, which never calls back here.
func (r *Running) adjustLocked() {
	want := !r.closed && (r.tapped || r.m.Len() > 0)
	switch {
	case want && r.stop == nil:
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		r.stop, r.done = cancel, done
		go func() {
			defer close(done)
			r.m.Run(ctx)
		}()
	case !want && r.stop != nil:
		r.stop()
		<-r.done
		r.stop, r.done = nil, nil
	}
}
