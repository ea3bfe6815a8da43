package http

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/confgw/confgw/conference"
)

type metrics struct {
	reg            *prometheus.Registry
	requests       *prometheus.CounterVec
	streams        prometheus.Gauge
	streamsRefused *prometheus.CounterVec
	streamNotices  *prometheus.CounterVec
	// authFailures counts refused credentials by why, guesses apart from
	// stale tokens, so that an alert can tell an attack from a client
	// holding on to an old token.
	authFailures *prometheus.CounterVec
}

func newMetrics(reg *prometheus.Registry, confs *conference.Registry) *metrics {
	m := &metrics{
		reg: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "confgw_api_requests_total",
			Help: "API requests by route, method and status.",
		}, []string{"route", "method", "status"}),
		streams: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "confgw_event_streams",
			Help: "Events streams open.",
		}),
		streamsRefused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "confgw_event_streams_refused_total",
			Help: "Events streams refused by reason: too_many_streams (per token) or streams_full (overall).",
		}, []string{"reason"}),
		streamNotices: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "confgw_event_stream_notices_total",
			Help: "Streams told stream.lagged (cut for lagging) or stream.reset (resumed past the replay window).",
		}, []string{"type"}),
		authFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "confgw_auth_failures_total",
			Help: "Failed authentications by reason.",
		}, []string{"reason"}),
	}
	for _, r := range []conference.Code{codeTooManyStreams, codeStreamsFull} {
		m.streamsRefused.WithLabelValues(string(r))
	}
	for _, n := range []string{conference.EventStreamLagged, conference.EventStreamReset} {
		m.streamNotices.WithLabelValues(n)
	}
	// Every reason is exported from the start, so that a rate over it reads
	// zero rather than nothing before the first failure.
	for _, r := range authFailureReasons {
		m.authFailures.WithLabelValues(r)
	}
	reg.MustRegister(m.requests, m.streams, m.streamsRefused, m.streamNotices, m.authFailures, &stateCollector{reg: confs},
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// observe counts requests by route pattern, not by path, so ids do not blow
// up the label space.
func (s *Server) observe(c *gin.Context) {
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	s.metrics.requests.WithLabelValues(route, c.Request.Method, strconv.Itoa(c.Writer.Status())).Inc()
}

var (
	conferencesDesc  = prometheus.NewDesc("confgw_conferences", "Conferences running.", nil, nil)
	roomsDesc        = prometheus.NewDesc("confgw_rooms", "Rooms, main rooms included.", nil, nil)
	participantsDesc = prometheus.NewDesc("confgw_participants", "Participants by kind.", []string{"kind"}, nil)
	bansDesc         = prometheus.NewDesc("confgw_bans", "Bans held, all conferences together.", nil, nil)
	mostBansDesc     = prometheus.NewDesc("confgw_bans_most_per_conference",
		"The most bans one conference holds; bans past --max-bans are refused (409 ban_limit_reached).", nil, nil)
)

// stateCollector reads the registry at scrape time, so the figures can
// never drift from the state they describe.
type stateCollector struct{ reg *conference.Registry }

func (sc *stateCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- conferencesDesc
	ch <- roomsDesc
	ch <- participantsDesc
	ch <- bansDesc
	ch <- mostBansDesc
}

func (sc *stateCollector) Collect(ch chan<- prometheus.Metric) {
	st := sc.reg.Stats()
	ch <- prometheus.MustNewConstMetric(conferencesDesc, prometheus.GaugeValue, float64(st.Conferences))
	ch <- prometheus.MustNewConstMetric(roomsDesc, prometheus.GaugeValue, float64(st.Rooms))
	ch <- prometheus.MustNewConstMetric(bansDesc, prometheus.GaugeValue, float64(st.Bans))
	ch <- prometheus.MustNewConstMetric(mostBansDesc, prometheus.GaugeValue, float64(st.MostBans))
	for kind, n := range st.Participants {
		ch <- prometheus.MustNewConstMetric(participantsDesc, prometheus.GaugeValue, float64(n), string(kind))
	}
}
