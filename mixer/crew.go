package mixer

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/confgw/confgw/audio"
)

// parallelMin is the fewest endpoints a worker is woken for. Below it the
// wake-up costs more than the work: an endpoint's read and write are a few
// microseconds of system calls each.
const parallelMin = 64

// chunk is how many endpoints a worker takes at a time. Small enough that
// a worker descheduled mid-chunk holds the tick up only briefly, large
// enough that taking one is rare next to the work in it.
const chunk = 16

// maxWorkers bounds the goroutines one room's tick uses.
const maxWorkers = 8

// part is one worker's scratch: the sum of the talkers it read and the
// mix-minus buffer it writes from, so that workers share nothing mutable.
type part struct {
	sum    [audio.MaxFrameSamples]int32
	minus  audio.Frame
	joined uint32 // the round this part last worked in
}

type phase uint8

const (
	phaseRead phase = iota
	phaseWrite
)

// The crew's state word: the round in the high half, a sealed flag and the
// count of workers inside the round in the low half.
const (
	roundShift = 32
	sealedBit  = 1 << 31
	activeMask = sealedBit - 1
)

// crew spreads a large room's tick over several cores: reading and writing
// the endpoints is nearly all of a tick, and each endpoint is independent.
// Workers take chunks of endpoints from a shared cursor, so one that the
// operating system deschedules does less of the round instead of holding it
// up; the tick goroutine works too and waits only for workers already in
// the round, never for one that has not woken yet. Part 0 is the tick
// goroutine's own; the others have a goroutine each, living as long as the
// Run that started them.
type crew struct {
	parts  []part
	wake   []chan struct{}
	done   chan struct{} // the last worker out of a sealed round
	state  atomic.Uint64
	next   atomic.Int32 // the next chunk to take
	ph     phase        // written before a round opens
	round  uint32
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func newCrew(ctx context.Context, m *Mixer, workers int) *crew {
	ctx, cancel := context.WithCancel(ctx)
	c := &crew{
		parts:  make([]part, workers),
		wake:   make([]chan struct{}, workers),
		done:   make(chan struct{}, 1),
		cancel: cancel,
	}
	// Round 0 is sealed, so a worker woken before the first round idles.
	c.state.Store(sealedBit)
	for i := 1; i < workers; i++ {
		c.wake[i] = make(chan struct{}, 1)
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			for {
				select {
				case <-ctx.Done():
					return
				case <-c.wake[i]:
					c.work(m, &c.parts[i])
				}
			}
		}()
	}
	return c
}

// stop ends the workers and waits for them.
func (c *crew) stop() {
	c.cancel()
	c.wg.Wait()
}

// work joins the open round, if any, and takes chunks until none is left.
func (c *crew) work(m *Mixer, p *part) {
	var round uint32
	for {
		s := c.state.Load()
		round = uint32(s >> roundShift)
		// A wake-up left over from an earlier round can find the round
		// this worker already did: joining again would restart its sum.
		if s&sealedBit != 0 || round == p.joined {
			return
		}
		if c.state.CompareAndSwap(s, s+1) {
			break
		}
	}
	m.doChunks(p, c.ph, round, &c.next)
	if s := c.state.Add(^uint64(0)); s&sealedBit != 0 && s&activeMask == 0 {
		c.done <- struct{}{}
	}
}

// run has the crew do ph over every endpoint, the tick goroutine in part 0,
// and returns when every chunk is done.
func (c *crew) run(m *Mixer, ph phase, workers int) {
	c.round++
	c.ph = ph
	c.next.Store(0)
	c.state.Store(uint64(c.round) << roundShift) // open: unsealed, nobody in
	for i := 1; i < workers; i++ {
		select {
		case c.wake[i] <- struct{}{}:
		default: // already has a wake-up pending
		}
	}
	m.doChunks(&c.parts[0], ph, c.round, &c.next)
	// Seal: from here no worker joins, and those inside finish the chunks
	// they hold.
	for {
		s := c.state.Load()
		if c.state.CompareAndSwap(s, s|sealedBit) {
			if s&activeMask != 0 {
				<-c.done
			}
			return
		}
	}
}

// doChunks takes chunks of endpoints from next and reads or writes them,
// starting the part's sum afresh when it joins a read round.
func (m *Mixer) doChunks(p *part, ph phase, round uint32, next *atomic.Int32) {
	if ph == phaseRead {
		clear(p.sum[:m.rate.FrameSamples()])
	}
	p.joined = round
	n := len(m.ticking)
	for {
		lo := int(next.Add(chunk)) - chunk
		if lo >= n {
			return
		}
		m.runPart(p, ph, lo, min(lo+chunk, n))
	}
}

// workersFor is how many workers a tick of n endpoints is worth.
func workersFor(n int) int {
	return min(runtime.GOMAXPROCS(0), maxWorkers, max(n/parallelMin, 1))
}
