package http

import (
	"log/slog"
	"net/netip"
	"sync"
	"time"
)

// AuthLimit slows down guessing: each source may fail authentication
// Burst times in a row, then earns back one attempt every Interval. It is
// a token bucket per source address, kept as the time its bucket is full
// again, so that a source costs one map entry and no timer.
type AuthLimit struct {
	// Burst is how many failures in a row a source is allowed; 10 when
	// zero, and no limit at all when negative (for a gateway behind a
	// proxy that does its own, where every client shares one address).
	Burst int
	// Interval is how long a source waits for each further attempt once
	// its burst is spent; 10 s when zero.
	Interval time.Duration
	// Sources bounds how many sources are remembered; 10000 when zero.
	// Past that, new sources share one bucket, so that an attacker with
	// many addresses cannot grow the memory of the gateway.
	Sources int
	// Now is the clock of the buckets; time.Now when nil.
	Now func() time.Time
}

// Defaults of AuthLimit. Ten failures cover the typing mistakes and stale
// tokens of a real person; one more attempt every ten seconds after that
// holds a guesser to 360 an hour.
const (
	DefaultAuthFailureBurst    = 10
	DefaultAuthFailureInterval = 10 * time.Second
	defaultAuthSources         = 10000
)

// failures is AuthLimit at work.
type failures struct {
	off      bool
	burst    time.Duration // Burst × Interval: how far fullAt may run ahead of now
	interval time.Duration
	max      int
	now      func() time.Time
	log      *slog.Logger

	mu sync.Mutex
	// fullAt is, per source, when its bucket is full again; a source whose
	// fullAt has passed is as good as forgotten and may be dropped.
	fullAt    map[netip.Prefix]time.Time
	overflow  time.Time
	nextSweep time.Time
	// Throttling is logged once a second at most, with how many sources
	// were throttled meanwhile: a flood must not become one of log lines.
	loggedAt time.Time
	unlogged int
}

func newFailures(l AuthLimit, log *slog.Logger) *failures {
	if l.Burst == 0 {
		l.Burst = DefaultAuthFailureBurst
	}
	if l.Interval <= 0 {
		l.Interval = DefaultAuthFailureInterval
	}
	if l.Sources <= 0 {
		l.Sources = defaultAuthSources
	}
	if l.Now == nil {
		l.Now = time.Now
	}
	return &failures{
		off: l.Burst < 0, burst: time.Duration(l.Burst) * l.Interval, interval: l.Interval,
		max: l.Sources, now: l.Now, log: log, fullAt: make(map[netip.Prefix]time.Time),
	}
}

// wait is how long src must wait before its next attempt, zero when it may
// try now.
func (f *failures) wait(src netip.Prefix) time.Duration {
	if f.off {
		return 0
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	fullAt, ok := f.fullAt[src]
	if !ok && len(f.fullAt) >= f.max {
		fullAt = f.overflow
	}
	return f.waitLocked(fullAt, f.now())
}

// waitLocked: a bucket has at least one attempt left while it is full again
// within (Burst-1) intervals.
func (f *failures) waitLocked(fullAt, now time.Time) time.Duration {
	if !fullAt.After(now) {
		// Also keeps the zero fullAt of a new source from overflowing.
		return 0
	}
	return max(0, fullAt.Sub(now)-(f.burst-f.interval))
}

// fail charges one failed attempt to src.
func (f *failures) fail(src netip.Prefix) {
	if f.off {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.now()
	fullAt, ok := f.fullAt[src]
	shared := false
	if !ok && len(f.fullAt) >= f.max {
		f.sweepLocked(now)
		shared = len(f.fullAt) >= f.max
	}
	if shared {
		fullAt = f.overflow
	}
	fullAt = later(fullAt, now).Add(f.interval)
	if shared {
		f.overflow = fullAt
	} else {
		f.fullAt[src] = fullAt
	}
	if f.waitLocked(fullAt, now) > 0 {
		f.throttledLocked(src, now, f.waitLocked(fullAt, now))
	}
}

// sweepLocked drops the sources whose bucket is full again. It runs at
// most once an interval: while the table is full of sources still
// waiting, a sweep per failure would cost a walk of the table each.
func (f *failures) sweepLocked(now time.Time) {
	if now.Before(f.nextSweep) {
		return
	}
	f.nextSweep = now.Add(f.interval)
	for src, fullAt := range f.fullAt {
		if !fullAt.After(now) {
			delete(f.fullAt, src)
		}
	}
}

func (f *failures) throttledLocked(src netip.Prefix, now time.Time, wait time.Duration) {
	f.unlogged++
	if now.Sub(f.loggedAt) < time.Second {
		return
	}
	f.log.Warn("failed authentication throttled", "source", src.String(), "retry_after", wait.Round(time.Second), "throttled_since_last_log", f.unlogged)
	f.loggedAt, f.unlogged = now, 0
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
