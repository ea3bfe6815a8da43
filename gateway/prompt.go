package gateway

import (
	"sync"
	"time"

	"github.com/confgw/confgw/conference/mixer"
	"github.com/confgw/confgw/internal/tone"
)

// Prompts are beep patterns: a frequency per 20 ms frame, 0 for silence.
var (
	// promptEnter asks for the PIN: one long beep.
	promptEnter = pattern(beep(660, 20))
	// promptWrong says try again: two short low beeps.
	promptWrong = pattern(beep(330, 8), beep(0, 5), beep(330, 8))
)

func beep(freq float64, frames int) []float64 {
	out := make([]float64, frames)
	for i := range out {
		out[i] = freq
	}
	return out
}

func pattern(parts ...[]float64) []float64 {
	var out []float64
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// prompt feeds a leg that is in no mixer with its own 20 ms ticker, so the
// caller hears beeps (and its NAT sees packets) while keying a PIN.
type prompt struct {
	ep   mixer.Endpoint
	mu   sync.Mutex
	todo []float64
	gens map[float64]*tone.Generator
	quit chan struct{}
	done chan struct{}
	once sync.Once
}

func newPrompt(ep mixer.Endpoint) *prompt {
	p := &prompt{ep: ep, gens: map[float64]*tone.Generator{}, quit: make(chan struct{}), done: make(chan struct{})}
	go p.run()
	return p
}

func (p *prompt) play(freqs []float64) {
	p.mu.Lock()
	p.todo = append(p.todo[:0], freqs...)
	p.mu.Unlock()
}

// stop ends the ticker and returns once nothing writes to the leg any more,
// so the mixer can take over.
func (p *prompt) stop() {
	p.once.Do(func() { close(p.quit) })
	<-p.done
}

func (p *prompt) run() {
	defer close(p.done)
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	var f mixer.Frame
	for {
		select {
		case <-p.quit:
			return
		case <-t.C:
		}
		p.mu.Lock()
		freq := 0.0
		if len(p.todo) > 0 {
			freq, p.todo = p.todo[0], p.todo[1:]
		}
		p.mu.Unlock()
		if freq == 0 {
			f = mixer.Frame{}
		} else {
			g, ok := p.gens[freq]
			if !ok {
				g = tone.Sine(freq, 6000, tone.SampleRate)
				p.gens[freq] = g
			}
			g.Next(&f)
		}
		p.ep.WriteFrame(&f)
	}
}
