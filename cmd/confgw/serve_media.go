package main

import (
	"fmt"
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/confgw/confgw/conference"
	"github.com/confgw/confgw/mixer"
	"github.com/confgw/confgw/recording"
)

// media is what serve builds for audio: room mixers, the recording store
// and the metrics registry they report to.
type media struct {
	metrics *prometheus.Registry
	rooms   func(conferenceID, roomID string) conference.RoomMedia
	store   *recording.Store
}

func newMedia(cfg serveConfig, log *slog.Logger) (*media, error) {
	store, err := recording.NewStore(cfg.DataDir, recording.WithLogger(log))
	if err != nil {
		return nil, fmt.Errorf("--data-dir: %w", err)
	}
	reg := prometheus.NewRegistry()
	observe, err := mixer.RegisterTickMetrics(reg)
	if err != nil {
		_ = store.Close()
		return nil, err
	}
	return &media{
		metrics: reg,
		rooms:   conference.MixerRooms(observe),
		store:   store,
	}, nil
}

func (m *media) Close() { _ = m.store.Close() }
