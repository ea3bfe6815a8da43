package mixer

import (
	"sync/atomic"
	"time"
)

// latenessWindow is the width of one of Lateness's two windows: the worst
// lateness it reports is that of the last 0.5 to 1 s, recent enough for
// admission to let go soon after a stall ends, long enough that one on-time
// tick in a run of late ones does not read as recovery.
const latenessWindow = 500 * time.Millisecond

// maxLatenessMicros caps what one window records, so that lateness fits the
// 32 low bits of a window's word.
const maxLatenessMicros = 1<<32 - 1

// Lateness is the worst delay, over the last second or so, between when a
// room's tick was due and when it started, across every mixer that reports
// to it (through WithLateness). It is the gateway's overload signal: ticks
// start late when the CPU cannot keep up or an endpoint holds a tick up,
// which is when new calls should be turned away. The zero value is ready;
// Observe and Worst may be called from any goroutine, and Observe neither
// locks nor allocates, so that it can run on every tick.
type Lateness struct {
	// Each word packs a window's number (high 32 bits) with the worst
	// lateness in it in µs (low 32 bits): one compare-and-swap then
	// replaces a stale window and records a new worst at once, so no
	// rollover can lose an observation or keep an old one.
	windows [2]atomic.Uint64
}

// Observe records that a tick started late by d.
func (l *Lateness) Observe(d time.Duration) { l.observeAt(d, time.Now()) }

// Worst returns the worst lateness observed in the last second or so; zero
// when every tick ran on time or none ran.
func (l *Lateness) Worst() time.Duration { return l.worstAt(time.Now()) }

func (l *Lateness) observeAt(d time.Duration, now time.Time) {
	if d <= 0 {
		return
	}
	n := windowOf(now)
	us := min(uint64(d/time.Microsecond), maxLatenessMicros)
	w := &l.windows[n&1]
	for {
		old := w.Load()
		if old>>32 == n && old&maxLatenessMicros >= us {
			return
		}
		if w.CompareAndSwap(old, n<<32|us) {
			return
		}
	}
}

func (l *Lateness) worstAt(now time.Time) time.Duration {
	n := windowOf(now)
	var worst uint64
	for i := range l.windows {
		v := l.windows[i].Load()
		// Only this window and the one before count; the slot's older
		// contents are from a second or more ago.
		if hi := v >> 32; hi == n || hi == (n-1)&maxLatenessMicros {
			worst = max(worst, v&maxLatenessMicros)
		}
	}
	return time.Duration(worst) * time.Microsecond
}

// windowOf numbers the window now falls in, modulo 2^32 so that it fits
// its half of the word.
func windowOf(now time.Time) uint64 {
	return uint64(now.UnixNano()/int64(latenessWindow)) & maxLatenessMicros
}
