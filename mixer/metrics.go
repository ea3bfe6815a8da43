package mixer

import (
	"fmt"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// RegisterTickMetrics registers on r the metrics of how long room mixer
// ticks take, confgw_mixer_tick_seconds and confgw_mixer_tick_max_seconds,
// and returns the observer every mixer reports its ticks to (through
// WithTickObserver). The names are those dashboards and the load harness
// read; they must not change. The observer allocates nothing, so the tick
// stays allocation-free.
func RegisterTickMetrics(r prometheus.Registerer) (func(time.Duration), error) {
	tick := prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "confgw_mixer_tick_seconds",
		Help: "Time one room mixer tick takes (20 ms budget).",
		// Fine enough between 25 µs and 20 ms for a load run to read its
		// p50 and p99 from the buckets.
		Buckets: prometheus.ExponentialBuckets(25e-6, 1.25, 40),
	})
	// A histogram loses the worst tick; an operator sizing a room asks for it.
	var maxNanos atomic.Int64
	tickMax := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "confgw_mixer_tick_max_seconds",
		Help: "The longest room mixer tick since start.",
	}, func() float64 { return time.Duration(maxNanos.Load()).Seconds() })
	for _, c := range []prometheus.Collector{tick, tickMax} {
		if err := r.Register(c); err != nil {
			return nil, fmt.Errorf("mixer metrics: %w", err)
		}
	}
	return func(d time.Duration) {
		tick.Observe(d.Seconds())
		for {
			old := maxNanos.Load()
			if int64(d) <= old || maxNanos.CompareAndSwap(old, int64(d)) {
				return
			}
		}
	}, nil
}
