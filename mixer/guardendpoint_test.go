package mixer_test

import (
	"sync/atomic"

	"github.com/confgw/confgw/audio"
)

// guardEndpoint counts calls, and flags any it gets after its owner
// detached it. It is safe for concurrent use, unlike fakeEndpoint.
type guardEndpoint struct {
	detached   atomic.Bool
	calls      atomic.Int64
	violations *atomic.Int64
	talk       bool
}

func (e *guardEndpoint) ReadFrame(f *audio.Frame) bool {
	e.check()
	f.PCM[0] = 1000
	return e.talk
}

func (e *guardEndpoint) WriteFrame(*audio.Frame) { e.check() }

func (e *guardEndpoint) check() {
	e.calls.Add(1)
	if e.detached.Load() {
		e.violations.Add(1)
	}
}
