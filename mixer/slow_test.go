package mixer_test

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/mixer"
)

// stuck is an endpoint whose WriteFrame blocks until released, as a leg
// whose send stalls would: it says when it is stuck.
type stuck struct {
	in      chan struct{}
	release chan struct{}
	once    sync.Once
}

func newStuck(t *testing.T) *stuck {
	s := &stuck{in: make(chan struct{}, 1), release: make(chan struct{})}
	// A failed test must not leave a tick stuck for the cleanup to wait on.
	t.Cleanup(s.free)
	return s
}

func (s *stuck) free() { s.once.Do(func() { close(s.release) }) }

func (s *stuck) ReadFrame(*audio.Frame) bool { return false }

func (s *stuck) WriteFrame(*audio.Frame) {
	select {
	case s.in <- struct{}{}:
	default:
	}
	<-s.release
}

// callCounter counts the calls made into it.
type callCounter struct{ calls atomic.Int64 }

func (c *callCounter) ReadFrame(*audio.Frame) bool { c.calls.Add(1); return false }
func (c *callCounter) WriteFrame(*audio.Frame)     { c.calls.Add(1) }

// within fails the test if fn has not returned by a generous deadline.
func within(t *testing.T, what string, fn func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatalf("%s waited on a stuck tick", what)
	}
}

func TestJoinsAndLeavesDoNotWaitForATickStuckInAnEndpoint(t *testing.T) {
	r := mixer.Start()
	t.Cleanup(r.Close)
	slow := newStuck(t)
	if err := r.Attach("slow", slow); err != nil {
		t.Fatal(err)
	}
	<-slow.in // a tick is now inside the slow endpoint
	other := talker(600)
	within(t, "Attach", func() { _ = r.Attach("other", other) })
	within(t, "Len", func() { r.Len() })
	within(t, "Detach of another endpoint", func() { r.Detach("other") })
	within(t, "SetTap", func() { r.SetTap(nil) })
	slow.free()
	within(t, "Detach of the slow endpoint once it returns", func() { r.Detach("slow") })
}

func TestAnEndpointDetachedMidTickIsNotCalledAgain(t *testing.T) {
	m := mixer.New()
	slow := newStuck(t)
	ep := &callCounter{}
	_ = m.Attach("slow", slow) // attached first: written first
	_ = m.Attach("ep", ep)
	ticked := make(chan struct{})
	go func() {
		defer close(ticked)
		m.MixOnce()
	}()
	<-slow.in // the tick has read both and is writing the slow one
	within(t, "Detach", func() { m.Detach("ep") })
	calls := ep.calls.Load()
	slow.free()
	<-ticked
	if got := ep.calls.Load(); got != calls {
		t.Fatalf("endpoint called %d times after Detach returned", got-calls)
	}
}
