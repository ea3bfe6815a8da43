// Package tone generates and detects pure tones so that audio tests can tell
// who hears whom: each talker sends its own frequency and each listener's
// output is checked for the frequencies it should and should not contain.
package tone
