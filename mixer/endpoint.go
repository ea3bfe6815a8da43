// Package mixer sums the audio of one room: every endpoint hears everyone
// else in the room (mix-minus), one audio.Frame per endpoint per tick.
package mixer

import "github.com/confgw/confgw/audio"

// Endpoint is a participant's audio as a room mixer sees it: a source and a
// sink of frames. Implementations must not block: the mixer calls them from
// its tick, once per endpoint per tick. A large room's tick calls different
// endpoints from several goroutines at once, never one endpoint from two.
type Endpoint interface {
	// ReadFrame fills f with the endpoint's next 20 ms of audio at f.Rate,
	// the room's rate, which it must not change. It reports
	// false when the endpoint has nothing to say this tick (silent, on hold,
	// starved); f is then ignored.
	ReadFrame(f *audio.Frame) bool
	// WriteFrame hands the endpoint what it hears this tick, at the room's
	// rate, f.Rate. f is only valid during the call: copy it to keep it.
	WriteFrame(f *audio.Frame)
}

// Rated is an Endpoint that says at which rate it speaks natively. A room
// mixes wideband while it holds one whose NativeRate is audio.Wideband, and
// narrowband otherwise, so that a room of phones pays for no resampling.
// Endpoints that do not implement it are narrowband.
type Rated interface {
	NativeRate() audio.Rate
}

func nativeRate(ep Endpoint) audio.Rate {
	if r, ok := ep.(Rated); ok {
		return r.NativeRate()
	}
	return audio.Narrowband
}

// SharedListener is an Endpoint that can be told when what it hears is
// the room's full mix, the frame every endpoint that said nothing this tick
// hears alike. An endpoint with a costly encoder (Opus) encodes that frame
// once for all of them, keyed by id. The mixer calls WriteSharedFrame
// instead of WriteFrame for such a tick, with the same contract.
type SharedListener interface {
	Endpoint
	WriteSharedFrame(f *audio.Frame, id MixID)
}

// MixID names one room's full mix at one tick. IDs of one room increase
// with its ticks; IDs of two rooms never compare equal.
type MixID struct {
	room *Mixer
	tick uint64
}

// Room is the mix's room, for keeping per-room state such as a shared
// encoder: IDs of the same room have the same Room.
func (id MixID) Room() *Mixer { return id.room }

// Tick is the tick's number within its room, counting from 1.
func (id MixID) Tick() uint64 { return id.tick }
