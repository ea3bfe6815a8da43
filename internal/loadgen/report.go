package loadgen

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
)

// framesPerSecond is what a leg hears from a gateway keeping time.
const framesPerSecond = float64(time.Second / frameInterval)

// Report is a run's outcome. Its JSON field names are read by scripts:
// add fields, never rename them.
type Report struct {
	Mode        string         `json:"mode"`
	Legs        int            `json:"legs"`
	Attempted   int            `json:"attempted"`
	Established int            `json:"established"`
	Failed      int            `json:"failed"`
	Failures    map[string]int `json:"failures"`
	// Dropped counts calls the gateway hung up during the hold.
	Dropped int `json:"dropped"`

	HoldSeconds     float64 `json:"hold_seconds"`
	PacketsSent     uint64  `json:"packets_sent"`
	PacketsReceived uint64  `json:"packets_received"`
	// LossRatio in hold mode is the share of the 50 frames a second each
	// leg up should have heard that did not arrive, so a gateway whose
	// mixer falls behind counts as losing; in cps mode it is sequence gaps.
	LossRatio float64 `json:"loss_ratio"`
	// SeqLost counts gaps in the gateway's sequence numbers: packets lost
	// on the wire or in a socket buffer.
	SeqLost           uint64    `json:"seq_lost"`
	ReceivedPPSPerLeg Stats     `json:"received_pps_per_leg"`
	LevelDBFS         Stats     `json:"level_dbfs"`
	SilentLegs        int       `json:"silent_legs"`
	SendErrors        uint64    `json:"send_errors"`
	StrayPackets      uint64    `json:"stray_packets"`
	Sockets           int       `json:"sockets"`
	Sampled           int       `json:"sampled"`
	SampledHearingMix int       `json:"sampled_hearing_mix"`
	MixMinusOK        bool      `json:"mix_minus_ok"`
	Hearing           []Hearing `json:"hearing,omitempty"`

	SetupMS     Percentiles `json:"setup_ms"`
	CPSAchieved float64     `json:"cps_achieved"`

	GeneratorCPUSeconds      float64 `json:"generator_cpu_seconds"`
	GeneratorCPUPerLegMinute float64 `json:"generator_cpu_per_leg_minute"`

	// WebRTC is the app legs' part, when there are any; Gateway the
	// gateway's own metrics around the window, read from its /metrics
	// when there are app legs.
	WebRTC  *AppReport      `json:"webrtc,omitempty"`
	Gateway *GatewayMetrics `json:"gateway,omitempty"`
	// Latency is latency mode's figure.
	Latency *LatencyReport `json:"latency,omitempty"`

	// Problems says why the run failed; empty when it passed.
	Problems []string `json:"problems"`
}

// Stats summarise a per-leg figure.
type Stats struct {
	Mean float64 `json:"mean"`
	Min  float64 `json:"min"`
	Max  float64 `json:"max"`
}

// Percentiles of call set-up time, INVITE to 200, in milliseconds.
type Percentiles struct {
	P50 float64 `json:"p50"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

// OK says whether the run passed.
func (r *Report) OK() bool { return len(r.Problems) == 0 }

type legCounters struct{ sent, received, energy, gaps uint64 }

func snapshot(legs []*leg) []legCounters {
	out := make([]legCounters, len(legs))
	for i, l := range legs {
		out[i] = legCounters{l.sent.Load(), l.received.Load(), l.energy.Load(), l.gaps.Load()}
	}
	return out
}

func stats(v []float64) Stats {
	if len(v) == 0 {
		return Stats{}
	}
	s := Stats{Min: math.Inf(1), Max: math.Inf(-1)}
	for _, x := range v {
		s.Mean += x
		s.Min, s.Max = math.Min(s.Min, x), math.Max(s.Max, x)
	}
	s.Mean /= float64(len(v))
	return Stats{Mean: round(s.Mean, 2), Min: round(s.Min, 2), Max: round(s.Max, 2)}
}

func round(x float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(x*p) / p
}

func percentiles(d []time.Duration) Percentiles {
	if len(d) == 0 {
		return Percentiles{}
	}
	s := slices.Clone(d)
	slices.Sort(s)
	at := func(q float64) float64 {
		i := min(int(math.Ceil(q*float64(len(s))))-1, len(s)-1)
		return round(float64(s[max(i, 0)])/float64(time.Millisecond), 2)
	}
	return Percentiles{P50: at(0.5), P99: at(0.99), Max: at(1)}
}

// holdMedia fills the media figures from the counters at the window's
// edges, over the legs that were up when it opened. A call the gateway
// drops during the window still counts a whole window of expected frames,
// so a drop shows as loss as well as in Dropped.
func (r *Report) holdMedia(legs []*leg, calls []*call, before, after []legCounters, window time.Duration, talkers int) {
	var pps, levels []float64
	var expected float64
	for i := range legs {
		if calls[i] == nil {
			continue
		}
		d := legCounters{
			after[i].sent - before[i].sent, after[i].received - before[i].received,
			after[i].energy - before[i].energy, after[i].gaps - before[i].gaps,
		}
		r.PacketsSent += d.sent
		r.PacketsReceived += d.received
		r.SeqLost += d.gaps
		expected += framesPerSecond * window.Seconds()
		if window > 0 {
			pps = append(pps, float64(d.received)/window.Seconds())
		}
		if d.received == 0 {
			r.SilentLegs++
			continue
		}
		levels = append(levels, dBFS(d.energy, d.received*frameSamples))
	}
	if expected > 0 {
		r.LossRatio = round(math.Max(0, 1-float64(r.PacketsReceived)/expected), 6)
	}
	r.ReceivedPPSPerLeg, r.LevelDBFS = stats(pps), stats(levels)
}

// cpsMedia totals every leg's media; each leg was up for about call-hold.
func (r *Report) cpsMedia(legs []*leg, up time.Duration) {
	var levels []float64
	upLegs := 0
	for _, l := range legs {
		if l.sock == nil {
			continue
		}
		upLegs++
		rx := l.received.Load()
		r.PacketsSent += l.sent.Load()
		r.PacketsReceived += rx
		r.SeqLost += l.gaps.Load()
		if rx == 0 {
			r.SilentLegs++
			continue
		}
		levels = append(levels, dBFS(l.energy.Load(), rx*frameSamples))
	}
	if n := r.PacketsReceived + r.SeqLost; n > 0 {
		r.LossRatio = round(float64(r.SeqLost)/float64(n), 6)
	}
	if upLegs > 0 && up > 0 {
		mean := float64(r.PacketsReceived) / up.Seconds()
		r.ReceivedPPSPerLeg = Stats{Mean: round(mean, 2), Min: round(mean, 2), Max: round(mean, 2)}
	}
	r.LevelDBFS = stats(levels)
}

func (r *Report) setCPU(cpu time.Duration, legMinutes float64) {
	r.GeneratorCPUSeconds = round(cpu.Seconds(), 3)
	if legMinutes > 0 {
		r.GeneratorCPUPerLegMinute = round(cpu.Seconds()/legMinutes, 5)
	}
}

func (r *Report) tally(sockets []*rtpSocket) {
	r.Sockets = len(sockets)
	for _, s := range sockets {
		r.SendErrors += s.sendErrors.Load()
		r.StrayPackets += s.strays.Load()
	}
	r.Sampled = len(r.Hearing)
	r.MixMinusOK = true
	for _, h := range r.Hearing {
		if h.OK() {
			r.SampledHearingMix++
		}
		if h.Self {
			r.MixMinusOK = false
		}
	}
}

// finish lists what makes the run a failure.
func (r *Report) finish(maxLoss float64) {
	r.Problems = []string{}
	if r.Failed > 0 {
		r.Problems = append(r.Problems, fmt.Sprintf("%d of %d calls failed", r.Failed, r.Attempted))
	}
	if r.Dropped > 0 {
		r.Problems = append(r.Problems, fmt.Sprintf("%d calls dropped by the gateway", r.Dropped))
	}
	if r.Established > 0 && r.LossRatio > maxLoss {
		r.Problems = append(r.Problems, fmt.Sprintf("loss %.4f over %.4f", r.LossRatio, maxLoss))
	}
	if r.SampledHearingMix < r.Sampled {
		r.Problems = append(r.Problems, fmt.Sprintf("%d of %d sampled legs miss the mix or hear themselves",
			r.Sampled-r.SampledHearingMix, r.Sampled))
	}
	if w := r.WebRTC; w != nil {
		if w.Failed > 0 {
			r.Problems = append(r.Problems, fmt.Sprintf("%d of %d WebRTC legs failed to join%s", w.Failed, w.Legs, failureList(w.Failures)))
		}
		if w.Dropped > 0 {
			r.Problems = append(r.Problems, fmt.Sprintf("%d WebRTC legs dropped", w.Dropped))
		}
		if w.Joined > 0 && w.ConcealedRatio > maxLoss {
			r.Problems = append(r.Problems, fmt.Sprintf("WebRTC concealed %.4f over %.4f", w.ConcealedRatio, maxLoss))
		}
		if w.SampledHearingMix < w.Sampled {
			r.Problems = append(r.Problems, fmt.Sprintf("%d of %d sampled WebRTC legs miss the mix or hear themselves",
				w.Sampled-w.SampledHearingMix, w.Sampled))
		}
	}
}

// WriteJSON writes the report as one indented JSON object.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("writing report: %w", err)
	}
	return nil
}

// WriteTable writes the report for a person.
func (r *Report) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	row := func(k, format string, a ...any) { fmt.Fprintf(tw, "%s\t"+format+"\n", append([]any{k}, a...)...) }
	row("mode", "%s", r.Mode)
	if r.Latency != nil {
		return r.writeLatency(tw, row)
	}
	row("calls", "%d attempted, %d established, %d failed%s, %d dropped",
		r.Attempted, r.Established, r.Failed, failureList(r.Failures), r.Dropped)
	row("setup", "p50 %.1f ms, p99 %.1f ms, max %.1f ms, %.1f calls/s", r.SetupMS.P50, r.SetupMS.P99, r.SetupMS.Max, r.CPSAchieved)
	if r.Mode == string(ModeHold) {
		row("hold", "%.1f s", r.HoldSeconds)
	}
	row("packets", "%d sent, %d received, loss %.4f, %d sequence gaps", r.PacketsSent, r.PacketsReceived, r.LossRatio, r.SeqLost)
	row("received pps/leg", "mean %.2f, min %.2f, max %.2f", r.ReceivedPPSPerLeg.Mean, r.ReceivedPPSPerLeg.Min, r.ReceivedPPSPerLeg.Max)
	row("level dBFS", "mean %.1f, min %.1f, max %.1f, %d silent legs", r.LevelDBFS.Mean, r.LevelDBFS.Min, r.LevelDBFS.Max, r.SilentLegs)
	if r.Mode == string(ModeHold) {
		row("mix", "%d of %d sampled hear the mix, mix-minus ok: %t", r.SampledHearingMix, r.Sampled, r.MixMinusOK)
		for _, h := range r.Hearing {
			if !h.OK() {
				row("", "leg %d (talker %d): missing %v, hears itself %t", h.Leg, h.Talker, h.Missing, h.Self)
			}
		}
	}
	row("sockets", "%d, %d send errors, %d stray packets", r.Sockets, r.SendErrors, r.StrayPackets)
	if w := r.WebRTC; w != nil {
		w.writeRows(row)
	}
	if g := r.Gateway; g != nil {
		g.writeRows(row)
	}
	row("generator CPU", "%.3f s, %.5f s per leg-minute", r.GeneratorCPUSeconds, r.GeneratorCPUPerLegMinute)
	if r.OK() {
		row("result", "PASS")
	} else {
		row("result", "FAIL: %s", strings.Join(r.Problems, "; "))
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("writing report: %w", err)
	}
	return nil
}

func failureList(f map[string]int) string {
	if len(f) == 0 {
		return ""
	}
	keys := make([]string, 0, len(f))
	for k := range f {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s: %d", k, f[k])
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

func (r *Report) writeLatency(tw *tabwriter.Writer, row func(k, format string, a ...any)) error {
	row("phone call", "%d established, set-up %.1f ms%s", r.Established, r.SetupMS.Max, failureList(r.Failures))
	if w := r.WebRTC; w != nil {
		row("app participant", "%d joined, join %.1f ms%s", w.Joined, w.JoinMS.Max, failureList(w.Failures))
	}
	l := r.Latency
	for _, d := range []struct {
		name string
		s    LatencyStats
	}{{"phone → app", l.PhoneToApp}, {"app → phone", l.AppToPhone}} {
		row(d.name, "median %.1f ms, p95 %.1f ms (min %.1f, max %.1f) over %d of %d clicks; onset %.1f ms into its frame",
			d.s.P50, d.s.P95, d.s.Min, d.s.Max, d.s.Heard, d.s.Clicks, d.s.OnsetInFrameMS)
	}
	if r.OK() {
		row("result", "PASS")
	} else {
		row("result", "FAIL: %s", strings.Join(r.Problems, "; "))
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("writing report: %w", err)
	}
	return nil
}
