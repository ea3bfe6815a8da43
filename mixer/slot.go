package mixer

import (
	"runtime"
	"sync/atomic"
	"time"

	"github.com/confgw/confgw/audio"
)

// slot is one attached endpoint with the buffer its frames are read into,
// allocated once at Attach so that ticks allocate nothing.
type slot struct {
	id      string
	ep      Endpoint
	in      audio.Frame
	talking bool
	wide    bool           // the endpoint's native rate is wideband
	shared  SharedListener // ep, if it can take the shared mix as such
	power   int64          // the last frame's mean squared sample
	hang    int32          // ticks the gate stays open without a loud frame
	muted   atomic.Bool    // the room does not hear it

	// The speaking indicator's state: loud and quiet ticks in a row, what
	// it is, what report was last told, and at which tick (0: none yet).
	loud, quiet        int16
	speaking, reported bool
	reportedAt         uint64

	// state says whether a call into ep is in flight and whether the slot
	// has left. A tick calls ep only if it can claim the slot from idle;
	// leave waits for a call in flight on this endpoint and no other, and
	// a tick that copied the slot before it left skips it from then on.
	// An atomic rather than a mutex: the tick claims every slot twice per
	// tick, and that is the whole cost a member adds to a quiet room.
	state atomic.Int32
}

const (
	slotIdle int32 = iota
	slotBusy
	slotGone
)

// read calls ReadFrame if the slot is still attached; a slot that left
// says nothing.
func (s *slot) read() bool {
	if !s.state.CompareAndSwap(slotIdle, slotBusy) {
		return false
	}
	ok := s.ep.ReadFrame(&s.in)
	s.state.Store(slotIdle)
	return ok
}

// write calls WriteFrame if the slot is still attached.
func (s *slot) write(f *audio.Frame) {
	if !s.state.CompareAndSwap(slotIdle, slotBusy) {
		return
	}
	s.ep.WriteFrame(f)
	s.state.Store(slotIdle)
}

// writeShared hands the room's full mix to a SharedListener.
func (s *slot) writeShared(f *audio.Frame, id MixID) {
	if !s.state.CompareAndSwap(slotIdle, slotBusy) {
		return
	}
	s.shared.WriteSharedFrame(f, id)
	s.state.Store(slotIdle)
}

// leave marks the slot gone once no call into its endpoint is in flight.
// A call is a few microseconds, so the wait starts by yielding; one stuck
// in a slow endpoint is waited for without spinning a core.
func (s *slot) leave() {
	for i := 0; ; i++ {
		if s.state.CompareAndSwap(slotIdle, slotGone) || s.state.Load() == slotGone {
			return
		}
		if i < 100 {
			runtime.Gosched()
		} else {
			time.Sleep(100 * time.Microsecond)
		}
	}
}
