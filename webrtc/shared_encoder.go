package webrtc

import (
	"errors"
	"sync"
	"time"

	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/mixer"
)

// sharedEncoder encodes a room's full mix once per tick for every session
// of one codec that hears it. In a meeting most people are silent and
// hear that same mix, and an Opus encode is the costliest thing a tick
// sets off (about 250 µs in pure Go), so a room of a hundred browsers
// pays for a few talkers' encodes instead of a hundred.
//
// A listener that starts talking switches to its own encoder and back
// when it stops: the browser's decoder then continues from another
// encoder's state, a glitch of one frame at the edges of speech, which
// conference bridges that share encodes (FreeSWITCH) accept too.
type sharedEncoder struct {
	mu   sync.Mutex
	enc  frameCodec
	last uint64 // the newest tick encoded; 0 for none yet
	// done keeps the last few ticks' payloads: a sender that runs a frame
	// or two behind the others still finds its tick here, where encoding
	// it on its own would cost the most exactly when the CPU is short.
	done [sharedKept]sharedPayload
	used time.Time
	// swept is set when the server let go of the encoder: sessions still
	// holding it must fetch their room's current one, or the room would
	// pay for two.
	swept bool
}

// errSwept says a shared encoder was let go; ask the server again.
var errSwept = errors.New("webrtc: shared encoder let go")

// sharedKept is how many ticks' payloads a shared encoder keeps: a
// session's sender queue holds no more than outFrames.
const sharedKept = 2 * outFrames

type sharedPayload struct {
	tick    uint64
	n       int
	err     error
	payload [maxPayload]byte
}

// encode encodes f, the room's mix at tick, into out, or copies what
// another session's sender encoded for the tick. It reports false, and
// encodes nothing, for a tick older than the newest that it no longer
// holds: the caller's sender lags far behind the others and must use its
// own encoder, since this one's state has moved past the tick.
func (e *sharedEncoder) encode(tick uint64, f *audio.Frame, out []byte, now time.Time) (n int, ok bool, err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.swept {
		return 0, false, errSwept
	}
	p := &e.done[tick%sharedKept]
	switch {
	case tick > e.last:
		e.last = tick
		p.tick = tick
		p.n, p.err = e.enc.encode(f, p.payload[:])
		e.used = now
	case p.tick != tick:
		return 0, false, nil
	}
	if p.err != nil {
		return 0, true, p.err
	}
	return copy(out, p.payload[:p.n]), true, nil
}

// sharedKey names a shared encoder: a room and a codec.
type sharedKey struct {
	room  *mixer.Mixer
	codec string
}

// sharedEncoders holds the server's shared encoders, one per room and
// codec that has had silent listeners lately.
type sharedEncoders struct {
	mu   sync.Mutex
	byID map[sharedKey]*sharedEncoder
}

// sharedIdle is how long a shared encoder outlives its last use: long
// enough that a room's listeners keep theirs through a pause in the
// tick, short enough that a closed room's mixer is soon let go.
const sharedIdle = 10 * time.Second

// get returns the encoder for room and codec, making one with newCodec if
// there is none, and lets go of encoders nobody used for sharedIdle.
func (s *sharedEncoders) get(room *mixer.Mixer, sup codecSupport, now time.Time) (*sharedEncoder, error) {
	key := sharedKey{room: room, codec: sup.codec.Name}
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.byID[key]; ok {
		return e, nil
	}
	for k, e := range s.byID {
		e.mu.Lock()
		idle := now.Sub(e.used) > sharedIdle
		e.swept = e.swept || idle
		e.mu.Unlock()
		if idle {
			delete(s.byID, k)
		}
	}
	enc, err := sup.newCodec()
	if err != nil {
		return nil, err
	}
	if s.byID == nil {
		s.byID = make(map[sharedKey]*sharedEncoder)
	}
	e := &sharedEncoder{enc: enc, used: now}
	s.byID[key] = e
	return e, nil
}

// len is how many shared encoders the server holds.
func (s *sharedEncoders) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.byID)
}
