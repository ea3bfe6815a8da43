// Package jitter reorders one inbound RTP stream and hands it out one packet
// per tick, hiding network jitter behind a small delay that follows the
// measured jitter.
package jitter

import (
	"math"
	"sync"
	"time"
)

// jitterFactor turns the mean deviation that RFC 3550 measures into a delay
// that covers nearly all late arrivals (about three standard deviations).
const jitterFactor = 4

// Buffer is a fixed-capacity jitter buffer for one RTP stream. Push and Pop
// may be called from different goroutines.
type Buffer struct {
	mu sync.Mutex

	now        func() time.Time
	frame      time.Duration
	clockRate  float64
	minTarget  time.Duration
	maxTarget  time.Duration
	target     time.Duration
	mask       uint16
	resyncGap  int
	slotSize   int
	slots      []slot
	data       []byte
	stats      Stats
	jitter     float64 // timestamp units
	lastArrive time.Time
	lastTS     uint32
	haveLast   bool

	started bool   // next is meaningful
	playing bool   // handing out packets rather than filling up
	played  bool   // something before next was handed out: older packets are late
	next    uint16 // sequence number the next Pop plays
	high    uint16 // highest sequence number held, when count > 0
	count   int
	waits   int // consecutive ticks spent waiting for the packet at next

	// The least queued over the current shed window, and how many frames to
	// drop to come back down to the target.
	lowSpan  int
	lowTicks int
	shed     int
}

type slot struct {
	seq  uint16
	held bool
	n    int
}

// New returns an empty buffer.
func New(opts ...Option) *Buffer {
	c := defaultConfig()
	for _, o := range opts {
		o(&c)
	}
	c.normalise()
	b := &Buffer{
		now:       c.now,
		frame:     c.frame,
		clockRate: float64(c.clockRate),
		minTarget: c.minTarget,
		maxTarget: c.maxTarget,
		mask:      uint16(c.capacity - 1),
		// Twice the window: further than any reordering could explain, so
		// the sender must have restarted its sequence.
		resyncGap: 2 * c.capacity,
		slotSize:  c.maxPayload,
		slots:     make([]slot, c.capacity),
		data:      make([]byte, c.capacity*c.maxPayload),
	}
	// Seeding the estimate from the initial target lets the buffer start at
	// that delay and move away from it only as evidence comes in.
	b.jitter = c.initial.Seconds() * b.clockRate / jitterFactor
	b.retarget()
	return b
}

// Push stores a copy of payload under its sequence number. arrival order
// need not match sequence order. The RTP timestamp feeds the jitter estimate.
func (b *Buffer) Push(seq uint16, ts uint32, payload []byte) Result {
	b.mu.Lock()
	defer b.mu.Unlock()

	now := b.now()
	b.stats.Received++
	if len(payload) > b.slotSize {
		b.stats.Oversized++
		return Oversized
	}
	r := b.place(seq, payload)
	if r != Duplicate {
		// A duplicate says nothing about the path's jitter, but a late packet
		// is exactly the evidence the target needs.
		b.measure(now, ts)
	}
	return r
}

func (b *Buffer) place(seq uint16, payload []byte) Result {
	if !b.started {
		b.restart(seq)
	}
	window := len(b.slots)
	d := int(int16(seq - b.next))
	if d < 0 && !b.played && (b.count == 0 || int(b.high-seq) < window) {
		// Before anything has played, an earlier packet just moves the start.
		b.next = seq
		d = 0
	}
	result := Accepted
	switch {
	case d <= -b.resyncGap || d >= b.resyncGap:
		if d > 0 {
			b.stats.Lost += uint64(d - b.count)
		}
		if b.count > 0 {
			result = Overflowed
		}
		b.stats.Overflow += uint64(b.count)
		b.stats.Resyncs++
		b.clear()
		b.restart(seq)
		b.haveLast = false
	case d < 0:
		b.stats.Late++
		return TooLate
	case d >= window:
		for range d - window + 1 {
			b.drop(&b.stats.Overflow)
		}
		b.played = true
		result = Overflowed
	}

	i := int(seq & b.mask)
	s := &b.slots[i]
	if s.held {
		b.stats.Duplicates++
		return Duplicate
	}
	s.seq, s.held = seq, true
	s.n = copy(b.data[i*b.slotSize:(i+1)*b.slotSize], payload)
	if b.count == 0 || int16(seq-b.high) > 0 {
		b.high = seq
	}
	b.count++
	return result
}

// Pop copies the next payload in sequence order into dst and reports
// what this tick holds. Call it once per frame duration.
func (b *Buffer) Pop(dst []byte) (n int, status Status) {
	b.mu.Lock()
	defer b.mu.Unlock()

	if !b.playing {
		if b.count == 0 {
			return 0, Empty
		}
		if time.Duration(b.span())*b.frame < b.target {
			return 0, Buffering
		}
		b.playing = true
		b.lowTicks, b.shed = 0, 0
		// After a starve the first held packet may lie beyond next: the gap
		// was already bridged by the ticks spent rebuffering.
		for !b.slots[b.next&b.mask].held {
			b.stats.Lost++
			b.next++
		}
	}
	if b.count == 0 {
		b.playing = false
		b.stats.Rebuffers++
		return 0, Empty
	}
	b.shedExcess()

	i := int(b.next & b.mask)
	s := &b.slots[i]
	if !s.held {
		b.stats.Concealed++
		if b.span() < b.targetFrames() && b.waits < b.targetFrames() {
			// Less is queued than the target asks for: wait a tick for the
			// missing packet instead of giving up on it. This is how the
			// delay grows when the target goes up. The cap stops a stream
			// that went quiet from holding its last packets forever.
			b.waits++
			return 0, Lost
		}
		b.waits = 0
		b.stats.Lost++
		b.next++
		b.played = true
		return 0, Lost
	}
	b.next++
	b.played = true
	b.waits = 0
	n = copy(dst, b.data[i*b.slotSize:i*b.slotSize+s.n])
	s.held = false
	b.count--
	return n, Ready
}

// Stats returns a snapshot of the counters.
func (b *Buffer) Stats() Stats {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.stats
	s.Depth = b.count
	s.Target = b.target
	s.Jitter = time.Duration(b.jitter / b.clockRate * float64(time.Second))
	return s
}

// shedWindow is how many ticks the queue must stay above the target before
// frames are dropped: a second, long enough that a burst is not mistaken
// for standing delay.
const shedWindow = 50

// shedExcess drops a frame when the queue has stayed above the target for a
// whole window, as it does once the target comes down after a jitter spike.
// Watching the minimum rather than the current depth leaves bursts alone.
func (b *Buffer) shedExcess() {
	span, tf := b.span(), b.targetFrames()
	if b.lowTicks == 0 || span < b.lowSpan {
		b.lowSpan = span
	}
	b.lowTicks++
	if b.lowTicks == shedWindow {
		if b.lowSpan > tf+1 {
			b.shed = b.lowSpan - tf
		}
		b.lowTicks = 0
	}
	if b.shed > 0 && span > tf {
		b.shed--
		b.drop(&b.stats.Skipped)
	}
}

// drop discards the packet at next, counting it in counter if held and as
// lost otherwise, and moves next on.
func (b *Buffer) drop(counter *uint64) {
	s := &b.slots[b.next&b.mask]
	if s.held {
		s.held = false
		b.count--
		*counter++
	} else {
		b.stats.Lost++
	}
	b.next++
}

func (b *Buffer) restart(seq uint16) {
	b.started = true
	b.playing = false
	b.played = false
	b.next = seq
}

func (b *Buffer) clear() {
	for i := range b.slots {
		b.slots[i].held = false
	}
	b.count = 0
}

// span is how many sequence numbers lie between next and the newest held
// packet, counting both: the audio that is queued, gaps included.
func (b *Buffer) span() int {
	if b.count == 0 {
		return 0
	}
	return int(b.high-b.next) + 1
}

func (b *Buffer) targetFrames() int {
	return int((b.target + b.frame - 1) / b.frame)
}

// measure updates the interarrival jitter of RFC 3550 section 6.4.1 with one
// arrival. Differences are taken pairwise so timestamp wrap does not matter.
func (b *Buffer) measure(now time.Time, ts uint32) {
	if b.haveLast {
		arrival := now.Sub(b.lastArrive).Seconds() * b.clockRate
		sent := float64(int32(ts - b.lastTS))
		b.jitter += (math.Abs(arrival-sent) - b.jitter) / 16
		b.retarget()
	}
	b.lastArrive, b.lastTS, b.haveLast = now, ts, true
}

func (b *Buffer) retarget() {
	want := time.Duration(jitterFactor * b.jitter / b.clockRate * float64(time.Second))
	// Whole frames: a partial frame of delay buys nothing when playout moves
	// in frame steps.
	want = (want + b.frame - 1) / b.frame * b.frame
	b.target = min(max(want, b.minTarget), b.maxTarget)
}
