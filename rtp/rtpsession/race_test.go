//go:build race

package rtpsession

// raceEnabled: the race detector makes sync.Pool drop a quarter of what
// is put back, so pooled buffers are allocated anew now and then.
const raceEnabled = true
