package mixer

import (
	"context"
	"time"
)

// ShareTicks has m's ticks use a crew of workers as under Run, until the
// returned function stops it, so that tests can drive such ticks by hand.
func ShareTicks(ctx context.Context, m *Mixer) (stop func()) {
	m.tickMu.Lock()
	m.runCtx = ctx
	m.tickMu.Unlock()
	return m.stopSharing
}

// ObserveAt records lateness d as if the clock read now.
func ObserveAt(l *Lateness, d time.Duration, now time.Time) { l.observeAt(d, now) }

// WorstAt is l.Worst as if the clock read now.
func WorstAt(l *Lateness, now time.Time) time.Duration { return l.worstAt(now) }
