package mixer_test

import (
	"testing"
	"time"

	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/mixer"
)

type countingEndpoint struct{ writes chan struct{} }

func (countingEndpoint) ReadFrame(*audio.Frame) bool { return false }
func (e countingEndpoint) WriteFrame(*audio.Frame) {
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
	// Close waits for the clock's goroutine (goleak checks it is gone), so
	// a stopped room costs nothing.
	if r.Ticking() {
		t.Fatal("the clock still runs after Close")
	}
}

type nopTap struct{}

func (nopTap) WriteMix(*audio.Frame) {}

func TestRunningTicksOnlyWhenNeeded(t *testing.T) {
	r := mixer.Start()
	defer r.Close()
	steps := []struct {
		name string
		do   func()
		want bool
	}{
		{"empty room", func() {}, false},
		{"someone joins", func() { _ = r.Attach("a", countingEndpoint{writes: make(chan struct{}, 1)}) }, true},
		{"they leave", func() { r.Detach("a") }, false},
		{"recording an empty room", func() { r.SetTap(nopTap{}) }, true},
		{"recording stops", func() { r.SetTap(nil) }, false},
		{"closed with someone in", func() {
			_ = r.Attach("b", countingEndpoint{writes: make(chan struct{}, 1)})
			r.Close()
		}, false},
	}
	for _, s := range steps {
		s.do()
		if got := r.Ticking(); got != s.want {
			t.Fatalf("%s: ticking %v, want %v", s.name, got, s.want)
		}
	}
}
