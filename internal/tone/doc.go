// Package tone generates and detects pure tones so that audio tests can tell
// who hears whom: each talker sends its own frequency and each listener's
// output is checked for the frequencies it should and should not contain.
package tone

// SampleRate is the rate of every audio path in the gateway (G.711 and the
// room mixer), so it is what Detect assumes.
const SampleRate = 8000
