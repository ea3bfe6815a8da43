package webrtc

import "time"

// maxPacketsPerSecond is what one session's peer may send before the rest
// of that second's packets are dropped undecoded. A browser sends 50 audio
// packets a second (100 at a 10 ms ptime); decoding is the expensive part
// of a packet (about 30 µs of Opus), so without a bound one peer flooding
// its authenticated SRTP could spend a core on decodes nobody hears.
const maxPacketsPerSecond = 200

// packetBudget counts a session's packets per wall-clock second. It is the
// receiver's alone, so it needs no lock.
type packetBudget struct {
	second int64 // the unix second being counted
	n      int
}

// take reports whether a packet that arrived at now is within the budget.
func (b *packetBudget) take(now time.Time) bool {
	if s := now.Unix(); s != b.second {
		b.second, b.n = s, 0
	}
	b.n++
	return b.n <= maxPacketsPerSecond
}
