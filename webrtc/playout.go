package webrtc

import (
	"sync"

	"github.com/confgw/confgw/audio"
)

// Depths of the playout queue, in frames. Playout starts once startDepth
// frames wait, which rides out a browser's usual send jitter; more than
// maxDepth waiting means the sender's clock runs fast against the room's,
// and the oldest frame goes so the delay cannot grow without end.
const (
	startDepth = 2
	maxDepth   = 8
)

// playout hands decoded frames from the receiver to the room's tick one
// per tick, and tells the tick to conceal when none is due. Browsers pace
// their packets themselves and reorder rarely on the paths app audio
// takes, so arrival order stands for timestamp order.
type playout struct {
	mu      sync.Mutex
	frames  [maxDepth]audio.Frame
	head    int // oldest frame
	count   int
	playing bool
	dropped uint64
}

// push queues f, a copy, as the newest frame, and reports whether the
// oldest went to make room.
func (p *playout) push(f *audio.Frame) (dropped bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.count == maxDepth {
		p.head = (p.head + 1) % maxDepth
		p.count--
		p.dropped++
		dropped = true
	}
	p.frames[(p.head+p.count)%maxDepth] = *f
	p.count++
	return dropped
}

// pop copies the frame due this tick into f, or reports false when there
// is none: the queue is filling up, or the sender fell silent or behind.
func (p *playout) pop(f *audio.Frame) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.playing {
		if p.count < startDepth {
			return false
		}
		p.playing = true
	}
	if p.count == 0 {
		// Refill to startDepth before playing again, or every late packet
		// after an underrun would be one more concealed frame.
		p.playing = false
		return false
	}
	*f = p.frames[p.head]
	p.head = (p.head + 1) % maxDepth
	p.count--
	return true
}
