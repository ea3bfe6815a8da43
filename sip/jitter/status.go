package jitter

// Result says what Push did with a packet.
type Result uint8

const (
	// Accepted means the packet was stored for playout.
	Accepted Result = iota
	// Duplicate means a packet with that sequence number is already held.
	Duplicate
	// TooLate means the packet's turn has already been played or concealed.
	TooLate
	// Overflowed means the packet was stored but older packets were dropped
	// to make room for it.
	Overflowed
	// Oversized means the payload does not fit a slot; it was not stored.
	Oversized
)

var resultNames = [...]string{"accepted", "duplicate", "too late", "overflowed", "oversized"}

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
	// Ready means dst holds the next payload in sequence order.
	Ready
	// Lost means this tick's packet is missing while later ones are held; the
	// caller conceals.
	Lost
)

var statusNames = [...]string{"empty", "buffering", "ready", "lost"}

func (s Status) String() string {
	if int(s) < len(statusNames) {
		return statusNames[s]
	}
	return "unknown"
}
