package webrtcpeer

import "sync"

// Depths of the peer's playout, in frames: it starts playing once
// startDepth frames wait (40 ms, about where a browser's jitter buffer
// settles on a clean path) and throws the oldest away beyond maxDepth.
const (
	startDepth = 2
	maxDepth   = 8
)

// playout is a browser's jitter buffer reduced to its count: frames
// arrive with push and the peer's own 20 ms clock plays one per tick. A
// tick with none to play, once playing has started, is a frame the
// browser would have concealed, whether its packet was lost or late; the
// buffer then fills to startDepth again before it plays on, as the
// gateway's own playout does.
type playout struct {
	mu         sync.Mutex
	waiting    int
	playing    bool
	started    bool // played at least once
	concealed  uint64
	overflowed uint64
}

func (p *playout) push() {
	p.mu.Lock()
	if p.waiting == maxDepth {
		p.waiting--
		p.overflowed++
	}
	p.waiting++
	p.mu.Unlock()
}

func (p *playout) tick() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.playing && p.waiting >= startDepth {
		p.playing, p.started = true, true
	}
	switch {
	case p.playing && p.waiting > 0:
		p.waiting--
	case p.started:
		p.playing = false
		p.concealed++
	}
}

func (p *playout) counts() (concealed, overflowed uint64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.concealed, p.overflowed
}
