// Package jitter reorders one inbound RTP stream by timestamp and hands it
// out one frame per tick, hiding network jitter behind a small delay that
// follows the measured jitter.
//
// Packets need not carry one frame each: the buffer stores audio in blocks
// (10 ms by default) placed by RTP timestamp, so a phone may send any whole
// number of blocks per packet, and mix sizes, while the consumer still takes
// exactly one frame (20 ms by default) per tick. Payloads carry one byte per
// sample, as G.711 does.
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
	mask       uint32
	window     int // blocks the ring holds
	resyncGap  int // blocks
	blockTS    int // timestamp units per block
	blockBytes int
	perFrame   int // blocks per frame
	maxBlocks  int // blocks per packet at most
	held       []bool
	data       []byte
	stats      Stats
	jitter     float64 // timestamp units
	lastArrive time.Time
	lastTS     uint32
	haveLast   bool

	// Counted in blocks and reported in frames, so that a lost 30 ms packet
	// counts as the frame and a half it is.
	lostBlocks, overflowBlocks, skippedBlocks uint64

	started bool   // next and nextTS are meaningful
	playing bool   // handing out frames rather than filling up
	played  bool   // something before next was handed out: older audio is late
	next    uint32 // block number the next Pop starts at
	nextTS  uint32 // RTP timestamp of that block
	high    uint32 // newest block held, when count > 0
	count   int    // blocks held
	waits   int    // consecutive ticks spent waiting for the frame at next

	// The largest packet of the stream so far, in blocks, and how many ticks
	// have passed since audio beyond the newest held arrived: together they
	// let playout start one packet interval early rather than a whole packet
	// late (see ready).
	pktBlocks int
	sinceNew  int

	// The least queued over the current shed window, and how many frames to
	// drop to come back down to the target.
	lowSpan  int
	lowTicks int
	shed     int
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
		mask:      uint32(c.blocks - 1),
		window:    c.blocks,
		// Twice the window: further than any reordering could explain, so
		// the sender must have restarted its stream.
		resyncGap:  2 * c.blocks,
		blockTS:    c.blockTS,
		blockBytes: c.blockTS, // one byte per sample
		perFrame:   c.perFrame,
		maxBlocks:  c.maxPayload / c.blockTS,
		held:       make([]bool, c.blocks),
		data:       make([]byte, c.blocks*c.blockTS),
	}
	// Seeding the estimate from the initial target lets the buffer start at
	// that delay and move away from it only as evidence comes in.
	b.jitter = c.initial.Seconds() * b.clockRate / jitterFactor
	b.retarget()
	return b
}

// FrameBytes is the size of the payload one Pop hands out.
func (b *Buffer) FrameBytes() int { return b.perFrame * b.blockBytes }

// Push stores a copy of payload, which must be a whole number of blocks,
// at the place its RTP timestamp gives it. Arrival order need not match
// timestamp order, and packets may differ in size. The timestamp also feeds
// the jitter estimate.
func (b *Buffer) Push(ts uint32, payload []byte) Result {
	return b.PushAt(time.Time{}, ts, payload)
}

// PushAt is Push for a packet that arrived at the given time, as the kernel
// stamped it, when it is read some time later; the zero time means now.
func (b *Buffer) PushAt(arrived time.Time, ts uint32, payload []byte) Result {
	b.mu.Lock()
	defer b.mu.Unlock()

	now := arrived
	if now.IsZero() {
		now = b.now()
	}
	b.stats.Received++
	n := len(payload) / b.blockBytes
	if n == 0 || n > b.maxBlocks || len(payload)%b.blockBytes != 0 {
		b.stats.BadSize++
		return BadSize
	}
	r := b.place(ts, payload, n)
	if r != Duplicate {
		// A duplicate says nothing about the path's jitter, but a late packet
		// is exactly the evidence the target needs.
		b.measure(now, ts)
	}
	return r
}

func (b *Buffer) place(ts uint32, payload []byte, n int) Result {
	if !b.started {
		b.restart(ts)
	}
	d := b.offset(ts)
	if d < 0 && !b.played && (b.count == 0 || int(b.high-b.next)-d < b.window) {
		// Before anything has played, an earlier packet just moves the start.
		b.move(d)
		d = 0
	}
	result := Accepted
	end := d + n // one past the packet's last block, relative to next
	switch {
	case d <= -b.resyncGap || d >= b.resyncGap:
		// A new stream, or a pause far longer than any buffer: what it
		// skipped is time, not packets, so nothing counts as lost.
		if b.count > 0 {
			result = Overflowed
		}
		b.overflowBlocks += uint64(b.count)
		b.stats.Resyncs++
		b.clear()
		b.restart(ts)
		b.haveLast = false
		d, end = 0, n
	case end <= 0:
		b.stats.Late++
		return TooLate
	case end > b.window:
		for range end - b.window {
			b.drop(&b.overflowBlocks)
		}
		d -= end - b.window
		b.played = true
		result = Overflowed
	}

	stored := 0
	// Blocks before next, of a packet that straddles it, are late: the rest
	// of the packet still plays.
	for k := max(0, -d); k < n; k++ {
		bn := b.next + uint32(d+k)
		i := bn & b.mask
		if b.held[i] {
			continue
		}
		b.held[i] = true
		copy(b.data[int(i)*b.blockBytes:int(i+1)*b.blockBytes], payload[k*b.blockBytes:])
		if b.count == 0 || int32(bn-b.high) > 0 {
			b.high = bn
			b.sinceNew = 0
		}
		b.count++
		stored++
	}
	if stored == 0 {
		b.stats.Duplicates++
		return Duplicate
	}
	b.pktBlocks = max(b.pktBlocks, n)
	return result
}

// offset returns where a packet stamped ts starts, in blocks after next.
// A timestamp off the block grid (a sender that jumped by an odd amount) is
// rounded to the nearest block: a shift of under half a block is inaudible,
// and its later packets round the same way.
func (b *Buffer) offset(ts uint32) int {
	d := int(int32(ts - b.nextTS))
	d += b.blockTS / 2
	if d >= 0 {
		return d / b.blockTS
	}
	return -((-d + b.blockTS - 1) / b.blockTS)
}

// move shifts next by d blocks, keeping its timestamp in step.
func (b *Buffer) move(d int) {
	b.next += uint32(d)
	b.nextTS += uint32(d * b.blockTS)
}

// Pop copies the next frame, in timestamp order, into dst and reports what
// this tick holds. Call it once per frame duration, with dst of at least
// FrameBytes. For Ready and Partial, n is FrameBytes; for Partial, missing has bit k set when the frame's k-th
// block never arrived, and those bytes of dst are left as they were for the
// caller to conceal.
func (b *Buffer) Pop(dst []byte) (n int, missing uint8, status Status) {
	b.mu.Lock()
	defer b.mu.Unlock()

	since := b.sinceNew
	b.sinceNew++
	if !b.playing {
		if b.count == 0 {
			return 0, 0, Empty
		}
		if !b.ready(since) {
			return 0, 0, Buffering
		}
		b.playing = true
		b.lowTicks, b.shed = 0, 0
		// After a starve the first held block may lie beyond next: the gap
		// was already bridged by the ticks spent rebuffering.
		for !b.held[b.next&b.mask] {
			b.lostBlocks++
			b.move(1)
		}
	}
	if b.count == 0 {
		b.playing = false
		b.stats.Rebuffers++
		return 0, 0, Empty
	}
	b.shedExcess()

	have := 0
	for k := range b.perFrame {
		if b.held[(b.next+uint32(k))&b.mask] {
			have++
		} else {
			missing |= 1 << k
		}
	}
	if missing != 0 && b.span() < b.targetFrames() && b.waits < b.targetFrames() {
		// Less is queued than the target asks for: wait a tick for the
		// missing audio instead of giving up on it, even if part of the
		// frame is here. This is how the delay grows when the target goes
		// up. The cap stops a stream that went quiet from holding its last
		// packets forever.
		b.stats.Concealed++
		b.waits++
		return 0, 0, Lost
	}
	b.waits = 0
	if have == 0 {
		b.stats.Concealed++
		b.lostBlocks += uint64(b.perFrame)
		b.move(b.perFrame)
		b.played = true
		return 0, 0, Lost
	}
	b.played = true
	for k := range b.perFrame {
		i := b.next & b.mask
		if b.held[i] {
			copy(dst[min(k*b.blockBytes, len(dst)):], b.data[int(i)*b.blockBytes:int(i+1)*b.blockBytes])
			b.held[i] = false
			b.count--
		} else {
			b.lostBlocks++
		}
		b.move(1)
	}
	n = min(len(dst), b.perFrame*b.blockBytes)
	if missing != 0 {
		b.stats.Concealed++
		return n, missing, Partial
	}
	return n, 0, Ready
}

// ready reports whether enough is queued to start playing. A stream of
// packets longer than a frame delivers several frames at once and then
// nothing for a while, so it needs the target plus what a packet adds
// beyond one frame; the ticks spent waiting since the newest packet stand
// in for the audio the next packet will bring, so that playout starts when
// that margin is reached rather than a whole packet later.
func (b *Buffer) ready(since int) bool {
	extra := (b.pktBlocks+b.perFrame-1)/b.perFrame - 1
	return b.span()+min(since, extra) >= b.targetFrames()+extra
}

// Stats returns a snapshot of the counters.
func (b *Buffer) Stats() Stats {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.stats
	s.Lost = b.frames(b.lostBlocks)
	s.Overflow = b.frames(b.overflowBlocks)
	s.Skipped = b.frames(b.skippedBlocks)
	s.Depth = int(b.frames(uint64(b.count)))
	s.Target = b.target
	s.Jitter = time.Duration(b.jitter / b.clockRate * float64(time.Second))
	return s
}

// frames converts blocks to frames, rounding up.
func (b *Buffer) frames(blocks uint64) uint64 {
	return (blocks + uint64(b.perFrame) - 1) / uint64(b.perFrame)
}

// shedWindow is how many ticks the queue must stay above the target before
// frames are dropped: a second, long enough that a burst is not mistaken
// for standing delay.
const shedWindow = 50

// shedExcess drops a frame when the queue has stayed above the target for a
// whole window, as it does once the target comes down after a jitter spike.
// Watching the minimum rather than the current depth leaves bursts alone,
// and the lull before each of a long-packet stream's arrivals too.
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
		for range b.perFrame {
			b.drop(&b.skippedBlocks)
		}
	}
}

// drop discards the block at next, counting it in counter if held and as
// lost otherwise, and moves next on.
func (b *Buffer) drop(counter *uint64) {
	i := b.next & b.mask
	if b.held[i] {
		b.held[i] = false
		b.count--
		*counter++
	} else {
		b.lostBlocks++
	}
	b.move(1)
}

func (b *Buffer) restart(ts uint32) {
	b.started = true
	b.playing = false
	b.played = false
	b.nextTS = ts
	b.pktBlocks = 0
}

func (b *Buffer) clear() {
	clear(b.held)
	b.count = 0
}

// span is how many whole frames lie between next and the newest held
// block, counting both: the audio that is queued, gaps included.
func (b *Buffer) span() int {
	if b.count == 0 {
		return 0
	}
	return (int(b.high-b.next) + 1) / b.perFrame
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
