package main

import (
	"context"
	"fmt"
	"time"
)

// levelPair is one level against confgw and against the echo floor.
type levelPair struct {
	Legs      int         `json:"legs"`
	Generator string      `json:"generator"`
	Confgw    *holdResult `json:"confgw,omitempty"`
	Echo      *holdResult `json:"echo,omitempty"`
	// Ratio is confgw's CPU per leg-minute over the echo's.
	Ratio float64 `json:"cpu_ratio,omitempty"`
}

// results is everything a run measured; results.json is this.
type results struct {
	Started  time.Time   `json:"started"`
	Seconds  float64     `json:"seconds"`
	Quick    bool        `json:"quick"`
	Machine  machine     `json:"machine"`
	Sipp     []levelPair `json:"sipp_levels"`
	Loadtest []levelPair `json:"loadtest_levels"`
	CPS      struct {
		Confgw []cpsPoint `json:"confgw"`
		Echo   []cpsPoint `json:"echo"`
	} `json:"cps"`
	Targets []check  `json:"targets"`
	Broken  []string `json:"broken,omitempty"`
	Notes   []string `json:"notes,omitempty"`
}

func (h *harness) runAll(ctx context.Context, quick bool) (*results, error) {
	res := &results{Started: h.started, Quick: quick}
	defer func() { res.Seconds = time.Since(h.started).Seconds() }()
	h.logf("building confgw")
	var err error
	if h.bin, err = buildConfgw(ctx, h.repo, h.work); err != nil {
		return nil, err
	}
	h.loadtest = loadtestAvailable(h.bin)
	if !h.loadtest {
		res.Notes = append(res.Notes, "this build of confgw has no loadtest command: the loadtest levels were skipped and the call-setup curve stops where sipp saturates")
	}
	res.Machine = readMachine()
	longest := time.Duration(0)
	for _, l := range append(append([]level{}, h.plan.sipp...), h.plan.loadtest...) {
		longest = max(longest, l.callLength())
	}
	longest = max(longest, callHold)
	if err := writeCallerFiles(h.repo, h.work, longest); err != nil {
		return nil, err
	}

	broke := func(what string, err error) {
		h.logf("BROKEN %s: %v", what, err)
		res.Broken = append(res.Broken, fmt.Sprintf("%s: %v", what, err))
	}
	for _, l := range h.plan.sipp {
		lp := levelPair{Legs: l.Legs, Generator: l.Gen}
		for _, target := range []string{"confgw", "echo"} {
			if ctx.Err() != nil {
				return res, ctx.Err()
			}
			h.logf("%d legs with sipp against %s, %s window", l.Legs, target, l.Window)
			r, err := h.holdRun(ctx, l, target)
			if err != nil {
				broke(fmt.Sprintf("%d legs with sipp against %s", l.Legs, target), err)
				continue
			}
			h.logResult(r)
			if target == "confgw" {
				lp.Confgw = r
			} else {
				lp.Echo = r
			}
		}
		lp.Ratio = ratio(lp)
		res.Sipp = append(res.Sipp, lp)
	}

	if h.loadtest {
		for _, l := range h.plan.loadtest {
			lp := levelPair{Legs: l.Legs, Generator: l.Gen}
			if ctx.Err() != nil {
				return res, ctx.Err()
			}
			h.logf("%d legs with loadtest against confgw, %s window", l.Legs, l.Window)
			r, err := h.holdRun(ctx, l, "confgw")
			if err != nil {
				broke(fmt.Sprintf("%d legs with loadtest against confgw", l.Legs), err)
			} else {
				h.logResult(r)
				lp.Confgw = r
				for _, pr := range r.Loadtest.Problems {
					res.Notes = append(res.Notes, fmt.Sprintf("loadtest at %d legs against confgw: %s", l.Legs, pr))
				}
			}
			if h.plan.loadtestEcho {
				e := l
				e.Window, e.Profile = min(l.Window, 30*time.Second), false
				h.logf("%d legs with loadtest against echo, %s window", l.Legs, e.Window)
				r, err := h.holdRun(ctx, e, "echo")
				if err != nil {
					// The echo floor of these levels is a bonus: sipp's
					// answering side may not take this many calls.
					res.Notes = append(res.Notes, fmt.Sprintf("no echo floor at %d legs: %v", l.Legs, err))
				} else {
					h.logResult(r)
					lp.Echo = r
				}
			}
			lp.Ratio = ratio(lp)
			res.Loadtest = append(res.Loadtest, lp)
		}
	}

	for _, target := range []string{"confgw", "echo"} {
		if ctx.Err() != nil {
			return res, ctx.Err()
		}
		pts, err := h.cpsCurve(ctx, target)
		if err != nil {
			broke("call-setup run against "+target, err)
		}
		if target == "confgw" {
			res.CPS.Confgw = pts
		} else {
			res.CPS.Echo = pts
		}
	}
	res.Targets = checkTargets(res)
	return res, nil
}

// ratio is 0 when there is no floor to compare with, as when the echo
// could not keep up and bounced fewer packets than it was sent: its CPU
// then measures a saturated server, not the cost of every packet.
func ratio(lp levelPair) float64 {
	if lp.Confgw == nil || !lp.Echo.floor() {
		return 0
	}
	return lp.Confgw.CPUPerLegMinute / lp.Echo.CPUPerLegMinute
}

// floor reports whether an echo run is a floor: it answered every call
// and sent back about every packet.
func (r *holdResult) floor() bool {
	return r != nil && r.CPUPerLegMinute > 0 && r.Failed == 0 && r.BackPPSPerLeg >= backPPS-backPPSSlack
}

func (h *harness) logResult(r *holdResult) {
	h.logf("  %s %d legs: %.1f s window, CPU %.3f s/leg-min, RSS %d KiB peak, %d failed, %.1f pkt/s/leg back, tick p99 %.2f ms",
		r.Target, r.Legs, r.WindowSeconds, r.CPUPerLegMinute, r.PeakRSSKiB, r.Failed, r.BackPPSPerLeg, r.TickP99ms)
}
