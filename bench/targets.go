package main

import (
	"fmt"
)

// The published targets.
const (
	maxCPURatio     = 2.0
	backPPS         = 50.0
	backPPSSlack    = 1.0 // ±1 packet a second: a 30 s window's edges
	maxBadFramesPct = 0.5
	maxTickP99ms    = 5.0
	minCPS          = 300
	cpsTiming       = 0.95 // sipp times call creation to its 1 s statistics rows
	maxKiBPerLeg    = 100.0
)

// check is one target with what was measured; Status is PASS, FAIL or NOT
// RUN (a quick run leaves levels out).
type check struct {
	Target string `json:"target"`
	Value  string `json:"value"`
	Status string `json:"status"`
}

func verdict(ok bool) string {
	if ok {
		return "PASS"
	}
	return "FAIL"
}

func checkTargets(res *results) []check {
	var out []check
	add := func(target, value string, ok bool) {
		out = append(out, check{Target: target, Value: value, Status: verdict(ok)})
	}
	missing := func(target string) {
		out = append(out, check{Target: target, Value: "-", Status: "NOT RUN"})
	}
	find := func(pairs []levelPair, legs int) *levelPair {
		for i := range pairs {
			if pairs[i].Legs == legs {
				return &pairs[i]
			}
		}
		return nil
	}

	for _, legs := range []int{100, 200} {
		p := find(res.Sipp, legs)
		pre := fmt.Sprintf("sipp %d legs: ", legs)
		if p == nil || p.Confgw == nil {
			missing(pre + "every target")
			continue
		}
		c := p.Confgw
		if p.Ratio > 0 {
			add(pre+"confgw CPU per leg-minute ≤ 2× echo", fmt.Sprintf("%.2f×", p.Ratio), p.Ratio <= maxCPURatio)
		} else {
			missing(pre + "confgw CPU per leg-minute ≤ 2× echo")
		}
		add(pre+"0 failed calls", fmt.Sprint(c.Failed), c.Failed == 0 && c.AllUp)
		add(pre+"~50 packets/s back per leg", fmt.Sprintf("%.1f", c.BackPPSPerLeg),
			c.BackPPSPerLeg >= backPPS-backPPSSlack && c.BackPPSPerLeg <= backPPS+backPPSSlack)
		add(pre+"concealed + dropped < 0.5 % of frames", fmt.Sprintf("%.3f %%", c.BadFramesPct), c.BadFramesPct < maxBadFramesPct)
	}

	if p := find(res.Loadtest, 1000); p == nil || p.Confgw == nil || p.Confgw.Loadtest == nil {
		missing("loadtest 1000 legs: every target")
	} else {
		c, lt := p.Confgw, p.Confgw.Loadtest
		pre := "loadtest 1000 legs: "
		add(pre+"0 failed calls", fmt.Sprint(c.Failed), c.Failed == 0 && c.AllUp)
		add(pre+"concealed + dropped < 0.5 % of frames", fmt.Sprintf("%.3f %%", c.BadFramesPct), c.BadFramesPct < maxBadFramesPct)
		add(pre+"mixer tick p99 < 5 ms", fmt.Sprintf("%.2f ms", c.TickP99ms), c.TickP99ms < maxTickP99ms && c.Ticks > 0)
		add(pre+"sampled legs hear the mix", fmt.Sprintf("%d of %d, mix-minus %v", lt.SampledHearingMix, lt.Sampled, lt.MixMinusOK),
			lt.Sampled > 0 && lt.SampledHearingMix == lt.Sampled && lt.MixMinusOK)
	}

	best, by := bestCPS(res.CPS.Confgw)
	if len(res.CPS.Confgw) == 0 {
		missing("≥ 300 calls/s with 0 failures")
	} else {
		add("≥ 300 calls/s with 0 failures", fmt.Sprintf("%.0f/s (%s)", best, by), best >= cpsTiming*minCPS)
	}

	// Memory per leg is the slope of peak RSS over the levels: at a few
	// dozen legs the process's fixed cost (runtime, heap headroom, buffers
	// shared by all legs) would pass for the legs' own.
	var legs, rss []float64
	for _, group := range [][]levelPair{res.Sipp, res.Loadtest} {
		for _, p := range group {
			if p.Confgw != nil && p.Confgw.PeakRSSKiB > 0 {
				legs = append(legs, float64(p.Legs))
				rss = append(rss, float64(p.Confgw.PeakRSSKiB))
			}
		}
	}
	if perLeg, ok := slope(legs, rss); ok {
		add("RSS < 100 KiB per leg (slope of peak RSS over the levels)", fmt.Sprintf("%.0f KiB", perLeg), perLeg < maxKiBPerLeg)
	} else {
		missing("RSS < 100 KiB per leg (slope of peak RSS over the levels)")
	}
	return out
}

// bestCPS is the highest rate achieved with no failure, and its generator.
func bestCPS(pts []cpsPoint) (float64, string) {
	var best float64
	by := "-"
	for _, p := range pts {
		if p.Failed == 0 && p.Achieved > best {
			best, by = p.Achieved, p.Generator
		}
	}
	return best, by
}

// slope is the least-squares slope of y over x; it needs two distinct x.
func slope(x, y []float64) (float64, bool) {
	n := float64(len(x))
	if len(x) < 2 || len(x) != len(y) {
		return 0, false
	}
	var sx, sy, sxx, sxy float64
	for i := range x {
		sx, sy = sx+x[i], sy+y[i]
		sxx, sxy = sxx+x[i]*x[i], sxy+x[i]*y[i]
	}
	d := n*sxx - sx*sx
	if d == 0 {
		return 0, false
	}
	return (n*sxy - sx*sy) / d, true
}
