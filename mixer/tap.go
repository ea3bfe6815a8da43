package mixer

import "github.com/confgw/confgw/audio"

// Tap receives the full room mix, everyone who talked summed and clamped,
// once per tick, including silent ticks, so a recorder keeps the room's
// clock without one of its own. WriteMix runs on the room's tick and must not
// block. f is only valid during the call, and is shared with the room's
// listeners: copy it, never modify it.
type Tap interface {
	WriteMix(f *audio.Frame)
}
