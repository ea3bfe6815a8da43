package mixer

import "context"

// Running is a mixer with its own clock, as a room uses it: one timing
// source per room, stopped with the room.
type Running struct {
	*Mixer
	stop context.CancelFunc
	done chan struct{}
}

// Start runs a new mixer until Close.
func Start(opts ...Option) *Running {
	ctx, cancel := context.WithCancel(context.Background())
	r := &Running{Mixer: New(opts...), stop: cancel, done: make(chan struct{})}
	go func() {
		defer close(r.done)
		r.Run(ctx)
	}()
	return r
}

// Close stops the clock and waits for the last tick to finish, so nothing
// is written to an endpoint after Close returns.
func (r *Running) Close() {
	r.stop()
	<-r.done
}
