package mixer

import (
	"sync"

	"github.com/confgw/confgw/audio"
)

// slot is one attached endpoint with the buffer its frames are read into,
// allocated once at Attach so that ticks allocate nothing.
type slot struct {
	id      string
	ep      Endpoint
	in      audio.Frame
	talking bool
	wide    bool // the endpoint's native rate is wideband

	// mu is held across each call into ep, and attached says whether the
	// slot is still a member: Detach clears it under mu, so it waits for
	// the call in flight on this endpoint and no other, and a tick that
	// copied the slot before it left skips it from then on.
	mu       sync.Mutex
	attached bool
}

// read calls ReadFrame if the slot is still attached; a slot that left
// says nothing.
func (s *slot) read() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.attached && s.ep.ReadFrame(&s.in)
}

// write calls WriteFrame if the slot is still attached.
func (s *slot) write(f *audio.Frame) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.attached {
		s.ep.WriteFrame(f)
	}
}

// leave marks the slot gone once no call into its endpoint is in flight.
func (s *slot) leave() {
	s.mu.Lock()
	s.attached = false
	s.mu.Unlock()
}
