package main

import (
	"fmt"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/confgw/confgw/conference"
	"github.com/confgw/confgw/recording"
)

// media is what serve builds for audio: room mixers, the recording store
// and the metrics registry they report to.
type media struct {
	metrics *prometheus.Registry
	rooms   func(conferenceID, roomID string) conference.RoomMedia
	store   *recording.Store
}

func newMedia(cfg serveConfig) (*media, error) {
	store, err := recording.NewStore(cfg.DataDir)
	if err != nil {
		return nil, fmt.Errorf("--data-dir: %w", err)
	}
	reg := prometheus.NewRegistry()
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
	reg.MustRegister(tick, tickMax)
	observe := func(d time.Duration) {
		tick.Observe(d.Seconds())
		for {
			old := maxNanos.Load()
			if int64(d) <= old || maxNanos.CompareAndSwap(old, int64(d)) {
				return
			}
		}
	}
	return &media{
		metrics: reg,
		rooms:   conference.MixerRooms(observe),
		store:   store,
	}, nil
}

func (m *media) Close() { _ = m.store.Close() }
