package loadgen

import (
	"context"
	"maps"
	"math/rand/v2"
	"net"
	"slices"
	"sync"
	"time"

	"github.com/confgw/confgw/http/client"
)

// byeParallel bounds the hang-ups in flight at the end of a hold, so two
// thousand BYEs do not all retransmit at once on a busy gateway.
const byeParallel = 64

// engine is one run: the SIP caller, the RTP sockets and the outcomes.
type engine struct {
	cfg    Config
	caller *caller
	pays   *payloads
	local  net.IP

	media     context.Context
	stopMedia context.CancelFunc
	loops     sync.WaitGroup

	poolMu  sync.Mutex
	sockets []*rtpSocket

	mu          sync.Mutex
	attempted   int
	established int
	failures    map[string]int
	setups      []time.Duration

	// The WebRTC side, when there are app legs.
	api     *client.Client
	appPays *appPayloads
	app     struct {
		attempted, joined int
		failures          map[string]int
		joins             []time.Duration
		firstErr          error
	}
}

// Run performs one load test against the gateway and reports what it saw.
// Cancelling ctx ends the run early: calls up are hung up and the report
// covers the time run.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	cl, err := newCaller(&cfg, cfg.Logger)
	if err != nil {
		return nil, err
	}
	e := &engine{cfg: cfg, caller: cl, pays: newPayloads(), local: net.ParseIP(cfg.Local), failures: map[string]int{}}
	e.app.failures = map[string]int{}
	if cfg.Mode == ModeLatency {
		e.api = client.New(cfg.Server, cfg.Token)
	}
	if cfg.WebRTC > 0 {
		if e.appPays, err = newAppPayloads(); err != nil {
			cl.close()
			return nil, err
		}
		e.api = client.New(cfg.Server, cfg.Token)
	}
	e.media, e.stopMedia = context.WithCancel(context.Background())
	defer e.shutdown()
	switch cfg.Mode {
	case ModeCPS:
		return e.runCPS(ctx)
	case ModeLatency:
		return e.runLatency(ctx)
	}
	return e.runHold(ctx)
}

// shutdown stops the media loops, closes the sockets and the caller.
func (e *engine) shutdown() {
	e.stopMedia()
	e.poolMu.Lock()
	for _, s := range e.sockets {
		_ = s.close()
	}
	e.poolMu.Unlock()
	e.loops.Wait()
	e.caller.close()
}

// socket returns a socket with room for one more leg, opening one when all
// are full. Each new socket's clock is offset so that sockets do not all
// send in the same instant.
func (e *engine) socket() (*rtpSocket, error) {
	e.poolMu.Lock()
	defer e.poolMu.Unlock()
	for _, s := range e.sockets {
		if s.assigned < e.cfg.LegsPerSocket {
			s.assigned++
			return s, nil
		}
	}
	s, err := listenRTP(e.local)
	if err != nil {
		return nil, err
	}
	s.assigned = 1
	phase := time.Duration(len(e.sockets)*7) * time.Millisecond % frameInterval
	e.sockets = append(e.sockets, s)
	e.loops.Add(2)
	go func() { defer e.loops.Done(); s.readLoop() }()
	go func() { defer e.loops.Done(); s.sendLoop(e.media, phase) }()
	return s, nil
}

func (e *engine) release(s *rtpSocket) {
	e.poolMu.Lock()
	s.assigned--
	e.poolMu.Unlock()
}

// place calls for l and puts it on the air once answered. Its media stops
// by itself if the gateway hangs up.
func (e *engine) place(ctx context.Context, l *leg) (*call, error) {
	e.mu.Lock()
	e.attempted++
	e.mu.Unlock()
	s, err := e.socket()
	if err != nil {
		e.fail("error")
		return nil, err
	}
	c, err := e.caller.dial(ctx, l.idx, s.port, e.cfg.SetupTimeout)
	if err != nil {
		e.release(s)
		if se, ok := err.(*SetupError); ok {
			e.fail(se.Kind)
		} else {
			e.fail("error")
		}
		return nil, err
	}
	e.mu.Lock()
	e.established++
	e.setups = append(e.setups, c.setup)
	e.mu.Unlock()
	s.start(l, c.remote)
	context.AfterFunc(c.sess.Context(), func() { s.stop(l) })
	return c, nil
}

func (e *engine) fail(kind string) {
	e.mu.Lock()
	e.failures[kind]++
	e.mu.Unlock()
}

func (e *engine) newLeg(idx, talker int) *leg {
	p := e.pays.quiet[rand.IntN(quietPhases)]
	if talker >= 0 && !slices.Contains(e.cfg.absentTalkers, talker) {
		p = e.pays.talker[talker]
	}
	return newLeg(idx, talker, p, rand.Uint32(), uint16(rand.Uint32()), rand.Uint32())
}

// sampledLegs picks the talkers and the rest spread evenly over the legs,
// so that every socket's share of them is looked at.
func sampledLegs(legs, talkers, sample int) []int {
	sample = min(max(sample, talkers), legs)
	out := make([]int, 0, sample)
	for i := range talkers {
		out = append(out, i)
	}
	rest := sample - talkers
	for k := range rest {
		out = append(out, talkers+k*(legs-talkers)/rest)
	}
	return out
}

// sleep waits d or until ctx ends, and says which.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

func (e *engine) runHold(ctx context.Context) (*Report, error) {
	cfg := e.cfg
	legs := make([]*leg, cfg.Legs)
	for i := range legs {
		t := -1
		if i < cfg.Talkers {
			t = i
		}
		legs[i] = e.newLeg(i, t)
	}
	sampled := sampledLegs(cfg.Legs, cfg.Talkers, cfg.Sample)
	for _, i := range sampled {
		legs[i].an = newAnalyzer(sampleRate)
	}
	apps := make([]*appLeg, cfg.WebRTC)
	for i := range apps {
		apps[i] = &appLeg{idx: i, talker: -1}
		if i < cfg.WebRTCTalkers {
			apps[i].talker = cfg.Talkers + i
		}
	}
	appSampled := sampledLegs(cfg.WebRTC, cfg.WebRTCTalkers, cfg.Sample)
	for _, i := range appSampled {
		apps[i].an = newAnalyzer(appRate)
	}
	calls := make([]*call, cfg.Legs)
	interval := time.Duration(float64(time.Second) / cfg.Rate)
	start := time.Now()
	var wg sync.WaitGroup
	if len(apps) > 0 {
		wg.Add(1)
		go func() { defer wg.Done(); e.joinApps(ctx, apps) }()
	}
	for i := range legs {
		if !sleep(ctx, time.Until(start.Add(time.Duration(i)*interval))) {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			calls[i], _ = e.place(ctx, legs[i])
		}()
	}
	wg.Wait()
	ramp := time.Since(start)
	before, appsBefore := snapshot(legs), snapshotApps(apps)
	var window, cpu time.Duration
	var metricsBefore, metricsAfter map[string]float64
	var metricsErr error
	if e.established+e.app.joined > 0 && sleep(ctx, cfg.Settle) {
		e.analyse(legs, apps, true)
		if len(apps) > 0 {
			metricsBefore, metricsErr = scrapeMetrics(ctx, cfg.Server)
		}
		before, appsBefore = snapshot(legs), snapshotApps(apps)
		cpu0, t0 := cpuTime(), time.Now()
		sleep(ctx, cfg.Hold)
		cpu, window = cpuTime()-cpu0, time.Since(t0)
		e.analyse(legs, apps, false)
		if len(apps) > 0 && metricsErr == nil {
			metricsAfter, metricsErr = scrapeMetrics(context.Background(), cfg.Server)
		}
	}
	after, appsAfter := snapshot(legs), snapshotApps(apps)
	dropped := 0
	for _, c := range calls {
		if c != nil && c.sess.Context().Err() != nil {
			dropped++
		}
	}
	up := e.talkersUp(calls, apps)
	e.hangupAll(calls)
	e.leaveApps(apps)
	r := e.report(ModeHold, cfg.Legs)
	r.HoldSeconds = window.Seconds()
	r.CPSAchieved = rate(e.established, ramp)
	r.Dropped = dropped
	r.holdMedia(legs, calls, before, after, window, cfg.Talkers)
	r.setCPU(cpu, float64(e.established+e.app.joined)*window.Minutes())
	r.Hearing = e.hearing(legs, calls, sampled, up)
	r.tally(e.sockets)
	if len(apps) > 0 {
		r.WebRTC = e.appReport(apps, appsBefore, appsAfter, window, appSampled, up)
		switch {
		case metricsErr != nil:
			r.Gateway = &GatewayMetrics{Series: []MetricDelta{}, Error: metricsErr.Error()}
		case metricsAfter != nil:
			r.Gateway = gatewayMetrics(metricsBefore, metricsAfter, float64(e.established+e.app.joined)*window.Minutes())
		}
	}
	r.finish(cfg.MaxLoss)
	return r, nil
}

// analyse opens or closes the sampled legs' ears.
func (e *engine) analyse(legs []*leg, apps []*appLeg, on bool) {
	for _, l := range legs {
		if l.an != nil {
			l.an.setOn(on)
		}
	}
	for _, l := range apps {
		if l.an != nil {
			l.an.setOn(on)
		}
	}
}

// talkersUp says, for each talker tone, phone talkers' first, whether its
// leg came up.
func (e *engine) talkersUp(calls []*call, apps []*appLeg) []bool {
	up := make([]bool, e.cfg.Talkers+e.cfg.WebRTCTalkers)
	for i := range e.cfg.Talkers {
		up[i] = calls[i] != nil
	}
	for i := range e.cfg.WebRTCTalkers {
		up[e.cfg.Talkers+i] = apps[i].up()
	}
	return up
}

// appReport sums up the WebRTC legs.
func (e *engine) appReport(apps []*appLeg, before, after []appCounters, window time.Duration, sampled []int, up []bool) *AppReport {
	r := appMedia(apps, before, after, window)
	e.mu.Lock()
	r.Legs, r.Talkers, r.Joined = len(apps), e.cfg.WebRTCTalkers, e.app.joined
	r.Failed = len(apps) - e.app.joined // a leg never tried, the run cut short, failed too
	r.Failures = maps.Clone(e.app.failures)
	if e.app.firstErr != nil {
		r.FirstError = e.app.firstErr.Error()
	}
	r.JoinMS = percentiles(e.app.joins)
	e.mu.Unlock()
	for _, i := range sampled {
		if l := apps[i]; l.up() {
			r.Hearing = append(r.Hearing, judge(i, l.talker, l.an.shares(), up))
		}
	}
	r.Sampled = len(r.Hearing)
	for _, h := range r.Hearing {
		if h.OK() {
			r.SampledHearingMix++
		}
	}
	return r
}

// hangupAll says BYE to every call still up, a bounded number at a time.
func (e *engine) hangupAll(calls []*call) {
	sem := make(chan struct{}, byeParallel)
	var wg sync.WaitGroup
	for _, c := range calls {
		if c == nil {
			continue
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			ctx, cancel := context.WithTimeout(context.Background(), e.cfg.SetupTimeout)
			defer cancel()
			e.caller.hangup(ctx, c)
		}()
	}
	wg.Wait()
}

// hearing judges each sampled leg that was up against the talkers up.
func (e *engine) hearing(legs []*leg, calls []*call, sampled []int, up []bool) []Hearing {
	var out []Hearing
	for _, i := range sampled {
		if calls[i] == nil {
			continue
		}
		out = append(out, judge(i, legs[i].talker, legs[i].an.shares(), up))
	}
	return out
}

func (e *engine) runCPS(ctx context.Context) (*Report, error) {
	cfg := e.cfg
	interval := time.Duration(float64(time.Second) / cfg.CPS)
	n := int(cfg.Duration / interval)
	var (
		mu   sync.Mutex
		legs []*leg
		up   time.Duration
		wg   sync.WaitGroup
	)
	cpu0, start := cpuTime(), time.Now()
	for i := range n {
		if !sleep(ctx, time.Until(start.Add(time.Duration(i)*interval))) {
			break
		}
		l := e.newLeg(i, -1)
		mu.Lock()
		legs = append(legs, l)
		mu.Unlock()
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := e.place(ctx, l)
			if err != nil {
				return
			}
			t0 := time.Now()
			sleep(ctx, cfg.CallHold)
			l.sock.stop(l)
			mu.Lock()
			up += time.Since(t0)
			mu.Unlock()
			bctx, cancel := context.WithTimeout(context.Background(), cfg.SetupTimeout)
			defer cancel()
			e.caller.hangup(bctx, c)
			e.release(l.sock)
		}()
	}
	placing := time.Since(start)
	wg.Wait()
	cpu := cpuTime() - cpu0

	r := e.report(ModeCPS, len(legs))
	r.CPSAchieved = rate(e.established, placing)
	r.cpsMedia(legs, up)
	r.setCPU(cpu, up.Minutes())
	r.tally(e.sockets)
	r.finish(cfg.MaxLoss)
	return r, nil
}

func rate(n int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

// report starts a report with the call outcomes.
func (e *engine) report(mode Mode, legs int) *Report {
	e.mu.Lock()
	defer e.mu.Unlock()
	r := &Report{
		Mode: string(mode), Legs: legs, Attempted: e.attempted, Established: e.established,
		Failed: e.attempted - e.established, Failures: map[string]int{},
		SetupMS: percentiles(e.setups),
	}
	for k, v := range e.failures {
		r.Failures[k] = v
	}
	return r
}
