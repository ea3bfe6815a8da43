package webrtc

import (
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
)

// Labels of confgw_webrtc_offers_refused_total.
const (
	refusedInvalid = "invalid_sdp"
	refusedCodec   = "no_supported_codec"
	refusedFull    = "full"
	// RefusedRate is an offer refused before it reached the server, for
	// coming too fast from one participant.
	RefusedRate = "rate"
)

// counters are the server's totals over all sessions, kept as atomics so
// that a packet costs one add and no label lookup.
type counters struct {
	packetsIn, packetsOut, concealed atomic.Uint64
	droppedIn, droppedOut            atomic.Uint64
	sharedEncodes                    atomic.Uint64
}

type metrics struct {
	ended   *prometheus.CounterVec
	refused *prometheus.CounterVec
}

func newMetrics() metrics {
	m := metrics{
		ended: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "confgw_webrtc_sessions_ended_total",
			Help: "App audio sessions ended, by reason.",
		}, []string{"reason"}),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "confgw_webrtc_offers_refused_total",
			Help: "WebRTC offers refused before a session was made, by reason.",
		}, []string{"reason"}),
	}
	// Zero series for every label an alert might watch, present from start.
	for _, r := range []string{ReasonLeft, ReasonICEFailed, ReasonDTLSFailed, ReasonTimedOut, ReasonShutdown, ReasonFailed} {
		m.ended.WithLabelValues(r)
	}
	for _, r := range []string{refusedInvalid, refusedCodec, refusedFull, RefusedRate} {
		m.refused.WithLabelValues(r)
	}
	return m
}

// RefuseOffer counts an offer its caller refused before asking for an
// answer, under reason, so that all refusals show in one metric.
func (s *Server) RefuseOffer(reason string) {
	s.metrics.refused.WithLabelValues(reason).Inc()
}

// Collectors returns the server's Prometheus collectors, for the caller to
// register where /metrics serves them.
func (s *Server) Collectors() []prometheus.Collector {
	return []prometheus.Collector{
		s.metrics.ended,
		s.metrics.refused,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "confgw_webrtc_sessions",
			Help: "App audio sessions open (connecting or connected).",
		}, func() float64 {
			s.mu.Lock()
			defer s.mu.Unlock()
			return float64(len(s.sessions))
		}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "confgw_webrtc_sessions_limit",
			Help: "The most app audio sessions the server opens (--webrtc-max-sessions).",
		}, func() float64 { return float64(s.cfg.MaxSessions) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name:        "confgw_webrtc_packets_total",
			Help:        "App audio RTP packets, by direction.",
			ConstLabels: prometheus.Labels{"direction": "in"},
		}, func() float64 { return float64(s.totals.packetsIn.Load()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name:        "confgw_webrtc_packets_total",
			Help:        "App audio RTP packets, by direction.",
			ConstLabels: prometheus.Labels{"direction": "out"},
		}, func() float64 { return float64(s.totals.packetsOut.Load()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name:        "confgw_webrtc_frames_dropped_total",
			Help:        "App audio frames given up: in, a peer sending faster than the room plays or past 200 packets a second; out, a session's sender falling behind the room.",
			ConstLabels: prometheus.Labels{"direction": "in"},
		}, func() float64 { return float64(s.totals.droppedIn.Load()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name:        "confgw_webrtc_frames_dropped_total",
			Help:        "App audio frames given up: in, a peer sending faster than the room plays or past 200 packets a second; out, a session's sender falling behind the room.",
			ConstLabels: prometheus.Labels{"direction": "out"},
		}, func() float64 { return float64(s.totals.droppedOut.Load()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "confgw_webrtc_shared_frames_total",
			Help: "App audio frames sent from a room's shared encoding of its full mix (encoded once per tick for every silent listener) rather than a session's own encoder.",
		}, func() float64 { return float64(s.totals.sharedEncodes.Load()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "confgw_webrtc_concealed_frames_total",
			Help: "App audio frames lost on the way in and concealed.",
		}, func() float64 { return float64(s.totals.concealed.Load()) }),
	}
}
