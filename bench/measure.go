package main

import (
	"context"
	"fmt"
	"time"
)

// server is what a window measures: the process under load and how many
// calls it has up.
type server interface {
	pid() int
	legsUp(ctx context.Context) (int, error)
	alive() bool
}

type confgwServer struct{ c *confgw }

func (s confgwServer) pid() int                                { return s.c.p.pid() }
func (s confgwServer) legsUp(ctx context.Context) (int, error) { return s.c.legsUp(ctx) }
func (s confgwServer) alive() bool                             { return !s.c.p.exited() }

// echoServer counts calls from the answering sipp's own statistics, which
// it writes every second.
type echoServer struct{ r *sippRun }

func (s echoServer) pid() int                            { return s.r.p.pid() }
func (s echoServer) legsUp(context.Context) (int, error) { return s.r.currentCalls() }
func (s echoServer) alive() bool                         { return !s.r.p.exited() }

// snapshot is the server's counters at one instant.
type snapshot struct {
	at     time.Time
	cpu    float64
	udpOut uint64
	// drops is the callers' media socket's drop count, with sipp callers.
	drops   uint64
	metrics metricSet
	scrape  time.Duration
}

func takeSnapshot(ctx context.Context, s server, metricsURL string, callerMedia int) (snapshot, error) {
	var sn snapshot
	var err error
	sn.at = time.Now()
	if sn.cpu, err = cpuSeconds(s.pid()); err != nil {
		return sn, err
	}
	if sn.udpOut, err = udpOutDatagrams(); err != nil {
		return sn, err
	}
	if callerMedia > 0 {
		if sn.drops, err = udpDrops(callerMedia); err != nil {
			return sn, err
		}
	}
	if metricsURL != "" {
		// The window's ends wait longer than the polling in between: an
		// overloaded gateway still gets its figures, late as they come.
		t := time.Now()
		if sn.metrics, err = scrape(ctx, metricsURL, 20*time.Second); err != nil {
			return sn, err
		}
		sn.scrape = time.Since(t)
	}
	return sn, nil
}

// window is one measured stretch with every leg up.
type window struct {
	start, end snapshot
	peakRSS    int64
	hwm        int64
	legsMin    int
	legsMax    int
}

func (w window) seconds() float64 { return w.end.at.Sub(w.start.at).Seconds() }

// waitLegs polls until the server has legs calls up, or until deadline; it
// returns the most it saw.
func waitLegs(ctx context.Context, s server, legs int, deadline time.Time, gen *proc) (int, error) {
	peak := 0
	for {
		n, err := s.legsUp(ctx)
		if err == nil && n > peak {
			peak = n
		}
		if peak >= legs {
			return peak, nil
		}
		if !s.alive() {
			return peak, fmt.Errorf("the server exited while calls were being set up")
		}
		if gen.exited() {
			return peak, fmt.Errorf("the generator exited (status %d) before every call was up", gen.exitCode())
		}
		if time.Now().After(deadline) {
			return peak, nil
		}
		select {
		case <-ctx.Done():
			return peak, ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// measure samples s from now until end: CPU and counters at both ends, RSS
// and the legs up every half second in between.
func measure(ctx context.Context, s server, metricsURL string, callerMedia int, end time.Time) (window, error) {
	var w window
	var err error
	if w.start, err = takeSnapshot(ctx, s, metricsURL, callerMedia); err != nil {
		return w, err
	}
	w.legsMin = 1 << 30
	for {
		rss, hwm, err := memKiB(s.pid())
		if err != nil {
			return w, fmt.Errorf("the server exited during the window: %w", err)
		}
		w.peakRSS = max(w.peakRSS, rss)
		w.hwm = hwm
		if n, err := s.legsUp(ctx); err == nil {
			w.legsMin = min(w.legsMin, n)
			w.legsMax = max(w.legsMax, n)
		}
		left := time.Until(end)
		if left <= 0 {
			break
		}
		select {
		case <-ctx.Done():
			return w, ctx.Err()
		case <-time.After(min(left, 500*time.Millisecond)):
		}
	}
	if w.end, err = takeSnapshot(ctx, s, metricsURL, callerMedia); err != nil {
		return w, err
	}
	return w, nil
}
