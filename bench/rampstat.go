package main

import (
	"fmt"
	"maps"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// rampSample is one look at the server during a ramp, taken every second:
// the /metrics scrape cut down to what the ramp reports, the server's CPU,
// and what has reached the held callers.
type rampSample struct {
	At time.Time
	// ScrapeMs is how long /metrics took to answer, or how long it was
	// given before the scrape was given up when ScrapeErr is set.
	ScrapeMs  float64
	ScrapeErr string

	// CPU is the server's user and system seconds so far; CPUOK whether
	// they could be read.
	CPU   float64
	CPUOK bool
	// HeldRecv is the drops counter of the held callers' media socket,
	// which sipp never reads: every packet that reaches them.
	HeldRecv   uint64
	HeldRecvOK bool

	// The rest is from /metrics, valid when ScrapeErr is empty.
	Shed      map[string]float64
	TickLate  float64
	Ticks     []bucket
	RTPIn     float64
	RTPOut    float64
	Concealed float64
	Dropped   float64
	// Sent is the server's final responses sent, by status.
	Sent map[string]float64
	Legs float64
}

// fromMetrics fills the sample's /metrics figures.
func (s *rampSample) fromMetrics(m metricSet) {
	s.Shed = m.byLabel("confgw_calls_shed_total", "reason")
	s.TickLate = m.sum("confgw_mixer_tick_late_seconds", nil)
	s.Ticks, _ = m.buckets("confgw_mixer_tick_seconds")
	s.RTPIn = m.sum("confgw_rtp_packets_total", map[string]string{"direction": "in"})
	s.RTPOut = m.sum("confgw_rtp_packets_total", map[string]string{"direction": "out"})
	s.Concealed = m.sum("confgw_rtp_frames_concealed_total", nil)
	s.Dropped = m.sum("confgw_rtp_packets_dropped_total", nil)
	s.Sent = map[string]float64{}
	for _, x := range m {
		if x.name == "confgw_sip_responses_total" && x.labels["direction"] == "sent" {
			s.Sent[x.labels["status"]] += x.value
		}
	}
	s.Legs = m.sum("confgw_phone_legs", map[string]string{"state": "connected"})
}

// stepServer is what the server showed over one step of the ramp.
type stepServer struct {
	Scrapes        int     `json:"scrapes"`
	ScrapeFailures int     `json:"scrape_failures"`
	ScrapeMaxMs    float64 `json:"scrape_max_ms"`
	// Shed is confgw_calls_shed_total's delta, by reason.
	Shed map[string]float64 `json:"shed"`
	// Sent503 and Sent5xxOther are the server's own count of the 503s and
	// other 5xx it sent (confgw_sip_responses_total{direction="sent"}).
	Sent503      float64 `json:"sent_503"`
	Sent5xxOther float64 `json:"sent_5xx_other"`
	// TickLateMaxMs is the highest confgw_mixer_tick_late_seconds seen:
	// each reading is the worst of the second before it.
	TickLateMaxMs float64 `json:"tick_late_max_ms"`
	TickP99Ms     float64 `json:"tick_p99_ms"`
	TickMaxMs     float64 `json:"tick_max_ms"`
	CPUSeconds    float64 `json:"server_cpu_seconds"`
	// CPUCores is CPU seconds per second of the step.
	CPUCores float64 `json:"server_cpu_cores"`
	// HeldPPS is the packets a second that reached each held leg.
	HeldPPS float64 `json:"held_pps_per_leg"`
	// BadPct is the gateway's concealed plus dropped frames over the frames
	// it received, from every leg, the step's own calls included.
	BadPct   float64 `json:"concealed_dropped_pct"`
	FramesIn float64 `json:"frames_in"`
	LegsMax  float64 `json:"legs_max"`
}

// shedTotal adds every reason up.
func (s stepServer) shedTotal() float64 {
	var t float64
	for _, v := range s.Shed {
		t += v
	}
	return t
}

// aggregateStep works out a step's figures from the samples between start
// and end. Counters are differenced between the last good sample at or
// before each end, so a second with a failed scrape costs a second of
// resolution, not the step; held is how many held legs the packets are
// shared among.
func aggregateStep(samples []rampSample, start, end time.Time, held int) stepServer {
	var st stepServer
	scraped := func(s *rampSample) bool { return s.ScrapeErr == "" }
	cpu := func(s *rampSample) bool { return s.CPUOK }
	recv := func(s *rampSample) bool { return s.HeldRecvOK }
	for i := range samples {
		s := &samples[i]
		if s.At.Before(start) || !s.At.Before(end) {
			continue
		}
		st.Scrapes++
		if s.ScrapeErr != "" {
			st.ScrapeFailures++
		}
		st.ScrapeMaxMs = max(st.ScrapeMaxMs, s.ScrapeMs)
		if scraped(s) {
			st.TickLateMaxMs = max(st.TickLateMaxMs, s.TickLate*1000)
			st.LegsMax = max(st.LegsMax, s.Legs)
		}
	}
	if a, b, secs := bracket(samples, start, end, scraped); a != nil {
		st.Shed = map[string]float64{}
		for r, v := range b.Shed {
			st.Shed[r] = v - a.Shed[r]
		}
		for code, v := range b.Sent {
			d := v - a.Sent[code]
			switch {
			case code == "503":
				st.Sent503 += d
			case strings.HasPrefix(code, "5"):
				st.Sent5xxOther += d
			}
		}
		st.FramesIn = b.RTPIn - a.RTPIn
		if st.FramesIn > 0 {
			st.BadPct = 100 * ((b.Concealed - a.Concealed) + (b.Dropped - a.Dropped)) / st.FramesIn
		}
		if d, err := deltaBuckets(a.Ticks, b.Ticks); err == nil && secs > 0 {
			st.TickP99Ms = finite(quantile(0.99, d) * 1000)
			st.TickMaxMs = finite(maxBound(d) * 1000)
		}
	}
	if a, b, secs := bracket(samples, start, end, cpu); a != nil && secs > 0 {
		st.CPUSeconds = b.CPU - a.CPU
		st.CPUCores = st.CPUSeconds / secs
	}
	if a, b, secs := bracket(samples, start, end, recv); a != nil && secs > 0 && held > 0 {
		st.HeldPPS = float64(b.HeldRecv-a.HeldRecv) / secs / float64(held)
	}
	return st
}

// bracket picks the samples that bound a step for a figure: the last one
// with it at or before start (the first after, when none is) and the last
// at or before end; nil when the step has no two such samples.
func bracket(samples []rampSample, start, end time.Time, ok func(*rampSample) bool) (a, b *rampSample, secs float64) {
	for i := range samples {
		s := &samples[i]
		if !ok(s) || s.At.After(end) {
			continue
		}
		if !s.At.After(start) || a == nil {
			a = s
		}
		b = s
	}
	if a == nil || b == nil || !b.At.After(a.At) {
		return nil, nil, 0
	}
	return a, b, b.At.Sub(a.At).Seconds()
}

// sippAbortRE finds the calls sipp gave up on an unexpected message, and
// what that message was: a response's status or a request's method.
var sippAbortRE = regexp.MustCompile(`Aborting call on unexpected message for Call-Id '([^']*)'.*?received '(?:SIP/2\.0 ([0-9]{3})|([A-Z]+) )`)

// sippFailures reads sipp's -error_file: each call aborted on an unexpected
// message counts once, by the status of the response (a 503 is a call
// refused) or the method of the request it got instead.
func sippFailures(errLog string) map[string]int {
	out := map[string]int{}
	seen := map[string]bool{}
	for _, m := range sippAbortRE.FindAllStringSubmatch(errLog, -1) {
		if seen[m[1]] {
			continue
		}
		seen[m[1]] = true
		if m[2] != "" {
			out[m[2]]++
		} else {
			out[m[3]]++
		}
	}
	return out
}

// sippFailureKinds completes the failures found in the error log with
// sipp's own counters for calls that never got an answer: what is left of
// failed is a timeout when sipp ran out of retransmissions or of patience,
// "other" otherwise.
func sippFailureKinds(byStatus map[string]int, failed int, st *sippStats) map[string]int {
	out := maps.Clone(byStatus)
	if out == nil {
		out = map[string]int{}
	}
	left := failed
	for _, n := range byStatus {
		left -= n
	}
	if left <= 0 {
		return out
	}
	timeouts := 0
	if st != nil {
		for _, col := range []string{"FailedMaxUDPRetrans(C)", "FailedTimeoutOnRecv(C)", "FailedTimeoutOnSend(C)"} {
			n, _ := st.last(col)
			timeouts += n
		}
	}
	timeouts = min(timeouts, left)
	if timeouts > 0 {
		out["timeout"] += timeouts
	}
	if left > timeouts {
		out["other"] += left - timeouts
	}
	return out
}

// formatFailures is "503 ×120, timeout ×3", largest first; "-" for none.
func formatFailures(f map[string]int) string {
	type kv struct {
		k string
		n int
	}
	var all []kv
	for k, n := range f {
		if n > 0 {
			all = append(all, kv{k, n})
		}
	}
	if len(all) == 0 {
		return "-"
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].n != all[j].n {
			return all[i].n > all[j].n
		}
		return all[i].k < all[j].k
	})
	parts := make([]string, len(all))
	for i, x := range all {
		parts[i] = fmt.Sprintf("%s ×%d", x.k, x.n)
	}
	return strings.Join(parts, ", ")
}

// parseRates reads -ramp: call rates a second, rising.
func parseRates(s string) ([]int, error) {
	var out []int
	for f := range strings.SplitSeq(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("-ramp %q: want call rates such as 100,150,200", s)
		}
		if len(out) > 0 && n <= out[len(out)-1] {
			return nil, fmt.Errorf("-ramp %q: rates must rise", s)
		}
		out = append(out, n)
	}
	return out, nil
}

// parseGens reads -ramp-gen: sipp, loadtest, or both comma-separated.
func parseGens(s string) ([]string, error) {
	var out []string
	for f := range strings.SplitSeq(s, ",") {
		g := strings.TrimSpace(f)
		if g != "sipp" && g != "loadtest" {
			return nil, fmt.Errorf("-ramp-gen %q: want sipp, loadtest or sipp,loadtest", s)
		}
		out = append(out, g)
	}
	return out, nil
}
