package main

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"time"
)

// level is one hold run: legs calls set up at rate per second by gen
// ("sipp" or "loadtest") and measured over window once all are up.
type level struct {
	Legs    int
	Gen     string
	Rate    int
	Window  time.Duration
	Profile bool
}

// ramp is how long setting the calls up should take, with a second to spare.
func (l level) ramp() time.Duration {
	return time.Duration((l.Legs+l.Rate-1)/l.Rate+1) * time.Second
}

// hold is what the generator is told. sipp holds each call from its own
// answer, so its calls last the ramp, the window and a margin, to overlap for
// the whole window even when set-up lags; loadtest holds every call from the
// moment all are up.
func (l level) hold() time.Duration {
	if l.Gen == "loadtest" {
		return l.Window + 3*time.Second
	}
	return l.ramp() + l.Window + 3*time.Second
}

// callLength bounds how long a call lasts, for the generator's time limit and
// the length of the pcap.
func (l level) callLength() time.Duration { return l.ramp() + l.Window + 3*time.Second }

// holdRun sets a level's calls up against target ("confgw" or "echo") and
// measures the server over the window. A returned error means the run broke;
// failed calls and missed figures are in the result.
func (h *harness) holdRun(ctx context.Context, l level, target string) (*holdResult, error) {
	name := fmt.Sprintf("%s-%s-%d", target, l.Gen, l.Legs)
	res := &holdResult{Target: target, Generator: l.Gen, Legs: l.Legs, Rate: l.Rate}
	var srv server
	var sipAddr, metricsURL string
	var cg *confgw
	var echo *sippRun
	var err error
	if target == "confgw" {
		if cg, err = startConfgw(ctx, h.bin, h.work, name+"-serve", h.ports); err != nil {
			return nil, err
		}
		defer cg.p.stop(15 * time.Second)
		srv, sipAddr, metricsURL = confgwServer{cg}, cg.sip, cg.http+"/metrics"
	} else {
		if echo, sipAddr, err = startEcho(h.work, name+"-uas", l.Legs, h.ports); err != nil {
			return nil, err
		}
		defer echo.p.stop(5 * time.Second)
		srv = echoServer{echo}
	}

	// The idle baseline: RSS before any call, and the rate at which the
	// rest of the machine sends UDP, subtracted from the echo's count.
	if err := sleep(ctx, time.Second); err != nil {
		return nil, err
	}
	idle0, err := takeSnapshot(ctx, srv, "", 0)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if err := sleep(ctx, time.Second); err != nil {
		return nil, err
	}
	idle1, err := takeSnapshot(ctx, srv, "", 0)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	idleUDP := float64(idle1.udpOut-idle0.udpOut) / idle1.at.Sub(idle0.at).Seconds()
	if res.IdleRSSKiB, _, err = memKiB(srv.pid()); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}

	start := time.Now()
	var gen *proc
	var sippGen *sippRun
	var ltGen *loadtestRun
	if l.Gen == "sipp" {
		sippGen, err = startCaller(h.work, name+"-uac", sippCall{target: sipAddr, legs: l.Legs, rate: l.Rate, hold: l.hold()}, h.ports)
		if sippGen != nil {
			gen = sippGen.p
		}
	} else {
		ltGen, err = startLoadtestHold(h.bin, h.work, name+"-loadtest", sipAddr, l.Legs, l.Rate, l.hold())
		if ltGen != nil {
			gen = ltGen.p
		}
	}
	if err != nil {
		return nil, err
	}
	defer gen.stop(5 * time.Second)

	peak, err := waitLegs(ctx, srv, l.Legs, start.Add(2*l.ramp()+10*time.Second), gen)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	res.AllUp = peak >= l.Legs
	// Calls start hanging up hold after the first was placed (sipp) or
	// after all were up (loadtest).
	end := time.Now().Add(l.Window)
	last := start.Add(l.hold() - time.Second)
	if l.Gen == "loadtest" {
		last = time.Now().Add(l.hold() - time.Second)
	}
	if last.Before(end) {
		end = last
	}
	var prof chan *profileResult
	if l.Profile && cg != nil {
		prof = make(chan *profileResult, 1)
		secs := int(math.Min(float64(h.profileSeconds), time.Until(end).Seconds()-1))
		go func() { prof <- h.fetchProfiles(ctx, cg, name, secs) }()
	}
	media := 0
	if sippGen != nil {
		media = sippGen.media
	}
	w, err := measure(ctx, srv, metricsURL, media, end)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if prof != nil {
		res.Profile = <-prof
		res.Profile.finish(ctx, h.out)
	}

	if !gen.wait(ctx, l.callLength()+60*time.Second) {
		return nil, fmt.Errorf("%s: the generator did not end within its hold and a minute", name)
	}
	if !srv.alive() {
		return nil, fmt.Errorf("%s: the server died", name)
	}
	if sippGen != nil {
		o := sippGen.outcome()
		if o.Broken != "" {
			return nil, fmt.Errorf("%s: %s", name, o.Broken)
		}
		res.Sipp = &o
		res.Failed = o.Failed
		res.Established = o.Successful
	} else {
		lt, err := ltGen.result()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		res.Loadtest = lt
		res.Failed = lt.Failed
		res.Established = lt.Established
	}
	if echo != nil {
		// It ends by itself once every call has hung up.
		echo.p.wait(ctx, 5*time.Second)
	}
	res.fill(w, idleUDP)
	return res, nil
}

func sleep(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}

// profileDir is where a run's profiles go.
func (h *harness) profileDir() string { return filepath.Join(h.out, "pprof") }
