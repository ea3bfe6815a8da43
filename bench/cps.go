package main

import (
	"context"
	"fmt"
	"time"
)

// callHold is how long each call of the call-setup run lasts: answer, two
// seconds of audio both ways, BYE.
const callHold = 2 * time.Second

// saturation is the share of the offered rate below which a generator is
// taken to have run out of steam rather than the server.
const saturation = 0.9

// cpsPoint is one rate of the call-setup curve.
type cpsPoint struct {
	Target    string  `json:"target"`
	Generator string  `json:"generator"`
	Offered   int     `json:"offered_cps"`
	Achieved  float64 `json:"achieved_cps"`
	Attempted int     `json:"attempted"`
	Failed    int     `json:"failed"`
	// SetupMs is sipp's mean INVITE-to-200 time, or the generator's p50.
	SetupMs    float64 `json:"setup_ms"`
	SetupP99Ms float64 `json:"setup_p99_ms,omitempty"`
	ServerCPU  float64 `json:"server_cpu_seconds"`
	Saturated  bool    `json:"generator_saturated"`
	// Stalled is a generator that never finished placing the calls.
	Stalled bool `json:"generator_stalled,omitempty"`
}

// cpsCurve raises the rate until the first failure against target. sipp is
// the caller while it keeps up; when it cannot place calls as fast as asked,
// confgw loadtest takes over from that rate if this build has it.
func (h *harness) cpsCurve(ctx context.Context, target string) ([]cpsPoint, error) {
	var pts []cpsPoint
	gen := "sipp"
	for i := 0; i < len(h.plan.cpsRates); i++ {
		rate := h.plan.cpsRates[i]
		p, err := h.cpsRun(ctx, target, gen, rate)
		if err != nil {
			return pts, err
		}
		pts = append(pts, *p)
		h.logf("cps %s %s %d/s: achieved %.0f/s, %d of %d failed", target, gen, rate, p.Achieved, p.Failed, p.Attempted)
		if p.Failed > 0 || p.Stalled {
			break
		}
		if p.Saturated {
			if gen == "loadtest" || !h.loadtest {
				break
			}
			gen = "loadtest"
			i-- // the same rate again with the faster generator
		}
	}
	return pts, nil
}

// cpsRun places calls at rate per second for the plan's duration against a
// fresh server.
func (h *harness) cpsRun(ctx context.Context, target, gen string, rate int) (*cpsPoint, error) {
	name := fmt.Sprintf("cps-%s-%s-%d", target, gen, rate)
	calls := rate * int(h.plan.cpsDuration/time.Second)
	p := &cpsPoint{Target: target, Generator: gen, Offered: rate}
	var srv *proc
	var sipAddr string
	if target == "confgw" {
		c, err := startConfgw(ctx, h.bin, h.work, name+"-serve", h.ports)
		if err != nil {
			return nil, err
		}
		defer c.p.stop(15 * time.Second)
		srv, sipAddr = c.p, c.sip
	} else {
		e, addr, err := startEcho(h.work, name+"-uas", calls, h.ports)
		if err != nil {
			return nil, err
		}
		defer e.p.stop(5 * time.Second)
		srv, sipAddr = e.p, addr
		// sipp needs a moment to bind before the first INVITE.
		if err := sleep(ctx, 500*time.Millisecond); err != nil {
			return nil, err
		}
	}
	began := time.Now()
	cpu0, err := srv.cpu()
	if err != nil {
		return nil, err
	}
	// A generator still busy this long after its last call should have
	// ended has stalled: a call the server fails is given up within 32 s
	// (SIP timer B), and waiting longer only lengthens the run.
	limit := h.plan.cpsDuration + callHold + 40*time.Second
	if gen == "sipp" {
		r, err := startCaller(h.work, name+"-uac", sippCall{target: sipAddr, legs: calls, rate: rate, hold: callHold, limit: 4 * rate}, h.ports)
		if err != nil {
			return nil, err
		}
		defer r.p.stop(5 * time.Second)
		if !r.p.wait(ctx, limit) {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			// A sipp that cannot finish placing its calls has met its own
			// limit: the end of the curve, not a broken run.
			p.Stalled = true
			h.logf("  %s: sipp did not finish within %s", name, limit)
			return p, nil
		}
		o := r.outcome()
		if o.Broken != "" {
			return nil, fmt.Errorf("%s: %s", name, o.Broken)
		}
		p.Attempted, p.Failed, p.SetupMs = o.Created, o.Failed, o.SetupMean
		p.Achieved = float64(o.Created) / h.plan.cpsDuration.Seconds()
		if st, err := readSippStats(r.stat); err == nil {
			if a, err := st.creationRate(calls); err == nil {
				p.Achieved = a
			}
		}
	} else {
		r, err := startLoadtestCPS(h.bin, h.work, name+"-loadtest", sipAddr, rate, h.plan.cpsDuration, callHold)
		if err != nil {
			return nil, err
		}
		defer r.p.stop(5 * time.Second)
		if !r.p.wait(ctx, limit) {
			return nil, fmt.Errorf("%s: loadtest did not finish", name)
		}
		lt, err := r.result()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		p.Attempted, p.Failed, p.Achieved = lt.Attempted, lt.Failed, lt.CPSAchieved
		p.SetupMs, p.SetupP99Ms = lt.SetupMS.P50, lt.SetupMS.P99
	}
	if srv.exited() && target == "confgw" {
		return nil, fmt.Errorf("%s: confgw died", name)
	}
	if cpu1, err := srv.cpu(); err == nil {
		p.ServerCPU = cpu1 - cpu0
	}
	p.Saturated = p.Failed == 0 && p.Achieved < saturation*float64(rate)
	h.logf("  %s: calls done after %.1f s", name, time.Since(began).Seconds())
	return p, nil
}
