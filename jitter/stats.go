package jitter

import "time"

// Stats are a buffer's counters since it was created. Counts of packets are
// of Push calls; counts of audio are in frames, rounded up, because a packet
// may carry more or less than one frame (with packets of one frame the two
// coincide).
type Stats struct {
	// Received counts every Push.
	Received uint64
	// Duplicates counts packets whose audio was all held already.
	Duplicates uint64
	// Late counts packets that arrived wholly after their turn.
	Late uint64
	// Lost counts frames' worth of audio never played: missing at its turn,
	// or skipped over when the window moved.
	Lost uint64
	// Overflow counts frames' worth of held audio dropped to make room.
	Overflow uint64
	// Concealed counts Pop calls that returned Lost or Partial.
	Concealed uint64
	// Skipped counts held frames dropped to bring the delay back down to the
	// target after a jitter spike passed.
	Skipped uint64
	// BadSize counts payloads that are not a whole number of blocks or are
	// too long.
	BadSize uint64
	// Rebuffers counts how often playout starved and started buffering again.
	Rebuffers uint64
	// Resyncs counts timestamp jumps so large that the stream was taken to
	// be a new one.
	Resyncs uint64
	// Depth is how many frames' worth of audio is held now.
	Depth int
	// Target is the current target delay.
	Target time.Duration
	// Jitter is the smoothed interarrival jitter (RFC 3550 section 6.4.1).
	// It starts from a value implied by the initial target, not from zero.
	Jitter time.Duration
}
