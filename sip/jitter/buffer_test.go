package jitter

import (
	"encoding/binary"
	"sort"
	"sync"
	"testing"
	"time"
)

// fakeClock hands out whatever time the test set last.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

type op struct {
	pop    bool
	seq    uint16
	size   int
	result Result
	status Status
}

func push(seq uint16, r Result) op { return op{seq: seq, result: r, size: 2} }
func pop(s Status, seq uint16) op  { return op{pop: true, status: s, seq: seq} }
func pushSized(seq uint16, size int, r Result) op {
	return op{seq: seq, result: r, size: size}
}

// counters is Stats without the fields that depend on timing.
type counters struct {
	Received, Duplicates, Late, Lost, Overflow, Concealed uint64
	Skipped, Oversized, Rebuffers, Resyncs                uint64
	Depth                                                 int
}

func countersOf(s Stats) counters {
	return counters{s.Received, s.Duplicates, s.Late, s.Lost, s.Overflow, s.Concealed,
		s.Skipped, s.Oversized, s.Rebuffers, s.Resyncs, s.Depth}
}

func TestBufferSequences(t *testing.T) {
	// A fixed 40 ms target (two packets) keeps the scripts short.
	fixed := []Option{WithTargetDelay(40 * time.Millisecond), WithDelayBounds(40*time.Millisecond, 40*time.Millisecond)}
	small := append([]Option{WithCapacity(4)}, fixed...)
	tests := []struct {
		name string
		opts []Option
		ops  []op
		want counters
	}{{
		name: "in order",
		opts: fixed,
		ops: []op{
			pop(Empty, 0),
			push(1, Accepted), pop(Buffering, 0),
			push(2, Accepted), push(3, Accepted),
			pop(Ready, 1), pop(Ready, 2), pop(Ready, 3),
		},
		want: counters{Received: 3},
	}, {
		name: "reordered, first packet not the earliest",
		opts: fixed,
		ops: []op{
			push(3, Accepted), push(1, Accepted), push(2, Accepted),
			pop(Ready, 1), pop(Ready, 2), pop(Ready, 3),
		},
		want: counters{Received: 3},
	}, {
		name: "lost packet is reported once then play goes on",
		opts: fixed,
		ops: []op{
			push(1, Accepted), push(2, Accepted), push(4, Accepted), push(5, Accepted),
			pop(Ready, 1), pop(Ready, 2), pop(Lost, 0), pop(Ready, 4), pop(Ready, 5),
		},
		want: counters{Received: 4, Lost: 1, Concealed: 1},
	}, {
		name: "duplicates are dropped",
		opts: fixed,
		ops: []op{
			push(1, Accepted), push(1, Duplicate), push(2, Accepted), push(2, Duplicate),
			pop(Ready, 1), pop(Ready, 2), pop(Empty, 0),
		},
		want: counters{Received: 4, Duplicates: 2, Rebuffers: 1},
	}, {
		name: "late packets are refused",
		opts: fixed,
		ops: []op{
			push(1, Accepted), push(3, Accepted), push(4, Accepted),
			pop(Ready, 1), pop(Lost, 0),
			push(2, TooLate), push(1, TooLate),
			pop(Ready, 3), pop(Ready, 4),
		},
		want: counters{Received: 5, Late: 2, Lost: 1, Concealed: 1},
	}, {
		name: "sequence wraps at 65535",
		opts: fixed,
		ops: []op{
			push(65535, Accepted), push(0, Accepted), push(65534, Accepted), push(1, Accepted),
			pop(Ready, 65534), pop(Ready, 65535), pop(Ready, 0), pop(Ready, 1),
			push(65535, TooLate), push(2, Accepted),
			pop(Ready, 2),
		},
		want: counters{Received: 6, Late: 1},
	}, {
		name: "overflow drops the oldest",
		opts: small,
		ops: []op{
			push(1, Accepted), push(2, Accepted), push(3, Accepted), push(4, Accepted),
			push(5, Overflowed),
			push(1, TooLate),
			pop(Ready, 2), pop(Ready, 3),
		},
		want: counters{Received: 6, Overflow: 1, Late: 1, Depth: 2},
	}, {
		name: "jump past the window slides it",
		opts: small,
		ops: []op{
			push(1, Accepted), push(7, Overflowed),
			pop(Ready, 7),
		},
		// 1 is dropped to make room; 2-6 never came.
		want: counters{Received: 2, Overflow: 1, Lost: 5},
	}, {
		name: "huge jump ahead is a new stream",
		opts: small,
		ops: []op{
			push(1, Accepted), push(2, Accepted),
			push(1000, Overflowed), push(1001, Accepted),
			pop(Ready, 1000), pop(Ready, 1001),
		},
		want: counters{Received: 4, Overflow: 2, Lost: 997, Resyncs: 1},
	}, {
		name: "huge jump back is a new stream",
		opts: small,
		ops: []op{
			push(1000, Accepted), push(1001, Accepted),
			pop(Ready, 1000), pop(Ready, 1001),
			push(5, Accepted), push(6, Accepted),
			pop(Ready, 5), pop(Ready, 6),
		},
		want: counters{Received: 4, Resyncs: 1},
	}, {
		name: "starving rebuffers to the target",
		opts: fixed,
		ops: []op{
			push(1, Accepted), push(2, Accepted),
			pop(Ready, 1), pop(Ready, 2), pop(Empty, 0),
			push(3, Accepted), pop(Buffering, 0),
			push(4, Accepted), pop(Ready, 3), pop(Ready, 4),
		},
		want: counters{Received: 4, Rebuffers: 1},
	}, {
		name: "a packet late only by the starve still plays",
		opts: fixed,
		ops: []op{
			push(1, Accepted), push(2, Accepted),
			pop(Ready, 1), pop(Ready, 2), pop(Empty, 0),
			push(4, Accepted), push(3, Accepted),
			pop(Ready, 3), pop(Ready, 4),
		},
		want: counters{Received: 4, Rebuffers: 1},
	}, {
		name: "gap bridged by rebuffering counts lost but is not concealed",
		opts: fixed,
		ops: []op{
			push(1, Accepted), push(2, Accepted),
			pop(Ready, 1), pop(Ready, 2), pop(Empty, 0),
			push(5, Accepted), push(6, Accepted),
			pop(Ready, 5), pop(Ready, 6),
			push(4, TooLate),
		},
		want: counters{Received: 5, Lost: 2, Late: 1, Rebuffers: 1},
	}, {
		name: "below target a gap waits for its packet",
		opts: []Option{WithTargetDelay(60 * time.Millisecond), WithDelayBounds(60*time.Millisecond, 60*time.Millisecond)},
		ops: []op{
			push(1, Accepted), push(2, Accepted), push(3, Accepted), push(5, Accepted),
			pop(Ready, 1), pop(Ready, 2), pop(Ready, 3),
			pop(Lost, 0), push(4, Accepted),
			pop(Ready, 4), pop(Ready, 5),
		},
		want: counters{Received: 5, Concealed: 1},
	}, {
		name: "waiting for a gap is bounded by the target",
		opts: []Option{WithTargetDelay(60 * time.Millisecond), WithDelayBounds(60*time.Millisecond, 60*time.Millisecond)},
		ops: []op{
			push(1, Accepted), push(2, Accepted), push(3, Accepted), push(5, Accepted),
			pop(Ready, 1), pop(Ready, 2), pop(Ready, 3),
			pop(Lost, 0), pop(Lost, 0), pop(Lost, 0), pop(Lost, 0),
			pop(Ready, 5), push(4, TooLate),
		},
		want: counters{Received: 5, Concealed: 4, Lost: 1, Late: 1},
	}, {
		name: "oversized payload is refused",
		opts: append([]Option{WithMaxPayload(4)}, fixed...),
		ops: []op{
			pushSized(1, 4, Accepted), pushSized(2, 5, Oversized), pushSized(3, 4, Accepted),
			pop(Ready, 1), pop(Lost, 0), pop(Ready, 3),
		},
		want: counters{Received: 3, Oversized: 1, Lost: 1, Concealed: 1},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := &fakeClock{t: time.Unix(0, 0)}
			b := New(append([]Option{WithClock(clk.now)}, tt.opts...)...)
			in := make([]byte, 8)
			out := make([]byte, 8)
			for i, o := range tt.ops {
				if !o.pop {
					clk.t = clk.t.Add(20 * time.Millisecond)
					binary.BigEndian.PutUint16(in, o.seq)
					if got := b.Push(o.seq, uint32(o.seq)*160, in[:o.size]); got != o.result {
						t.Fatalf("op %d: Push(%d) = %v, want %v", i, o.seq, got, o.result)
					}
					continue
				}
				n, st := b.Pop(out)
				if st != o.status {
					t.Fatalf("op %d: Pop status = %v, want %v", i, st, o.status)
				}
				if st != Ready {
					if n != 0 {
						t.Fatalf("op %d: Pop gave %d bytes with status %v", i, n, st)
					}
					continue
				}
				if got := binary.BigEndian.Uint16(out); got != o.seq {
					t.Fatalf("op %d: Pop played %d, want %d", i, got, o.seq)
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
	src := []byte{1, 2, 3}
	b.Push(7, 0, src)
	// The caller's read buffer is reused for the next packet.
	src[0] = 9
	dst := make([]byte, 10)
	n, st := b.Pop(dst)
	if st != Ready || n != 3 || dst[0] != 1 || dst[2] != 3 {
		t.Fatalf("Pop = %v %d %v, want ready with the bytes as pushed", st, n, dst[:n])
	}
}

// simulate runs n packets sent every 20 ms through b, each delayed by
// delay(i) on the way, against a consumer ticking every 20 ms. It returns the
// Pop statuses counted over the ticks from the warm-up-th on.
func simulate(b *Buffer, clk *fakeClock, n, warmup int, delay func(int) time.Duration) map[Status]int {
	const frame = 20 * time.Millisecond
	type event struct {
		at  time.Duration
		seq int // -1 for a tick
	}
	var events []event
	for i := range n {
		events = append(events, event{at: time.Duration(i)*frame + delay(i), seq: i})
		// Ticks sit half a frame off the send times so no arrival ties one.
		events = append(events, event{at: time.Duration(i)*frame + frame/2, seq: -1})
	}
	sort.SliceStable(events, func(i, j int) bool { return events[i].at < events[j].at })
	start := time.Unix(1000, 0)
	counts := map[Status]int{}
	payload := make([]byte, 160)
	dst := make([]byte, 160)
	tick := 0
	for _, e := range events {
		clk.t = start.Add(e.at)
		if e.seq >= 0 {
			b.Push(uint16(e.seq+40000), uint32(e.seq)*160, payload)
			continue
		}
		_, st := b.Pop(dst)
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
			simulate(b, clk, 500, 0, tt.delay)
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
	clk := &fakeClock{}
	fixed := New(WithClock(clk.now), WithTargetDelay(40*time.Millisecond), WithDelayBounds(40*time.Millisecond, 40*time.Millisecond))
	fixedCounts := simulate(fixed, clk, 1000, 200, bursty)
	if fixedCounts[Lost]+fixedCounts[Empty]+fixedCounts[Buffering] == 0 {
		t.Fatalf("fixed 40 ms target never starved on the bursty path: %v", fixedCounts)
	}

	adaptive := New(WithClock(clk.now))
	counts := simulate(adaptive, clk, 1000, 200, bursty)
	if counts[Ready] != 800 {
		t.Errorf("adaptive buffer after warm-up: %v, want 800 ready ticks", counts)
	}
	if s := adaptive.Stats(); s.Skipped != 0 {
		t.Errorf("bursts were mistaken for standing delay: %+v", s)
	}
}

func TestTargetComesBackDown(t *testing.T) {
	clk := &fakeClock{}
	b := New(WithClock(clk.now))
	simulate(b, clk, 2000, 0, func(i int) time.Duration {
		if i < 500 {
			return bursty(i)
		}
		return 0
	})
	s := b.Stats()
	if s.Target != 40*time.Millisecond {
		t.Errorf("target after the network calmed = %v, want 40ms", s.Target)
	}
	if s.Skipped == 0 {
		t.Errorf("no frame was skipped to shed the delay built up during the bursts: %+v", s)
	}
	// The last tick of the run leaves what was queued behind it.
	if s.Depth > 2 {
		t.Errorf("still %d packets queued after the network calmed, want at most the 40 ms target", s.Depth)
	}
}

func TestConcurrentUse(t *testing.T) {
	b := New()
	const n = 2000
	var wg sync.WaitGroup
	wg.Go(func() {
		p := make([]byte, 160)
		for i := range n {
			b.Push(uint16(i), uint32(i)*160, p)
		}
	})
	wg.Go(func() {
		dst := make([]byte, 160)
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
	clk := &fakeClock{t: time.Unix(0, 0)}
	b := New(WithClock(clk.now))
	p := make([]byte, 160)
	dst := make([]byte, 512)
	seq := uint16(0)
	allocs := testing.AllocsPerRun(1000, func() {
		clk.t = clk.t.Add(20 * time.Millisecond)
		b.Push(seq, uint32(seq)*160, p)
		seq++
		b.Pop(dst)
	})
	if allocs != 0 {
		t.Errorf("Push+Pop allocate %v times per frame", allocs)
	}
}

func BenchmarkPushPop(b *testing.B) {
	clk := &fakeClock{t: time.Unix(0, 0)}
	buf := New(WithClock(clk.now))
	p := make([]byte, 160)
	dst := make([]byte, 512)
	b.ReportAllocs()
	seq := uint16(0)
	for b.Loop() {
		clk.t = clk.t.Add(20 * time.Millisecond)
		buf.Push(seq, uint32(seq)*160, p)
		seq++
		buf.Pop(dst)
	}
}
