package mixer_test

import (
	"context"
	"testing"
	"time"

	"github.com/confgw/confgw/mixer"
)

// guard ends shortly before the test binary's own deadline, so that a Run
// which never ticks or never returns fails its test instead of crashing the
// whole binary.
func guard(t *testing.T) context.Context {
	t.Helper()
	deadline, ok := t.Deadline()
	if !ok {
		return t.Context()
	}
	ctx, cancel := context.WithDeadline(t.Context(), deadline.Add(-time.Second))
	t.Cleanup(cancel)
	return ctx
}

func TestRunTicksUntilCancelled(t *testing.T) {
	bounded := guard(t)
	ep := &signalEndpoint{wrote: make(chan struct{}, 1)}
	m := mixer.New()
	if err := m.Attach("leg", ep); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		defer close(done)
		m.Run(ctx)
	}()

	select {
	case <-ep.wrote:
	case <-bounded.Done():
		cancel()
		t.Fatal("Run never ticked")
	}
	cancel()
	select {
	case <-done:
	case <-bounded.Done():
		t.Fatal("Run did not return after its context was cancelled")
	}
}

func TestRunCancelledBeforeStart(t *testing.T) {
	ep := &signalEndpoint{wrote: make(chan struct{}, 1)}
	m := mixer.New()
	if err := m.Attach("leg", ep); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	m.Run(ctx)
	if len(ep.wrote) != 0 {
		t.Error("Run mixed a tick after its context was cancelled")
	}
}
