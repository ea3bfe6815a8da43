package main

import (
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/confgw/confgw/conference"
	"github.com/confgw/confgw/conference/recording"
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
		Name:    "confgw_mixer_tick_seconds",
		Help:    "Time one room mixer tick takes (20 ms budget).",
		Buckets: prometheus.ExponentialBuckets(1e-6, 4, 10),
	})
	reg.MustRegister(tick)
	return &media{
		metrics: reg,
		rooms:   conference.MixerRooms(func(d time.Duration) { tick.Observe(d.Seconds()) }),
		store:   store,
	}, nil
}

func (m *media) Close() { _ = m.store.Close() }
