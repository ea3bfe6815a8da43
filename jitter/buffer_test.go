package jitter

import (
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"
)

// fakeClock hands out whatever time the test set last.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

// Test payloads are G.711-sized (80 bytes a 10 ms block) and every byte of a
// block holds the block's number, so a popped frame tells which audio it is.
const (
	blockBytes = 80
	frameBytes = 2 * blockBytes
)

type op struct {
	pop     bool
	block   int // first block pushed, or expected first block popped
	blocks  int // blocks pushed
	size    int // payload bytes when not blocks*blockBytes
	result  Result
	status  Status
	missing uint8
}

// push sends blocks of audio starting at block; 20 ms packets are two.
func push(block, blocks int, r Result) op { return op{block: block, blocks: blocks, result: r} }

// push20 sends the 20 ms packet number seq.
func push20(seq int, r Result) op { return push(2*seq, 2, r) }

func pushBytes(block, size int, r Result) op { return op{block: block, size: size, result: r} }

// pop expects status and, for Ready or Partial, the frame starting at block.
func pop(s Status, block int) op { return op{pop: true, status: s, block: block} }

// pop20 expects the frame of 20 ms packet number seq.
func pop20(s Status, seq int) op { return pop(s, 2*seq) }

func popPartial(block int, missing uint8) op {
	return op{pop: true, status: Partial, block: block, missing: missing}
}

// counters is Stats without the fields that depend on timing.
type counters struct {
	Received, Duplicates, Late, Lost, Overflow, Concealed uint64
	Skipped, BadSize, Rebuffers, Resyncs                  uint64
	Depth                                                 int
}

func countersOf(s Stats) counters {
	return counters{s.Received, s.Duplicates, s.Late, s.Lost, s.Overflow, s.Concealed,
		s.Skipped, s.BadSize, s.Rebuffers, s.Resyncs, s.Depth}
}

func TestBufferSequences(t *testing.T) {
	// A fixed 40 ms target (two frames) keeps the scripts short.
	fixed := []Option{WithTargetDelay(40 * time.Millisecond), WithDelayBounds(40*time.Millisecond, 40*time.Millisecond)}
	small := append([]Option{WithCapacity(80 * time.Millisecond)}, fixed...) // 8 blocks
	tests := []struct {
		name string
		base uint32 // timestamp of block 0
		opts []Option
		ops  []op
		want counters
	}{{
		name: "in order",
		opts: fixed,
		ops: []op{
			pop(Empty, 0),
			push20(1, Accepted), pop(Buffering, 0),
			push20(2, Accepted), push20(3, Accepted),
			pop20(Ready, 1), pop20(Ready, 2), pop20(Ready, 3),
		},
		want: counters{Received: 3},
	}, {
		name: "reordered, first packet not the earliest",
		opts: fixed,
		ops: []op{
			push20(3, Accepted), push20(1, Accepted), push20(2, Accepted),
			pop20(Ready, 1), pop20(Ready, 2), pop20(Ready, 3),
		},
		want: counters{Received: 3},
	}, {
		name: "lost packet is reported once then play goes on",
		opts: fixed,
		ops: []op{
			push20(1, Accepted), push20(2, Accepted), push20(4, Accepted), push20(5, Accepted),
			pop20(Ready, 1), pop20(Ready, 2), pop(Lost, 0), pop20(Ready, 4), pop20(Ready, 5),
		},
		want: counters{Received: 4, Lost: 1, Concealed: 1},
	}, {
		name: "duplicates are dropped",
		opts: fixed,
		ops: []op{
			push20(1, Accepted), push20(1, Duplicate), push20(2, Accepted), push20(2, Duplicate),
			pop20(Ready, 1), pop20(Ready, 2), pop(Empty, 0),
		},
		want: counters{Received: 4, Duplicates: 2, Rebuffers: 1},
	}, {
		name: "late packets are refused",
		opts: fixed,
		ops: []op{
			push20(1, Accepted), push20(3, Accepted), push20(4, Accepted),
			pop20(Ready, 1), pop(Lost, 0),
			push20(2, TooLate), push20(1, TooLate),
			pop20(Ready, 3), pop20(Ready, 4),
		},
		want: counters{Received: 5, Late: 2, Lost: 1, Concealed: 1},
	}, {
		name: "timestamp wraps at 2^32",
		base: 1<<32 - 3*frameBytes,
		opts: fixed,
		ops: []op{
			push20(2, Accepted), push20(3, Accepted), push20(1, Accepted), push20(4, Accepted),
			pop20(Ready, 1), pop20(Ready, 2), pop20(Ready, 3), pop20(Ready, 4),
			push20(2, TooLate), push20(5, Accepted),
			pop20(Ready, 5),
		},
		want: counters{Received: 6, Late: 1},
	}, {
		name: "overflow drops the oldest",
		opts: small,
		ops: []op{
			push20(1, Accepted), push20(2, Accepted), push20(3, Accepted), push20(4, Accepted),
			push20(5, Overflowed),
			push20(1, TooLate),
			pop20(Ready, 2), pop20(Ready, 3),
		},
		want: counters{Received: 6, Overflow: 1, Late: 1, Depth: 2},
	}, {
		name: "jump past the window slides it",
		opts: small,
		ops: []op{
			push20(1, Accepted), push20(7, Overflowed),
			pop20(Ready, 7),
		},
		// 1 is dropped to make room; 2-6 never came.
		want: counters{Received: 2, Overflow: 1, Lost: 5},
	}, {
		name: "huge jump ahead is a new stream",
		opts: small,
		ops: []op{
			push20(1, Accepted), push20(2, Accepted),
			push20(1000, Overflowed), push20(1001, Accepted),
			pop20(Ready, 1000), pop20(Ready, 1001),
		},
		// The jump is time, not packets: a pause or a new source.
		want: counters{Received: 4, Overflow: 2, Resyncs: 1},
	}, {
		name: "huge jump back is a new stream",
		opts: small,
		ops: []op{
			push20(1000, Accepted), push20(1001, Accepted),
			pop20(Ready, 1000), pop20(Ready, 1001),
			push20(5, Accepted), push20(6, Accepted),
			pop20(Ready, 5), pop20(Ready, 6),
		},
		want: counters{Received: 4, Resyncs: 1},
	}, {
		name: "starving rebuffers to the target",
		opts: fixed,
		ops: []op{
			push20(1, Accepted), push20(2, Accepted),
			pop20(Ready, 1), pop20(Ready, 2), pop(Empty, 0),
			push20(3, Accepted), pop(Buffering, 0),
			push20(4, Accepted), pop20(Ready, 3), pop20(Ready, 4),
		},
		want: counters{Received: 4, Rebuffers: 1},
	}, {
		name: "a packet late only by the starve still plays",
		opts: fixed,
		ops: []op{
			push20(1, Accepted), push20(2, Accepted),
			pop20(Ready, 1), pop20(Ready, 2), pop(Empty, 0),
			push20(4, Accepted), push20(3, Accepted),
			pop20(Ready, 3), pop20(Ready, 4),
		},
		want: counters{Received: 4, Rebuffers: 1},
	}, {
		name: "gap bridged by rebuffering counts lost but is not concealed",
		opts: fixed,
		ops: []op{
			push20(1, Accepted), push20(2, Accepted),
			pop20(Ready, 1), pop20(Ready, 2), pop(Empty, 0),
			push20(5, Accepted), push20(6, Accepted),
			pop20(Ready, 5), pop20(Ready, 6),
			push20(4, TooLate),
		},
		want: counters{Received: 5, Lost: 2, Late: 1, Rebuffers: 1},
	}, {
		name: "below target a gap waits for its packet",
		opts: []Option{WithTargetDelay(60 * time.Millisecond), WithDelayBounds(60*time.Millisecond, 60*time.Millisecond)},
		ops: []op{
			push20(1, Accepted), push20(2, Accepted), push20(3, Accepted), push20(5, Accepted),
			pop20(Ready, 1), pop20(Ready, 2), pop20(Ready, 3),
			pop(Lost, 0), push20(4, Accepted),
			pop20(Ready, 4), pop20(Ready, 5),
		},
		want: counters{Received: 5, Concealed: 1},
	}, {
		name: "waiting for a gap is bounded by the target",
		opts: []Option{WithTargetDelay(60 * time.Millisecond), WithDelayBounds(60*time.Millisecond, 60*time.Millisecond)},
		ops: []op{
			push20(1, Accepted), push20(2, Accepted), push20(3, Accepted), push20(5, Accepted),
			pop20(Ready, 1), pop20(Ready, 2), pop20(Ready, 3),
			pop(Lost, 0), pop(Lost, 0), pop(Lost, 0), pop(Lost, 0),
			pop20(Ready, 5), push20(4, TooLate),
		},
		want: counters{Received: 5, Concealed: 4, Lost: 1, Late: 1},
	}, {
		name: "bad sizes are refused",
		opts: fixed,
		ops: []op{
			push20(1, Accepted),
			pushBytes(4, 0, BadSize), pushBytes(4, 100, BadSize), pushBytes(4, 7*blockBytes, BadSize), pushBytes(4, 600, BadSize),
			push20(3, Accepted),
			pop20(Ready, 1), pop(Lost, 0), pop20(Ready, 3),
		},
		want: counters{Received: 6, BadSize: 4, Lost: 1, Concealed: 1},
	}, {
		name: "10 ms packets pair up into frames",
		opts: fixed,
		ops: []op{
			push(0, 1, Accepted), push(1, 1, Accepted), push(2, 1, Accepted), pop(Buffering, 0),
			push(3, 1, Accepted),
			pop(Ready, 0), pop(Ready, 2), pop(Empty, 0),
		},
		want: counters{Received: 4, Rebuffers: 1},
	}, {
		name: "30 ms packets in order",
		opts: fixed,
		ops: []op{
			push(0, 3, Accepted), pop(Buffering, 0),
			push(3, 3, Accepted),
			pop(Ready, 0), pop(Ready, 2), pop(Ready, 4),
		},
		want: counters{Received: 2},
	}, {
		name: "30 ms packets reordered",
		opts: fixed,
		ops: []op{
			push(6, 3, Accepted), push(3, 3, Accepted), push(9, 3, Accepted), push(0, 3, Accepted),
			pop(Ready, 0), pop(Ready, 2), pop(Ready, 4), pop(Ready, 6), pop(Ready, 8), pop(Ready, 10),
		},
		want: counters{Received: 4},
	}, {
		name: "lost 30 ms packet is a frame and a half",
		opts: fixed,
		ops: []op{
			push(0, 3, Accepted), push(6, 3, Accepted), push(9, 3, Accepted),
			pop(Ready, 0), popPartial(2, 0b10), pop(Lost, 0), pop(Ready, 6), pop(Ready, 8), pop(Ready, 10),
		},
		want: counters{Received: 3, Lost: 2, Concealed: 2},
	}, {
		name: "lost 30 ms packet ending a frame",
		opts: fixed,
		ops: []op{
			push(0, 3, Accepted), push(3, 3, Accepted), push(9, 3, Accepted), push(12, 3, Accepted),
			pop(Ready, 0), pop(Ready, 2), pop(Ready, 4), pop(Lost, 0), popPartial(8, 0b01), pop(Ready, 10),
		},
		want: counters{Received: 4, Lost: 2, Concealed: 2, Depth: 2},
	}, {
		name: "30 ms packet partly past its turn plays the rest",
		opts: fixed,
		ops: []op{
			push(0, 3, Accepted), push(6, 3, Accepted), push(9, 3, Accepted),
			pop(Ready, 0), popPartial(2, 0b10),
			push(3, 3, Accepted), push(3, 3, Duplicate),
			pop(Ready, 4), pop(Ready, 6),
		},
		want: counters{Received: 5, Duplicates: 1, Lost: 1, Concealed: 1, Depth: 2},
	}, {
		name: "overlapping packet keeps what is new",
		opts: fixed,
		ops: []op{
			push(0, 2, Accepted), push(1, 3, Accepted), push(0, 4, Duplicate),
			pop(Buffering, 0), pop(Ready, 0), pop(Ready, 2),
		},
		want: counters{Received: 3, Duplicates: 1},
	}, {
		name: "mixed packet sizes",
		opts: fixed,
		ops: []op{
			push(0, 1, Accepted), push(1, 2, Accepted), push(3, 3, Accepted), push(6, 4, Accepted), push(10, 6, Accepted),
			pop(Ready, 0), pop(Ready, 2), pop(Ready, 4), pop(Ready, 6), pop(Ready, 8),
			pop(Ready, 10), pop(Ready, 12), pop(Ready, 14), pop(Empty, 0),
		},
		want: counters{Received: 5, Rebuffers: 1},
	}, {
		name: "40 ms packets start one tick after the first",
		opts: fixed,
		ops: []op{
			push(0, 4, Accepted), pop(Buffering, 0), pop(Ready, 0),
			pop(Ready, 2), push(4, 4, Accepted), pop(Ready, 4),
		},
		want: counters{Received: 2, Depth: 1},
	}, {
		name: "60 ms packets start one tick after the first",
		opts: fixed,
		ops: []op{
			push(0, 6, Accepted), pop(Buffering, 0), pop(Ready, 0),
			pop(Ready, 2), push(6, 6, Accepted), pop(Ready, 4), pop(Ready, 6),
		},
		want: counters{Received: 2, Depth: 2},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := &fakeClock{t: time.Unix(0, 0)}
			b := New(append([]Option{WithClock(clk.now)}, tt.opts...)...)
			in := make([]byte, 8*blockBytes)
			out := make([]byte, frameBytes)
			for i, o := range tt.ops {
				if !o.pop {
					clk.t = clk.t.Add(20 * time.Millisecond)
					size := o.blocks * blockBytes
					if o.blocks == 0 {
						size = o.size
					}
					for k := range size {
						in[k] = byte(o.block + k/blockBytes)
					}
					ts := tt.base + uint32(o.block*blockBytes)
					if got := b.Push(ts, in[:size]); got != o.result {
						t.Fatalf("op %d: Push(block %d, %d bytes) = %v, want %v", i, o.block, size, got, o.result)
					}
					continue
				}
				clear(out)
				n, missing, st := b.Pop(out)
				if st != o.status || missing != o.missing {
					t.Fatalf("op %d: Pop = %v missing %02b, want %v missing %02b", i, st, missing, o.status, o.missing)
				}
				if st != Ready && st != Partial {
					if n != 0 {
						t.Fatalf("op %d: Pop gave %d bytes with status %v", i, n, st)
					}
					continue
				}
				if n != frameBytes {
					t.Fatalf("op %d: Pop gave %d bytes, want %d", i, n, frameBytes)
				}
				for k := range 2 {
					got, want := out[k*blockBytes], byte(o.block+k)
					if missing&(1<<k) != 0 {
						want = 0 // left as it was
					}
					if got != want || out[(k+1)*blockBytes-1] != got {
						t.Fatalf("op %d: block %d of the frame is %d, want %d", i, k, got, want)
					}
				}
			}
			if got := countersOf(b.Stats()); got != tt.want {
				t.Errorf("stats\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestPopCopiesPayload(t *testing.T) {
	b := New(WithTargetDelay(20*time.Millisecond), WithDelayBounds(20*time.Millisecond, 20*time.Millisecond))
	src := make([]byte, frameBytes)
	src[0], src[frameBytes-1] = 1, 3
	b.Push(7, src)
	// The caller's read buffer is reused for the next packet.
	src[0] = 9
	dst := make([]byte, frameBytes+10)
	n, _, st := b.Pop(dst)
	if st != Ready || n != frameBytes || dst[0] != 1 || dst[frameBytes-1] != 3 {
		t.Fatalf("Pop = %v %d %v, want ready with the bytes as pushed", st, n, dst[:4])
	}
}

func TestShortDestination(t *testing.T) {
	b := New(WithTargetDelay(20*time.Millisecond), WithDelayBounds(20*time.Millisecond, 20*time.Millisecond))
	for i, size := range []int{0, 10, blockBytes + 1} {
		b.Push(uint32(i*frameBytes), make([]byte, frameBytes))
		if n, _, st := b.Pop(make([]byte, size)); st != Ready || n != size {
			t.Fatalf("Pop into %d bytes = %v %d", size, st, n)
		}
	}
}

func TestMisalignedTimestampRounds(t *testing.T) {
	b := New(WithTargetDelay(40*time.Millisecond), WithDelayBounds(40*time.Millisecond, 40*time.Millisecond))
	p := make([]byte, frameBytes)
	b.Push(1000, p)
	// 20 ms on, plus 3 samples: the next frame, a hair late.
	p[0] = 2
	if r := b.Push(1000+frameBytes+3, p); r != Accepted {
		t.Fatalf("Push = %v", r)
	}
	dst := make([]byte, frameBytes)
	b.Pop(dst)
	if _, _, st := b.Pop(dst); st != Ready || dst[0] != 2 {
		t.Fatalf("second frame %v %d, want ready from the shifted packet", st, dst[0])
	}
}

// stream describes a phone for simulate: packets of ptime, each sent the
// moment its audio is complete and delayed by delay(i) on the way, against a
// consumer ticking every 20 ms phase after the first packet's audio began.
type stream struct {
	packets int
	ptime   time.Duration
	phase   time.Duration
	delay   func(int) time.Duration
}

// simulate runs s through b and returns the Pop statuses counted over the
// ticks from the warm-up-th on. It fails t if frames come out of order.
// Block numbers are kept to a byte in the payload, so frames skipped at
// once must stay under 64.
func simulate(t *testing.T, b *Buffer, clk *fakeClock, s stream, warmup int) map[Status]int {
	t.Helper()
	const frame = 20 * time.Millisecond
	type event struct {
		at  time.Duration
		pkt int // -1 for a tick
	}
	var events []event
	for i := range s.packets {
		events = append(events, event{at: time.Duration(i+1)*s.ptime + s.delay(i), pkt: i})
	}
	end := time.Duration(s.packets)*s.ptime + time.Second
	for at := s.phase; at < end; at += frame {
		// A tick that ties an arrival goes first: the worse case.
		events = append(events, event{at: at - time.Nanosecond, pkt: -1})
	}
	sort.SliceStable(events, func(i, j int) bool { return events[i].at < events[j].at })
	start := time.Unix(1000, 0)
	counts := map[Status]int{}
	blocks := int(s.ptime / (10 * time.Millisecond))
	payload := make([]byte, blocks*blockBytes)
	dst := make([]byte, frameBytes)
	tick, want := 0, -1
	for _, e := range events {
		clk.t = start.Add(e.at)
		if e.pkt >= 0 {
			for k := range payload {
				payload[k] = byte(e.pkt*blocks + k/blockBytes)
			}
			b.Push(uint32(e.pkt*blocks*blockBytes), payload)
			continue
		}
		_, missing, st := b.Pop(dst)
		if st == Ready || st == Partial {
			got := int(dst[0])
			if missing&1 != 0 {
				got = int(dst[blockBytes]) - 1
			}
			// Frames may be skipped, but never replayed or played backwards.
			if want >= 0 && int8(byte(got)-byte(want)) < 0 {
				t.Fatalf("tick %d: frame starts at block %d, want %d or later", tick, got, want)
			}
			want = got + 2
		}
		if tick >= warmup {
			counts[st]++
		}
		tick++
	}
	return counts
}

// bursty delays packets by up to 90 ms in a repeating pattern.
func bursty(i int) time.Duration {
	pattern := []time.Duration{0, 60, 10, 90, 20, 0, 70, 30, 5, 80}
	return pattern[i%len(pattern)] * time.Millisecond
}

func steady20(n int, delay func(int) time.Duration) stream {
	return stream{packets: n, ptime: 20 * time.Millisecond, phase: 10 * time.Millisecond, delay: delay}
}

func TestSteadyStreamsPlayEveryTick(t *testing.T) {
	// Whatever the ptime and however the ticks fall between arrivals, a
	// clean stream at the 40 ms floor plays every tick once started: no
	// concealment, no starving, no frame shed to cut the delay.
	for _, ptime := range []time.Duration{10, 20, 30, 40, 50, 60} {
		for phase := time.Duration(0); phase < 20; phase++ {
			for _, jitter := range []time.Duration{0, 15} {
				name := fmt.Sprintf("%dms/phase %dms/jitter %dms", ptime, phase, jitter)
				t.Run(name, func(t *testing.T) {
					clk := &fakeClock{}
					b := New(WithClock(clk.now), WithTargetDelay(40*time.Millisecond), WithDelayBounds(40*time.Millisecond, 40*time.Millisecond))
					s := stream{packets: 3000 / int(ptime), ptime: ptime * time.Millisecond, phase: phase * time.Millisecond,
						delay: func(i int) time.Duration { return time.Duration(i%2) * jitter * time.Millisecond }}
					counts := simulate(t, b, clk, s, 0)
					frames := 3000 / 20
					if counts[Ready] != frames || counts[Lost]+counts[Partial] != 0 {
						t.Errorf("ticks %v, want %d ready and none lost", counts, frames)
					}
					if st := b.Stats(); st.Skipped != 0 || st.Rebuffers != 1 || st.Lost != 0 {
						t.Errorf("stats %+v, want nothing skipped or lost and one starve at the end", st)
					}
				})
			}
		}
	}
}

func TestTargetAdapts(t *testing.T) {
	tests := []struct {
		name     string
		delay    func(int) time.Duration
		min, max time.Duration
	}{
		{"steady network settles at the floor", func(int) time.Duration { return 5 * time.Millisecond }, 40 * time.Millisecond, 40 * time.Millisecond},
		{"bursty network raises the target", bursty, 100 * time.Millisecond, 200 * time.Millisecond},
		{"wild network is clamped at the ceiling", func(i int) time.Duration { return time.Duration(i%2) * time.Second }, 200 * time.Millisecond, 200 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := &fakeClock{}
			b := New(WithClock(clk.now))
			simulate(t, b, clk, steady20(500, tt.delay), 1<<30)
			got := b.Stats().Target
			if got < tt.min || got > tt.max {
				t.Errorf("target = %v, want within [%v, %v] (jitter %v)", got, tt.min, tt.max, b.Stats().Jitter)
			}
		})
	}
}

func TestAdaptiveTargetAbsorbsJitter(t *testing.T) {
	// The same bursty path starves a buffer stuck at 40 ms but not one that
	// adapts: the comparison shows the adaptation, not just the arithmetic.
	for _, ptime := range []time.Duration{20, 30, 40} {
		t.Run(fmt.Sprintf("%dms", ptime), func(t *testing.T) {
			s := stream{packets: 20000 / int(ptime), ptime: ptime * time.Millisecond, phase: 10 * time.Millisecond, delay: bursty}
			clk := &fakeClock{}
			fixed := New(WithClock(clk.now), WithTargetDelay(40*time.Millisecond), WithDelayBounds(40*time.Millisecond, 40*time.Millisecond))
			fixedCounts := simulate(t, fixed, clk, s, 200)
			if fixedCounts[Lost]+fixedCounts[Partial]+fixedCounts[Empty]+fixedCounts[Buffering] == 0 {
				t.Fatalf("fixed 40 ms target never starved on the bursty path: %v", fixedCounts)
			}

			adaptive := New(WithClock(clk.now))
			counts := simulate(t, adaptive, clk, s, 200)
			if counts[Lost]+counts[Partial]+counts[Buffering] != 0 {
				t.Errorf("adaptive buffer after warm-up: %v, want only ready ticks until the stream ends", counts)
			}
			if st := adaptive.Stats(); st.Skipped != 0 || st.Rebuffers != 1 {
				t.Errorf("bursts were mistaken for standing delay, or starved play: %+v", st)
			}
		})
	}
}

func TestTargetComesBackDown(t *testing.T) {
	clk := &fakeClock{}
	b := New(WithClock(clk.now))
	simulate(t, b, clk, steady20(2000, func(i int) time.Duration {
		if i < 500 {
			return bursty(i)
		}
		return 0
	}), 1<<30)
	s := b.Stats()
	if s.Target != 40*time.Millisecond {
		t.Errorf("target after the network calmed = %v, want 40ms", s.Target)
	}
	if s.Skipped == 0 {
		t.Errorf("no frame was skipped to shed the delay built up during the bursts: %+v", s)
	}
}

func TestConcurrentUse(t *testing.T) {
	b := New()
	const n = 2000
	var wg sync.WaitGroup
	wg.Go(func() {
		p := make([]byte, 3*blockBytes)
		for i := range n {
			b.Push(uint32(i*len(p)), p)
		}
	})
	wg.Go(func() {
		dst := make([]byte, frameBytes)
		for range n {
			b.Pop(dst)
			_ = b.Stats()
		}
	})
	wg.Wait()
	if got := b.Stats().Received; got != n {
		t.Errorf("Received = %d, want %d", got, n)
	}
}

func TestPushPopDoNotAllocate(t *testing.T) {
	for _, blocks := range []int{1, 2, 3, 6} {
		t.Run(fmt.Sprintf("%dms", 10*blocks), func(t *testing.T) {
			clk := &fakeClock{t: time.Unix(0, 0)}
			b := New(WithClock(clk.now))
			p := make([]byte, blocks*blockBytes)
			dst := make([]byte, frameBytes)
			var ts, played uint32
			allocs := testing.AllocsPerRun(1000, func() {
				clk.t = clk.t.Add(20 * time.Millisecond)
				for ts < played+3*frameBytes {
					b.Push(ts, p)
					ts += uint32(len(p))
				}
				b.Pop(dst)
				played += frameBytes
			})
			if allocs != 0 {
				t.Errorf("Push+Pop allocate %v times per frame", allocs)
			}
			if st := b.Stats(); st.Lost != 0 || st.Concealed != 0 {
				t.Errorf("stream not played cleanly: %+v", st)
			}
		})
	}
}

func BenchmarkPushPop(b *testing.B) {
	for _, blocks := range []int{2, 3} {
		b.Run(fmt.Sprintf("%dms", 10*blocks), func(b *testing.B) {
			clk := &fakeClock{t: time.Unix(0, 0)}
			buf := New(WithClock(clk.now))
			p := make([]byte, blocks*blockBytes)
			dst := make([]byte, frameBytes)
			var ts, played uint32
			b.ReportAllocs()
			for b.Loop() {
				clk.t = clk.t.Add(20 * time.Millisecond)
				for ts < played+3*frameBytes {
					buf.Push(ts, p)
					ts += uint32(len(p))
				}
				buf.Pop(dst)
				played += frameBytes
			}
		})
	}
}
