package mixer_test

import (
	"testing"
	"time"

	"github.com/confgw/confgw/conference/mixer"
)

type countingEndpoint struct{ writes chan struct{} }

func (countingEndpoint) ReadFrame(*mixer.Frame) bool { return false }
func (e countingEndpoint) WriteFrame(*mixer.Frame) {
	select {
	case e.writes <- struct{}{}:
	default:
	}
}

func TestRunningTicksUntilClosed(t *testing.T) {
	r := mixer.Start()
	ep := countingEndpoint{writes: make(chan struct{}, 1)}
	if err := r.Attach("a", ep); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ep.writes:
	case <-time.After(10 * time.Second):
		t.Fatal("running mixer never ticked")
	}
	r.Close()
	// drain a tick that raced with Close, then nothing may follow
	select {
	case <-ep.writes:
	default:
	}
	r.MixOnce() // still usable by hand; only the clock stopped
	select {
	case <-ep.writes:
	default:
		t.Fatal("MixOnce after Close did not write")
	}
}
