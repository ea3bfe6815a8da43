package mixer

import "context"

// ShareTicks has m's ticks use a crew of workers as under Run, until the
// returned function stops it, so that tests can drive such ticks by hand.
func ShareTicks(ctx context.Context, m *Mixer) (stop func()) {
	m.tickMu.Lock()
	m.runCtx = ctx
	m.tickMu.Unlock()
	return m.stopSharing
}
