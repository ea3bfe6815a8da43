package gateway

import (
	"sync"
	"time"

	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/gateway/prompts"
	"github.com/confgw/confgw/mixer"
)

// prompt speaks to a leg that is in no mixer, from its own 20 ms ticker, so
// the caller hears what to do (and its NAT sees packets) while keying a PIN.
// Between prompts it sends silence rather than nothing: a phone that gets no
// RTP may take the call for dead, and a NAT may close the pinhole.
type prompt struct {
	ep mixer.Endpoint
	mu sync.Mutex
	// todo is what is left of the prompt playing: a window on the shared,
	// read-only frames of package prompts, so playing allocates no audio.
	todo []audio.Frame
	// over is closed once the prompt playing has been sent in full or cut
	// short; nil when none is playing.
	over chan struct{}
	quit chan struct{}
	done chan struct{}
	once sync.Once
}

func newPrompt(ep mixer.Endpoint) *prompt {
	p := &prompt{ep: ep, quit: make(chan struct{}), done: make(chan struct{})}
	go p.run()
	return p
}

// play starts pr from its beginning, cutting off whatever was playing, and
// returns a channel closed when pr has been sent in full or cut short.
func (p *prompt) play(pr *prompts.Prompt) <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.endLocked()
	p.todo = pr.Frames
	p.over = make(chan struct{})
	return p.over
}

// hush cuts the prompt playing short: the caller has started keying, so
// it knows what to do and talking over its keys only slows it down.
func (p *prompt) hush() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.todo = nil
	p.endLocked()
}

func (p *prompt) endLocked() {
	if p.over != nil {
		close(p.over)
		p.over = nil
	}
}

// stop ends the ticker and returns once nothing writes to the leg any more,
// so the mixer can take over.
func (p *prompt) stop() {
	p.once.Do(func() { close(p.quit) })
	<-p.done
}

func (p *prompt) run() {
	defer close(p.done)
	t := time.NewTicker(audio.FrameDuration)
	defer t.Stop()
	var silence audio.Frame
	for {
		select {
		case <-p.quit:
			return
		case <-t.C:
		}
		f := &silence
		p.mu.Lock()
		if len(p.todo) > 0 {
			f, p.todo = &p.todo[0], p.todo[1:]
		} else {
			// The last frame went out a tick ago: only now is the whole
			// prompt on its way, so a BYE or the room's audio that waits
			// for over cannot cut its end.
			p.endLocked()
		}
		p.mu.Unlock()
		p.ep.WriteFrame(f)
	}
}
