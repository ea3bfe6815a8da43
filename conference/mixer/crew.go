package mixer

import (
	"context"
	"runtime"
	"sync"
)

// parallelMin is the fewest endpoints a worker is woken for. Below it the
// wake-up costs more than the work: an endpoint's read and write are a few
// microseconds of system calls each.
const parallelMin = 64

// maxWorkers bounds the goroutines one room's tick uses.
const maxWorkers = 8

// part is one share of a tick's endpoints with the scratch its worker
// mixes in, so that workers share nothing while they run.
type part struct {
	lo, hi int
	sum    [FrameSamples]int32
	minus  Frame
}

type phase uint8

const (
	phaseRead phase = iota
	phaseWrite
)

// crew spreads a large room's tick over several cores: reading and writing
// the endpoints is nearly all of a tick, and each endpoint is independent.
// Part 0 is the tick goroutine's own; the others have a goroutine each,
// living as long as the Run that started them.
type crew struct {
	parts  []part
	jobs   []chan phase
	done   chan struct{}
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func newCrew(ctx context.Context, m *Mixer, workers int) *crew {
	ctx, cancel := context.WithCancel(ctx)
	c := &crew{
		parts:  make([]part, workers),
		jobs:   make([]chan phase, workers),
		done:   make(chan struct{}, workers),
		cancel: cancel,
	}
	for i := 1; i < workers; i++ {
		c.jobs[i] = make(chan phase, 1)
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			for {
				select {
				case <-ctx.Done():
					return
				case ph := <-c.jobs[i]:
					m.runPart(&c.parts[i], ph)
					c.done <- struct{}{}
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

// split shares n endpoints among the first k parts.
func (c *crew) split(n, k int) {
	for i := range k {
		c.parts[i].lo, c.parts[i].hi = n*i/k, n*(i+1)/k
	}
}

// run has the first k parts do ph, the tick goroutine doing part 0, and
// returns when all are done.
func (c *crew) run(m *Mixer, ph phase, k int) {
	for i := 1; i < k; i++ {
		c.jobs[i] <- ph
	}
	m.runPart(&c.parts[0], ph)
	for i := 1; i < k; i++ {
		<-c.done
	}
}

// workersFor is how many parts a tick of n endpoints is worth.
func workersFor(n int) int {
	return min(runtime.GOMAXPROCS(0), maxWorkers, max(n/parallelMin, 1))
}
