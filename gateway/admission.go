package gateway

import (
	"math/rand/v2"
	"sync"
	"time"

	confsip "github.com/confgw/confgw/sip"
)

// Reasons a new call is shed, as the confgw_calls_shed_total metric and
// /readyz name them.
const (
	// ShedTickLate: room ticks start late, so the CPU cannot keep up with
	// the calls already up; another would make every room worse.
	ShedTickLate = "tick_late"
	// ShedSetupQueue: too many calls are being set up at once; past some
	// point each waits longer than the caller will, and is answered only
	// after the caller has given up.
	ShedSetupQueue = "setup_queue"
)

// Retry-After on a shed call is drawn from this range, so that the callers
// shed in one burst do not all come back in the same second.
const (
	retryAfterMin    = 2 * time.Second
	retryAfterSpread = 4 // whole seconds on top of retryAfterMin
)

// Shedding tells why the gateway would turn a new call away now, or "" when
// it takes calls. It is what /readyz reports.
func (g *Gateway) Shedding() string {
	if g.late() {
		return ShedTickLate
	}
	if g.maxSetup > 0 && g.setup.Load() >= int64(g.maxSetup) {
		return ShedSetupQueue
	}
	return ""
}

// SetupCalls is how many calls are being set up: INVITEs taken in and not
// yet answered and attached to their conference (or at the PIN prompt).
func (g *Gateway) SetupCalls() int { return int(g.setup.Load()) }

func (g *Gateway) late() bool {
	return g.tickLateness != nil && g.shedTickLate > 0 && g.tickLateness() > g.shedTickLate
}

// admit counts a new call into set-up, or tells why it must be shed. It
// takes nothing else, so a shed call costs no port and no goroutine. On
// admission, done takes the call out of set-up; it may be called more than
// once.
func (g *Gateway) admit() (done func(), reason string) {
	if g.late() {
		return nil, ShedTickLate
	}
	// Counting in before comparing keeps the cap exact when INVITEs race.
	if n := g.setup.Add(1); g.maxSetup > 0 && n > int64(g.maxSetup) {
		g.setup.Add(-1)
		return nil, ShedSetupQueue
	}
	return sync.OnceFunc(func() { g.setup.Add(-1) }), ""
}

// shed refuses in with 503 and Retry-After, counts it, and logs at most
// once a second: an overloaded gateway must not spend what it saves by
// shedding on writing a line per call.
func (g *Gateway) shed(in *confsip.Incoming, reason string) {
	g.metrics.shed.WithLabelValues(reason).Inc()
	if missed, ok := g.shedLog.allow(); ok {
		var late time.Duration
		if g.tickLateness != nil {
			late = g.tickLateness()
		}
		g.log.Warn("shedding new calls", "reason", reason, "shed", missed+1, "tick_late", late, "setup_calls", g.setup.Load())
	}
	after := retryAfterMin + time.Duration(rand.IntN(retryAfterSpread+1))*time.Second
	if err := in.RejectRetryAfter(503, "Service Unavailable", after); err != nil {
		g.log.Debug("shedding a call", "call_id", in.CallID(), "error", err)
	}
}
