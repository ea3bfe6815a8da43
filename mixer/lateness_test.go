package mixer_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/confgw/confgw/mixer"
)

func TestLatenessReportsTheWorstOfTheLastSecondAndForgetsOlderTicks(t *testing.T) {
	var l mixer.Lateness
	t0 := time.Unix(1_700_000_000, 0)
	if got := mixer.WorstAt(&l, t0); got != 0 {
		t.Fatalf("no tick yet: worst %v, want 0", got)
	}
	mixer.ObserveAt(&l, 80*time.Millisecond, t0)
	mixer.ObserveAt(&l, 3*time.Millisecond, t0.Add(100*time.Millisecond))
	mixer.ObserveAt(&l, -time.Millisecond, t0.Add(200*time.Millisecond))
	if got := mixer.WorstAt(&l, t0.Add(600*time.Millisecond)); got != 80*time.Millisecond {
		t.Fatalf("worst %v, want the 80ms tick of half a second ago", got)
	}
	mixer.ObserveAt(&l, 2*time.Millisecond, t0.Add(1100*time.Millisecond))
	if got := mixer.WorstAt(&l, t0.Add(1100*time.Millisecond)); got != 2*time.Millisecond {
		t.Fatalf("worst %v, want 2ms once the 80ms tick is over a second old", got)
	}
	if got := mixer.WorstAt(&l, t0.Add(5*time.Second)); got != 0 {
		t.Fatalf("worst %v after seconds without ticks, want 0", got)
	}
}

func TestEveryMixerObservingAtOnceKeepsTheWorst(t *testing.T) {
	var l mixer.Lateness
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 1000 {
				l.Observe(time.Duration(g*1000+i) * time.Microsecond)
			}
		})
	}
	wg.Wait()
	if got, want := l.Worst(), 7999*time.Microsecond; got != want {
		t.Fatalf("worst %v, want %v", got, want)
	}
}

func TestObservingLatenessAllocatesNothing(t *testing.T) {
	var l mixer.Lateness
	observe := l.Observe
	if n := testing.AllocsPerRun(200, func() { observe(time.Millisecond) }); n != 0 {
		t.Fatalf("Observe allocates %v times", n)
	}
}

// A tick held up in an endpoint's send makes the next tick start late, and
// Run says by how much: that is what admission reads.
func TestRunReportsHowLateATickStartsAfterAStall(t *testing.T) {
	bounded := guard(t)
	var l mixer.Lateness
	s := newStuck(t)
	m := mixer.New(mixer.WithLateness(l.Observe))
	if err := m.Attach("stuck", s); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		defer close(done)
		m.Run(ctx)
	}()
	defer func() { cancel(); <-done }()
	select {
	case <-s.in:
	case <-bounded.Done():
		t.Fatal("no tick reached the endpoint")
	}
	stuckAt := time.Now()
	// The stall's length is the scenario, not a wait for anything.
	<-time.After(150 * time.Millisecond)
	stall := time.Since(stuckAt)
	s.free()
	// The next tick was due one frame after the stuck one, which started
	// before stuckAt: it starts late by at least the stall less a frame.
	for l.Worst() < stall-20*time.Millisecond {
		select {
		case <-bounded.Done():
			t.Fatalf("worst lateness %v after a %v stall", l.Worst(), stall)
		case <-time.After(5 * time.Millisecond):
		}
	}
}
