package webrtc

import (
	"testing"

	"github.com/confgw/confgw/audio"
)

// The room's tick calls ReadFrame and WriteFrame for every app participant
// every 20 ms: they must cost no garbage.
func TestTheTicksCallsIntoASessionAllocateNothing(t *testing.T) {
	s := &Session{outReady: make(chan struct{}, 1)}
	var f audio.Frame
	s.in.push(&f)
	s.in.push(&f)
	allocs := testing.AllocsPerRun(1000, func() {
		s.in.push(&f)
		s.ReadFrame(&f)
		s.WriteFrame(&f)
	})
	if allocs != 0 {
		t.Errorf("%v allocations per tick, want 0", allocs)
	}
}
