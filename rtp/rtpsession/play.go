package rtpsession

import (
	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/audio/g711"
	"github.com/confgw/confgw/audio/resample"
	"github.com/confgw/confgw/jitter"
)

// player is ReadFrame's private state. Decoding happens here, on the tick,
// rather than in the receive loop: the jitter buffer already decouples the
// two goroutines, and decoding only what is played skips late and duplicate
// packets for free.
type player struct {
	payload [g711.FrameBytes]byte // one 20 ms frame, whatever the ptime
	conceal jitter.Concealer
	// native is the phone's frame at its own rate, narrowband, which conv
	// brings to the room's.
	native audio.Frame
	conv   resample.Converter
}

// ReadFrame fills f with the phone's next 20 ms at the room's rate. It
// reports false before the first packet, once concealment of a gap has
// faded out, and on hold.
func (s *Session) ReadFrame(f *audio.Frame) bool {
	if !s.readNative(&s.play.native) {
		return false
	}
	s.play.conv.Convert(f, &s.play.native)
	return true
}

// readNative is ReadFrame at the phone's rate.
func (s *Session) readNative(f *audio.Frame) bool {
	if !s.closed.Load() {
		s.tr.tick(s)
	}
	pl := &s.play
	if s.held.Load() || s.closed.Load() {
		// Whatever is remembered predates the hold; repeating it on resume
		// would replay a stale syllable.
		pl.conceal.Reset()
		return false
	}
	n, missing, st := s.jbuf.Load().Pop(pl.payload[:])
	if st == jitter.Ready || st == jitter.Partial {
		if err := s.codec.Load().frames.DecodeFrame(f, pl.payload[:n]); err == nil {
			if st == jitter.Ready {
				pl.conceal.Good(f)
				return true
			}
			// Part of the frame came in a packet that is lost, as half of
			// it does when a 30 ms packet goes missing: keep what arrived
			// and bridge the rest.
			pl.conceal.Patch(f, missing, blockBytes) // a byte per sample
			s.ctr.concealed.Add(1)
			s.obs.FrameConcealed()
			return true
		}
	}
	if !pl.conceal.Conceal(f) {
		return false
	}
	s.ctr.concealed.Add(1)
	s.obs.FrameConcealed()
	return true
}
