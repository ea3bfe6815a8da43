package webrtc

import (
	"testing"

	"github.com/confgw/confgw/audio"
)

// The room's tick calls ReadFrame and WriteFrame for every app participant
// every 20 ms: they must cost no garbage.
func TestTheTicksCallsIntoASessionAllocateNothing(t *testing.T) {
	s := &Session{srv: &Server{}, outReady: make(chan struct{}, 1)}
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

// A session whose sender does not keep up with the room loses the oldest
// frames, and says so.
func TestASenderBehindTheRoomCountsTheFramesItLoses(t *testing.T) {
	srv := &Server{}
	s := &Session{srv: srv, outReady: make(chan struct{}, 1)}
	var f audio.Frame
	for range outFrames + 3 {
		s.WriteFrame(&f) // nothing sends: no send goroutine runs
	}
	for range maxDepth + 2 {
		s.pushIn(&f) // nothing plays: no tick reads
	}
	st := s.Stats()
	if st.DroppedOut != 3 || srv.totals.droppedOut.Load() != 3 || st.Dropped != 2 || srv.totals.droppedIn.Load() != 2 {
		t.Fatalf("stats %+v, server totals in %d out %d; want 2 in and 3 out", st, srv.totals.droppedIn.Load(), srv.totals.droppedOut.Load())
	}
}

// A sender that falls behind the room loses the oldest frames; the next
// frame it takes says how many, so its timestamp can jump over them.
func TestTheSenderLearnsHowManyFramesWereDroppedBeforeTheOneItTakes(t *testing.T) {
	s := &Session{srv: &Server{}, outReady: make(chan struct{}, 1)}
	var f audio.Frame
	for range outFrames + 2 {
		s.WriteFrame(&f)
	}
	var o outFrame
	if skipped, ok := s.nextOut(&o); !ok || skipped != 2 {
		t.Fatalf("first frame taken: skipped %d ok %v, want 2 true", skipped, ok)
	}
	if skipped, ok := s.nextOut(&o); !ok || skipped != 0 {
		t.Fatalf("second frame taken: skipped %d ok %v, want 0 true", skipped, ok)
	}
}
