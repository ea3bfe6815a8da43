package jitter

import "time"

// Stats are a buffer's counters since it was created.
type Stats struct {
	// Received counts every Push.
	Received uint64
	// Duplicates counts packets already held.
	Duplicates uint64
	// Late counts packets that arrived after their turn.
	Late uint64
	// Lost counts sequence numbers that were never played: missing at their
	// turn, or skipped over when the window moved.
	Lost uint64
	// Overflow counts held packets dropped to make room.
	Overflow uint64
	// Concealed counts Pop calls that returned Lost.
	Concealed uint64
	// Skipped counts held packets dropped to bring the delay back down to the
	// target after a jitter spike passed.
	Skipped uint64
	// Oversized counts payloads too big for a slot.
	Oversized uint64
	// Rebuffers counts how often playout starved and started buffering again.
	Rebuffers uint64
	// Resyncs counts sequence jumps so large that the stream was taken to be
	// a new one.
	Resyncs uint64
	// Depth is how many packets are held now.
	Depth int
	// Target is the current target delay.
	Target time.Duration
	// Jitter is the smoothed interarrival jitter (RFC 3550 section 6.4.1).
	// It starts from a value implied by the initial target, not from zero.
	Jitter time.Duration
}
