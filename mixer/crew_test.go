package mixer_test

import (
	"fmt"
	"runtime"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/mixer"
)

// largeRoom attaches n endpoints to m, every seventh a talker with a level
// of its own, and returns them in order.
func largeRoom(t *testing.T, m *mixer.Mixer, n int) []*fakeEndpoint {
	t.Helper()
	eps := make([]*fakeEndpoint, n)
	for i := range eps {
		eps[i] = silent()
		if i%7 == 0 {
			eps[i] = constant(int16(i))
		}
		if err := m.Attach(fmt.Sprint("ep", i), eps[i]); err != nil {
			t.Fatal(err)
		}
	}
	return eps
}

func TestLargeRoomTickIsTheSameSharedAmongWorkers(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	for _, n := range []int{63, 128, 300, 1001} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			alone, shared := mixer.New(), mixer.New()
			want := largeRoom(t, alone, n)
			got := largeRoom(t, shared, n)
			stop := mixer.ShareTicks(t.Context(), shared)
			defer stop()
			// Enough ticks for late wake-ups to meet later rounds.
			for range 20 {
				alone.MixOnce()
				shared.MixOnce()
			}
			var sum int32
			for i := 0; i < n; i += 7 {
				sum += int32(i)
			}
			for i := range got {
				if !slices.Equal(got[i].heard, want[i].heard) {
					t.Fatalf("endpoint %d heard differently on several workers", i)
				}
				own := int32(0)
				if i%7 == 0 {
					own = int32(i)
				}
				if h := got[i].lastHeard(); int32(h[0]) != min(sum-own, 32767) {
					t.Fatalf("endpoint %d heard %d, want %d", i, h[0], min(sum-own, 32767))
				}
			}
		})
	}
}

func TestSharedTickAllocatesNothing(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	m := mixer.New()
	for i := range 600 {
		if err := m.Attach(fmt.Sprint("ep", i), newBenchEndpoint(i%50 == 0, float64(300+i), audio.Narrowband)); err != nil {
			t.Fatal(err)
		}
	}
	stop := mixer.ShareTicks(t.Context(), m)
	defer stop()
	m.MixOnce() // starts the crew
	if n := testing.AllocsPerRun(100, m.MixOnce); n != 0 {
		t.Fatalf("a shared tick allocates %v times", n)
	}
}

// slowEndpoint takes a while to read, and counts how many reads are under
// way at once across all of them.
type slowEndpoint struct {
	inFlight, most *atomic.Int32
}

func (e slowEndpoint) ReadFrame(*audio.Frame) bool {
	n := e.inFlight.Add(1)
	for {
		m := e.most.Load()
		if n <= m || e.most.CompareAndSwap(m, n) {
			break
		}
	}
	time.Sleep(200 * time.Microsecond)
	e.inFlight.Add(-1)
	return false
}

func (slowEndpoint) WriteFrame(*audio.Frame) {}

func TestLargeRoomTickRunsEndpointsInParallel(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	var inFlight, most atomic.Int32
	m := mixer.New()
	for i := range 256 {
		if err := m.Attach(fmt.Sprint("ep", i), slowEndpoint{&inFlight, &most}); err != nil {
			t.Fatal(err)
		}
	}
	stop := mixer.ShareTicks(t.Context(), m)
	defer stop()
	for range 3 {
		m.MixOnce()
	}
	if most.Load() < 2 {
		t.Fatalf("at most %d endpoint read at once: the workers never joined", most.Load())
	}
}
