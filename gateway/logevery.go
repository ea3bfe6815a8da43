package gateway

import (
	"sync"
	"time"
)

// logEveryInterval is how often at most a logEvery lets a line through.
const logEveryInterval = 10 * time.Second

// logEvery lets one log line through per interval, for events a flood can
// cause by the thousand: each line that goes out tells how many were held
// back since the last one, so the rate still shows.
type logEvery struct {
	// every is the interval; logEveryInterval when zero.
	every  time.Duration
	mu     sync.Mutex
	last   time.Time
	missed int
}

// allow tells whether to log now and how many events went unlogged since
// the last line.
func (e *logEvery) allow() (missed int, ok bool) {
	now := time.Now()
	e.mu.Lock()
	defer e.mu.Unlock()
	every := e.every
	if every == 0 {
		every = logEveryInterval
	}
	if !e.last.IsZero() && now.Sub(e.last) < every {
		e.missed++
		return 0, false
	}
	missed, e.missed, e.last = e.missed, 0, now
	return missed, true
}
