package mixer_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/mixer"
)

// TestMixOnceAllocatesNothing holds the steady-state promise in CI, not only
// in benchmark output: a tick with talkers, listeners, a tap and an
// observer makes no allocation.
func TestMixOnceAllocatesNothing(t *testing.T) {
	for _, rate := range []audio.Rate{audio.Narrowband, audio.Wideband} {
		m := mixer.New(mixer.WithTap(&benchTap{}), mixer.WithTickObserver(func(time.Duration) {}), mixer.WithGate(-55, time.Second))
		m.OnSpeaking(func(mixer.Speaking) bool { return true })
		for i := range 50 {
			if err := m.Attach(fmt.Sprint("ep", i), newBenchEndpoint(i < 5, float64(300+i*50), rate)); err != nil {
				t.Fatal(err)
			}
		}
		m.MixOnce()
		if n := testing.AllocsPerRun(200, m.MixOnce); n != 0 {
			t.Fatalf("a %v MixOnce allocates %v times per tick", rate, n)
		}
	}
}

// The observer serve gives every mixer, histogram and longest tick included,
// keeps the tick free of allocations.
func TestMixOnceWithTheTickMetricsAllocatesNothing(t *testing.T) {
	observe, err := mixer.RegisterTickMetrics(prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	m := mixer.New(mixer.WithTap(&benchTap{}), mixer.WithTickObserver(observe))
	for i := range 50 {
		if err := m.Attach(fmt.Sprint("ep", i), newBenchEndpoint(i < 5, float64(300+i*50), audio.Narrowband)); err != nil {
			t.Fatal(err)
		}
	}
	m.MixOnce()
	if n := testing.AllocsPerRun(200, m.MixOnce); n != 0 {
		t.Fatalf("MixOnce with the tick metrics allocates %v times per tick", n)
	}
}
