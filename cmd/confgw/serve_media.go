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
	// lateness is how late the rooms' ticks start, the overload signal
	// admission reads.
	lateness *mixer.Lateness
}

func newMedia(cfg serveConfig, log *slog.Logger) (*media, error) {
	if cfg.MixGate > 0 || cfg.MixGateHangover < 0 {
		return nil, fmt.Errorf("--mix-gate %v --mix-gate-hangover %v: want a level of 0 or below and a hangover of 0 or more", cfg.MixGate, cfg.MixGateHangover)
	}
	if cfg.SpeakingLevel >= 0 || cfg.SpeakingLevel < -96 {
		return nil, fmt.Errorf("--speaking-level %v: want a level between -96 and 0 dBov", cfg.SpeakingLevel)
	}
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
	lateness := &mixer.Lateness{}
	late := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "confgw_mixer_tick_late_seconds",
		Help: "The worst delay, over the last second, between when a room mixer tick was due and when it started; new calls are shed past --shed-tick-late.",
	}, func() float64 { return lateness.Worst().Seconds() })
	if err := reg.Register(late); err != nil {
		_ = store.Close()
		return nil, fmt.Errorf("mixer metrics: %w", err)
	}
	opts := []mixer.Option{mixer.WithLateness(lateness.Observe), mixer.WithSpeakingLevel(cfg.SpeakingLevel)}
	if cfg.MixGate < 0 {
		opts = append(opts, mixer.WithGate(cfg.MixGate, cfg.MixGateHangover))
	}
	return &media{
		metrics:  reg,
		rooms:    conference.MixerRooms(observe, opts...),
		store:    store,
		lateness: lateness,
	}, nil
}

func (m *media) Close() { _ = m.store.Close() }
