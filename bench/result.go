package main

import (
	"math"
)

// holdResult is every figure of one hold run against one server.
type holdResult struct {
	Target       string `json:"target"`
	Generator    string `json:"generator"`
	Legs         int    `json:"legs"`
	Rate         int    `json:"setup_rate"`
	AllUp        bool   `json:"all_legs_up"`
	LegsInWindow int    `json:"legs_in_window_min"`

	WindowSeconds   float64 `json:"window_seconds"`
	CPUSeconds      float64 `json:"cpu_seconds"`
	CPUPerLegMinute float64 `json:"cpu_seconds_per_leg_minute"`
	IdleRSSKiB      int64   `json:"idle_rss_kib"`
	PeakRSSKiB      int64   `json:"peak_rss_kib"`
	HWMKiB          int64   `json:"vm_hwm_kib"`
	RSSPerLegKiB    float64 `json:"rss_per_leg_kib"`

	Failed      int `json:"failed_calls"`
	Established int `json:"established_calls"`

	BackPPSPerLeg   float64 `json:"rtp_back_pps_per_leg"`
	BackMethod      string  `json:"rtp_back_method"`
	UDPOutPPSPerLeg float64 `json:"udp_out_pps_per_leg"`
	// CallerPPSPerLeg is what reached sipp's callers, counted at their
	// socket: a check on the server's own count.
	CallerPPSPerLeg float64 `json:"caller_received_pps_per_leg,omitempty"`
	// MetricsScrapeMs is how long /metrics took to answer at the window's
	// end: seconds mean the gateway is starved.
	MetricsScrapeMs float64 `json:"metrics_scrape_ms,omitempty"`

	// confgw's own counters over the window; per leg unless said.
	InPPSPerLeg     float64            `json:"rtp_in_pps_per_leg,omitempty"`
	Frames          float64            `json:"frames_in,omitempty"`
	ConcealedPerLeg float64            `json:"concealed_per_leg"`
	LatePerLeg      float64            `json:"late_per_leg"`
	LostPerLeg      float64            `json:"lost_per_leg"`
	DroppedPerLeg   float64            `json:"dropped_per_leg"`
	DroppedByReason map[string]float64 `json:"dropped_by_reason,omitempty"`
	BadFramesPct    float64            `json:"concealed_dropped_pct"`
	Ticks           float64            `json:"ticks,omitempty"`
	TicksPerSecond  float64            `json:"ticks_per_second,omitempty"`
	TickP50ms       float64            `json:"tick_p50_ms,omitempty"`
	TickP99ms       float64            `json:"tick_p99_ms,omitempty"`
	// TickMaxms is the upper bound of the window's slowest tick's bucket;
	// TickMaxSinceStartms the server's own maximum, call set-up included.
	TickMaxms           float64 `json:"tick_max_ms,omitempty"`
	TickMaxSinceStartms float64 `json:"tick_max_since_start_ms,omitempty"`

	Sipp     *sippOutcome    `json:"sipp,omitempty"`
	Loadtest *loadtestResult `json:"loadtest,omitempty"`
	Profile  *profileResult  `json:"profile,omitempty"`
}

// fill works the figures out of the window; idleUDP is the machine's UDP
// send rate before the calls.
func (r *holdResult) fill(w window, idleUDP float64) {
	secs := w.seconds()
	r.WindowSeconds = secs
	r.LegsInWindow = w.legsMin
	// Per-leg figures divide by the legs that were really up, should fewer
	// than asked have made it.
	legs := float64(r.Legs)
	if w.legsMin > 0 && w.legsMin < r.Legs {
		legs = float64(w.legsMin)
	}
	r.CPUSeconds = w.end.cpu - w.start.cpu
	r.MetricsScrapeMs = float64(w.end.scrape.Microseconds()) / 1000
	r.CPUPerLegMinute = r.CPUSeconds / (legs * secs / 60)
	r.PeakRSSKiB, r.HWMKiB = w.peakRSS, w.hwm
	r.RSSPerLegKiB = float64(w.peakRSS-r.IdleRSSKiB) / legs
	udp := float64(w.end.udpOut-w.start.udpOut)/secs - idleUDP
	r.UDPOutPPSPerLeg = max(udp, 0) / legs
	if r.Generator == "sipp" {
		r.CallerPPSPerLeg = float64(w.end.drops-w.start.drops) / secs / legs
	}

	switch {
	case r.Target == "confgw":
		r.fillConfgw(w, legs)
	case r.Generator == "loadtest" && r.Loadtest != nil && r.Loadtest.ReceivedPPSPerLeg.Mean > 0:
		r.BackPPSPerLeg = r.Loadtest.ReceivedPPSPerLeg.Mean
		r.BackMethod = "generator received_pps_per_leg"
	case r.Generator == "sipp":
		r.BackPPSPerLeg = r.CallerPPSPerLeg
		r.BackMethod = "drops delta of the callers' unread media socket (/proc/net/udp)"
	default:
		r.BackPPSPerLeg = r.UDPOutPPSPerLeg
		r.BackMethod = "/proc/net/snmp Udp OutDatagrams less the idle rate"
	}
}

func (r *holdResult) fillConfgw(w window, legs float64) {
	secs := w.seconds()
	a, b := w.start.metrics, w.end.metrics
	d := func(name string, labels map[string]string) float64 {
		return b.sum(name, labels) - a.sum(name, labels)
	}
	out := d("confgw_rtp_packets_total", map[string]string{"direction": "out"})
	in := d("confgw_rtp_packets_total", map[string]string{"direction": "in"})
	r.BackPPSPerLeg = out / secs / legs
	r.BackMethod = `confgw_rtp_packets_total{direction="out"}`
	r.InPPSPerLeg = in / secs / legs
	// With 20 ms packets a packet in is a frame to play.
	r.Frames = in
	concealed := d("confgw_rtp_frames_concealed_total", nil)
	r.ConcealedPerLeg = concealed / legs
	r.LatePerLeg = d("confgw_rtp_packets_late_total", nil) / legs
	r.LostPerLeg = d("confgw_rtp_packets_lost_total", nil) / legs
	before := a.byLabel("confgw_rtp_packets_dropped_total", "reason")
	r.DroppedByReason = map[string]float64{}
	var dropped float64
	for reason, v := range b.byLabel("confgw_rtp_packets_dropped_total", "reason") {
		r.DroppedByReason[reason] = v - before[reason]
		dropped += v - before[reason]
	}
	r.DroppedPerLeg = dropped / legs
	if in > 0 {
		r.BadFramesPct = 100 * (concealed + dropped) / in
	}
	r.Ticks = d("confgw_mixer_tick_seconds_count", nil)
	r.TicksPerSecond = r.Ticks / secs
	ba, errA := a.buckets("confgw_mixer_tick_seconds")
	bb, errB := b.buckets("confgw_mixer_tick_seconds")
	if errA == nil && errB == nil {
		if delta, err := deltaBuckets(ba, bb); err == nil {
			r.TickP50ms = finite(quantile(0.50, delta) * 1000)
			r.TickP99ms = finite(quantile(0.99, delta) * 1000)
			r.TickMaxms = finite(maxBound(delta) * 1000)
		}
	}
	r.TickMaxSinceStartms = b.sum("confgw_mixer_tick_max_seconds", nil) * 1000
}

// finite keeps NaN, which JSON cannot hold, out of the results.
func finite(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return 0
	}
	return x
}
