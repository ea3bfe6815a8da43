package store

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// ops are the writes the store times, each exported from the start so
// that a rate over them reads zero rather than nothing.
var ops = []string{"create", "apply", "delete", "migrate"}

type metrics struct {
	seconds *prometheus.HistogramVec
	errors  *prometheus.CounterVec
}

// newMetrics registers with reg; nil keeps the figures unexported.
func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		seconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "confgw_store_write_seconds",
			Help: "Time to commit a change of the conferences' state to disk, fsync included, by operation; every API change waits for it.",
			// A commit is one or two fsyncs: a fraction of a millisecond
			// on an SSD, tens on a busy disk.
			Buckets: []float64{.0005, .001, .002, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"op"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "confgw_store_write_errors_total",
			Help: "Changes of the conferences' state that could not be committed, by operation; the API refused them 503 storage_unavailable.",
		}, []string{"op"}),
	}
	for _, op := range ops {
		m.seconds.WithLabelValues(op)
		m.errors.WithLabelValues(op)
	}
	if reg != nil {
		reg.MustRegister(m.seconds, m.errors)
	}
	return m
}

func (m *metrics) observe(op string, d time.Duration, err error) {
	m.seconds.WithLabelValues(op).Observe(d.Seconds())
	if err != nil {
		m.errors.WithLabelValues(op).Inc()
	}
}
