package gateway

import (
	"strconv"
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/confgw/confgw/rtp/rtpsession"
)

// Metrics are the gateway's Prometheus collectors. Counters of RTP traffic
// add the legs still up to those already gone, so they never go down.
type Metrics struct {
	g *Gateway

	legs      *prometheus.Desc
	packets   *prometheus.Desc
	lost      *prometheus.Desc
	late      *prometheus.Desc
	concealed *prometheus.Desc
	dropped   *prometheus.Desc
	depth     *prometheus.Desc
	responses *prometheus.CounterVec
	shed      *prometheus.CounterVec
	setup     *prometheus.Desc
	unacked   prometheus.Counter
	takenBack *prometheus.Desc
	refused   *prometheus.CounterVec
	tcpOpen   *prometheus.Desc
	tcpRefuse *prometheus.Desc
	tcpClosed *prometheus.Desc
	rtcp      *prometheus.Desc
	rtcpDrop  *prometheus.Desc

	// Quality, observed per RTCP report sent or received on any leg:
	// distributions across calls rather than a series per call.
	lossPct       prometheus.Histogram
	jitter        prometheus.Histogram
	rtt           prometheus.Histogram
	mos           prometheus.Histogram
	qualityEvents *prometheus.CounterVec
	keypad        *prometheus.CounterVec

	mu      sync.Mutex
	retired rtpsession.Stats
}

func newMetrics(g *Gateway) *Metrics {
	shed := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "confgw_calls_shed_total",
		Help: "New calls answered 503 with Retry-After because the gateway was overloaded, by reason: tick_late (room ticks starting late) or setup_queue (too many calls in set-up).",
	}, []string{"reason"})
	// Both series exist from the start, so a rate() over them reads 0, not
	// nothing, before the first shed call.
	shed.WithLabelValues(ShedTickLate)
	shed.WithLabelValues(ShedSetupQueue)
	m := &Metrics{
		shed:  shed,
		setup: prometheus.NewDesc("confgw_calls_in_setup", "Dial-in calls being set up: INVITEs taken in, not yet answered and in their conference.", nil, nil),
		g:     g,
		legs: prometheus.NewDesc("confgw_phone_legs", "Phone legs up now, by direction and state.",
			[]string{"direction", "state"}, nil),
		packets: prometheus.NewDesc("confgw_rtp_packets_total", "RTP packets received (in) and sent (out) on phone legs.",
			[]string{"direction"}, nil),
		lost:      prometheus.NewDesc("confgw_rtp_packets_lost_total", "Audio never received in time to play, in 20 ms frames (a lost 30 ms packet counts 1.5, rounded up).", nil, nil),
		late:      prometheus.NewDesc("confgw_rtp_packets_late_total", "RTP packets that arrived after their turn to play.", nil, nil),
		concealed: prometheus.NewDesc("confgw_rtp_frames_concealed_total", "Audio frames made up by loss concealment.", nil, nil),
		dropped: prometheus.NewDesc("confgw_rtp_packets_dropped_total",
			"RTP received but not played, by reason: packets, except overflow and skipped, which count 20 ms frames and mean audio arrives faster than the room plays it; srtp_auth counts SRTP packets that failed authentication (forged, damaged or under an old key), srtp_replay those received before.",
			[]string{"reason"}, nil),
		depth: prometheus.NewDesc("confgw_rtp_jitter_buffer_packets", "Audio waiting in the jitter buffers of all legs, in 20 ms frames.", nil, nil),
		responses: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "confgw_sip_responses_total",
			Help: "Final SIP responses to INVITEs and other requests, sent by us or received for our INVITEs.",
		}, []string{"direction", "status"}),
		unacked: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "confgw_calls_unacked_total",
			Help: "Dial-in calls answered but never acknowledged (no ACK within the ACK timeout), hung up with a BYE.",
		}),
		takenBack: prometheus.NewDesc("confgw_calls_unacked_taken_back_total",
			"Dial-in calls awaiting their ACK hung up early to make room, at --max-unacked, for a source holding fewer: counted in confgw_calls_unacked_total too.", nil, nil),
		tcpOpen: prometheus.NewDesc("confgw_sip_tcp_connections", "SIP-TCP connections accepted and open now.", nil, nil),
		tcpRefuse: prometheus.NewDesc("confgw_sip_tcp_refused_total",
			"SIP-TCP connections closed at accept, by the cap they hit: max_conns or max_conns_per_source.", []string{"reason"}, nil),
		tcpClosed: prometheus.NewDesc("confgw_sip_tcp_closed_total",
			"SIP-TCP connections the gateway cut, by reason: idle, message_timeout (a message not whole in time) or too_large (over the size limit, answered 513).",
			[]string{"reason"}, nil),
		rtcp: prometheus.NewDesc("confgw_rtcp_packets_total", "RTCP compound reports received (in) and sent (out) on phone legs.",
			[]string{"direction"}, nil),
		rtcpDrop: prometheus.NewDesc("confgw_rtcp_packets_dropped_total",
			"RTCP datagrams not used: malformed, not from the leg's phone, past --rtcp-burst in an interval, or on an SRTP leg not authenticated (in the clear, tampered or replayed SRTCP).", nil, nil),
		lossPct: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "confgw_phone_loss_percent",
			Help:    "Packet loss of phone legs, the worse direction, per RTCP report sent or received.",
			Buckets: []float64{0.5, 1, 2, 3, 5, 10, 20, 50},
		}),
		jitter: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "confgw_phone_jitter_seconds",
			Help:    "Interarrival jitter of phones' audio (RFC 3550), per RTCP report sent or received.",
			Buckets: []float64{0.002, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.2},
		}),
		rtt: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "confgw_phone_rtt_seconds",
			Help:    "Round-trip time to phones from their RTCP reports.",
			Buckets: []float64{0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 1},
		}),
		mos: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "confgw_phone_mos",
			Help:    "E-model MOS estimate of phone calls (ITU-T G.107, 1 to 4.5), per RTCP report sent or received.",
			Buckets: []float64{1.5, 2, 2.5, 3, 3.5, 3.8, 4, 4.2, 4.4},
		}),
		qualityEvents: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "confgw_phone_quality_events_total",
			Help: "participant.quality events: legs whose loss stayed past --quality-loss for --quality-window (poor) and legs back under half of it as long (recovered).",
		}, []string{"reason"}),
		keypad: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "confgw_keypad_commands_total",
			Help: "Phone callers' keypad commands (*6 mute, *1 hand, *0 help), by command and result: ok, mute_locked (a host locked the caller's mute), keypad_off (the conference ignores keys), rate_limited (past --keypad-burst and --keypad-rate) or failed.",
		}, []string{"command", "result"}),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "confgw_calls_refused_total",
			Help: "Dial-in calls refused before any port was taken, by the cap they hit, or banned: a number a host banned from the conference it called.",
		}, []string{"reason"}),
	}
	// Every reason shows from the start, so that a rate over it is defined.
	for _, r := range []string{refuseCalls, refuseUnacked, refuseUnackedBySource, refuseRate, refuseSources, refuseBanned} {
		m.refused.WithLabelValues(r)
	}
	m.qualityEvents.WithLabelValues("poor")
	m.qualityEvents.WithLabelValues("recovered")
	for _, c := range []command{cmdMute, cmdHand, cmdHelp} {
		m.keypad.WithLabelValues(string(c), "ok")
	}
	return m
}

func (m *Metrics) observeQuality(q rtpsession.Quality) {
	m.lossPct.Observe(q.WorstLossPct)
	m.jitter.Observe(q.Jitter.Seconds())
	m.mos.Observe(q.MOS)
	if q.HasRTT {
		m.rtt.Observe(q.RTT.Seconds())
	}
}

// Metrics returns the gateway's collectors, to register where the API
// serves /metrics.
func (g *Gateway) Metrics() *Metrics { return g.metrics }

// Collectors lists what to register.
func (m *Metrics) Collectors() []prometheus.Collector {
	return []prometheus.Collector{m, m.responses, m.shed, m.unacked, m.refused,
		m.lossPct, m.jitter, m.rtt, m.mos, m.qualityEvents, m.keypad}
}

// Register adds the collectors to r.
func (m *Metrics) Register(r prometheus.Registerer) error {
	for _, c := range m.Collectors() {
		if err := r.Register(c); err != nil {
			return err
		}
	}
	return nil
}

func (m *Metrics) observeResponse(sent bool, status int) {
	dir := "received"
	if sent {
		dir = "sent"
	}
	m.responses.WithLabelValues(dir, strconv.Itoa(status)).Inc()
}

// retire folds a finished leg's counters into the totals.
func (m *Metrics) retire(s rtpsession.Stats) {
	m.mu.Lock()
	defer m.mu.Unlock()
	addCounters(&m.retired, s)
}

// addCounters adds the counters the metrics export.
func addCounters(total *rtpsession.Stats, s rtpsession.Stats) {
	total.PacketsIn += s.PacketsIn
	total.PacketsOut += s.PacketsOut
	total.Lost += s.Lost
	total.Late += s.Late
	total.Concealed += s.Concealed
	total.Overflow += s.Overflow
	total.Skipped += s.Skipped
	total.Duplicates += s.Duplicates
	total.WrongPayloadType += s.WrongPayloadType
	total.Malformed += s.Malformed
	total.Stray += s.Stray
	total.BadFrames += s.BadFrames
	total.RTCPIn += s.RTCPIn
	total.RTCPOut += s.RTCPOut
	total.RTCPDropped += s.RTCPDropped
	total.SRTPAuthFailed += s.SRTPAuthFailed
	total.SRTPReplayed += s.SRTPReplayed
}

// Describe implements prometheus.Collector.
func (m *Metrics) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{m.legs, m.packets, m.lost, m.late, m.concealed, m.dropped, m.depth, m.setup,
		m.tcpOpen, m.tcpRefuse, m.tcpClosed, m.rtcp, m.rtcpDrop, m.takenBack} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (m *Metrics) Collect(ch chan<- prometheus.Metric) {
	m.mu.Lock()
	total := m.retired
	m.mu.Unlock()
	type key struct{ dir, state string }
	counts := map[key]int{}
	for _, dir := range []string{"dial-in", "dial-out"} {
		for _, st := range []string{stateRinging, stateAwaitingAck, statePIN, stateConnected} {
			counts[key{dir, st}] = 0
		}
	}
	depth := 0
	for _, l := range m.g.liveLegs() {
		state, dir, s := l.snapshot()
		if state != "" {
			counts[key{dir, state}]++
		}
		addCounters(&total, s)
		depth += s.JitterDepth
	}
	for k, n := range counts {
		ch <- prometheus.MustNewConstMetric(m.legs, prometheus.GaugeValue, float64(n), k.dir, k.state)
	}
	ch <- prometheus.MustNewConstMetric(m.packets, prometheus.CounterValue, float64(total.PacketsIn), "in")
	ch <- prometheus.MustNewConstMetric(m.packets, prometheus.CounterValue, float64(total.PacketsOut), "out")
	ch <- prometheus.MustNewConstMetric(m.lost, prometheus.CounterValue, float64(total.Lost))
	ch <- prometheus.MustNewConstMetric(m.late, prometheus.CounterValue, float64(total.Late))
	ch <- prometheus.MustNewConstMetric(m.concealed, prometheus.CounterValue, float64(total.Concealed))
	for reason, n := range map[string]uint64{
		"overflow": total.Overflow, "skipped": total.Skipped, "duplicate": total.Duplicates,
		"wrong_payload_type": total.WrongPayloadType, "malformed": total.Malformed,
		"stray": total.Stray, "bad_frame": total.BadFrames,
		"srtp_auth": total.SRTPAuthFailed, "srtp_replay": total.SRTPReplayed,
	} {
		ch <- prometheus.MustNewConstMetric(m.dropped, prometheus.CounterValue, float64(n), reason)
	}
	ch <- prometheus.MustNewConstMetric(m.depth, prometheus.GaugeValue, float64(depth))
	ch <- prometheus.MustNewConstMetric(m.takenBack, prometheus.CounterValue, float64(m.g.admission.takenBack()))
	ch <- prometheus.MustNewConstMetric(m.rtcp, prometheus.CounterValue, float64(total.RTCPIn), "in")
	ch <- prometheus.MustNewConstMetric(m.rtcp, prometheus.CounterValue, float64(total.RTCPOut), "out")
	ch <- prometheus.MustNewConstMetric(m.rtcpDrop, prometheus.CounterValue, float64(total.RTCPDropped))
	ch <- prometheus.MustNewConstMetric(m.setup, prometheus.GaugeValue, float64(m.g.SetupCalls()))
	tcp := m.g.sip.TCPStats()
	ch <- prometheus.MustNewConstMetric(m.tcpOpen, prometheus.GaugeValue, float64(tcp.Open))
	for reason, n := range tcp.Refused {
		ch <- prometheus.MustNewConstMetric(m.tcpRefuse, prometheus.CounterValue, float64(n), reason)
	}
	for reason, n := range tcp.Closed {
		ch <- prometheus.MustNewConstMetric(m.tcpClosed, prometheus.CounterValue, float64(n), reason)
	}
}
