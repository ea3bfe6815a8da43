package jitter

// Result says what Push did with a packet.
type Result uint8

const (
	// Accepted means the packet was stored for playout.
	Accepted Result = iota
	// Duplicate means all of the packet's audio is already held.
	Duplicate
	// TooLate means the packet's turn has already been played or concealed.
	// A packet only partly past its turn is stored for the rest.
	TooLate
	// Overflowed means the packet was stored but older packets were dropped
	// to make room for it.
	Overflowed
	// BadSize means the payload is empty, not a whole number of blocks or
	// longer than the buffer takes; it was not stored.
	BadSize
)

var resultNames = [...]string{"accepted", "duplicate", "too late", "overflowed", "bad size"}

func (r Result) String() string {
	if int(r) < len(resultNames) {
		return resultNames[r]
	}
	return "unknown"
}

// Status says what Pop produced for this tick.
type Status uint8

const (
	// Empty means the buffer holds nothing. Right after Ready frames it means
	// the stream starved: the buffer rebuffers before playing again.
	Empty Status = iota
	// Buffering means packets are held but not yet enough to cover the target
	// delay.
	Buffering
	// Ready means dst holds the next frame in timestamp order.
	Ready
	// Lost means this tick's audio is missing while later audio is held; the
	// caller conceals.
	Lost
	// Partial means dst holds the next frame but some of its blocks never
	// arrived, as when a lost packet covered only part of the frame; the
	// caller conceals those.
	Partial
)

var statusNames = [...]string{"empty", "buffering", "ready", "lost", "partial"}

func (s Status) String() string {
	if int(s) < len(statusNames) {
		return statusNames[s]
	}
	return "unknown"
}
