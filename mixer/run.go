package mixer

import (
	"context"
	"time"

	"github.com/confgw/confgw/audio"
)

// Run is the room's only clock: it mixes a tick every 20 ms until ctx is
// done. One clock per room, rather than one per leg, keeps every leg's
// frames aligned. Ticks missed in a stall are made up, up to a bound; see
// maxCatchUp. Run must not be called twice at once on the same Mixer.
func (m *Mixer) Run(ctx context.Context) {
	m.tickMu.Lock()
	m.runCtx = ctx
	m.tickMu.Unlock()
	defer m.stopSharing()
	// A timer re-armed against an absolute deadline, unlike a Ticker,
	// neither drifts nor silently drops the ticks a stall swallowed.
	due := time.Now().Add(audio.FrameDuration)
	timer := time.NewTimer(audio.FrameDuration)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		now := time.Now()
		if m.late != nil {
			m.late(now.Sub(due))
		}
		n, next := ticksDue(due, now)
		for range n {
			// Checked per tick so that no tick starts after cancellation,
			// even when the timer and ctx fire together.
			if ctx.Err() != nil {
				return
			}
			m.MixOnce()
		}
		due = next
		timer.Reset(time.Until(due))
	}
}

// stopSharing ends the crew of Run's ticks, waiting for its workers.
func (m *Mixer) stopSharing() {
	m.tickMu.Lock()
	defer m.tickMu.Unlock()
	if m.crew != nil {
		m.crew.stop()
		m.crew = nil
	}
	m.runCtx = nil
}
