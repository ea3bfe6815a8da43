package rtcp

import "testing"

func TestSequenceCountsTenPercentLossAcrossAWrap(t *testing.T) {
	var s Sequence
	seq := uint16(65000)
	got := 0
	for i := range 1000 {
		if i%10 != 5 {
			s.Update(seq)
			got++
		}
		seq++
	}
	// Probation takes the first packet: counting starts at the second.
	if s.Received() != uint64(got-1) {
		t.Fatalf("received %d, want %d", s.Received(), got-1)
	}
	if s.Expected() != 999 {
		t.Fatalf("expected %d, want 999", s.Expected())
	}
	if s.Lost() != 100 {
		t.Fatalf("lost %d, want 100", s.Lost())
	}
	if s.ExtendedMax() != 1<<16+uint32(seq-1) {
		t.Fatalf("extended max %#x", s.ExtendedMax())
	}
	if f := s.Interval(); f < 25 || f > 26 {
		t.Fatalf("fraction lost %d/256, want about 10%%", f)
	}
	if f := s.Interval(); f != 0 {
		t.Fatalf("an interval without packets reports %d lost", f)
	}
}

func TestSequenceDuplicatesDoNotMoveTheMaximum(t *testing.T) {
	var s Sequence
	for _, q := range []uint16{10, 11, 12, 11, 13} {
		s.Update(q)
	}
	if s.ExtendedMax() != 13 || s.Lost() != -1 {
		t.Fatalf("max %d lost %d, want 13 and -1", s.ExtendedMax(), s.Lost())
	}
}

func TestSequenceBelievesAJumpOnlyWhenTheNextPacketFollows(t *testing.T) {
	var s Sequence
	for q := uint16(1); q <= 10; q++ {
		s.Update(q)
	}
	if s.Update(40000) {
		t.Fatal("a lone jump was counted")
	}
	if !s.Update(40001) {
		t.Fatal("the stream after a jump was not taken")
	}
	if s.Expected() != 1 || s.Lost() != 0 {
		t.Fatalf("after a restart expected %d lost %d", s.Expected(), s.Lost())
	}
}

func TestSequenceResetCountsTheNewStreamsFirstPacket(t *testing.T) {
	var s Sequence
	s.Reset(0)
	s.Update(1)
	s.Update(3)
	if s.Received() != 3 || s.Expected() != 4 || s.Lost() != 1 {
		t.Fatalf("received %d expected %d lost %d", s.Received(), s.Expected(), s.Lost())
	}
}
