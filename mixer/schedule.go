package mixer

import (
	"time"

	"github.com/confgw/confgw/audio"
)

// maxCatchUp bounds how many missed ticks Run makes up after a stall.
// Replaying a short backlog keeps every leg's RTP timestamps continuous;
// replaying a long one would burst audio faster than real time into the
// phones' jitter buffers, which would drop it anyway.
const maxCatchUp = 5

// ticksDue returns how many ticks to mix now that the clock reads now and a
// tick was due at due, and when the next tick falls due. Past maxCatchUp
// missed ticks it mixes only one and skips the rest whole, so later ticks
// keep their phase.
func ticksDue(due, now time.Time) (n int, next time.Time) {
	if now.Before(due) {
		return 0, due
	}
	missed := int(now.Sub(due) / audio.FrameDuration)
	if missed > maxCatchUp {
		due = due.Add(time.Duration(missed) * audio.FrameDuration)
		missed = 0
	}
	n = missed + 1
	return n, due.Add(time.Duration(n) * audio.FrameDuration)
}
