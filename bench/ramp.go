package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

// rampPlan is a -ramp run: one fresh server per generator, a few long calls
// held through it, and the offered call rate stepped up under them.
type rampPlan struct {
	rates []int
	step  time.Duration
	gens  []string
	held  int
	docs  bool
}

// newRampPlan checks the -ramp flags.
func newRampPlan(rates string, step time.Duration, gens string, held int, docs bool) (rampPlan, error) {
	p := rampPlan{step: step, held: held, docs: docs}
	var err error
	if p.rates, err = parseRates(rates); err != nil {
		return p, err
	}
	if p.gens, err = parseGens(gens); err != nil {
		return p, err
	}
	if step < 5*time.Second || step%time.Second != 0 {
		return p, fmt.Errorf("-step %s: want whole seconds, at least 5 (30 for figures to publish)", step)
	}
	if held < 1 {
		return p, fmt.Errorf("-held %d: want at least one held call", held)
	}
	return p, nil
}

// heldRate is how fast the held calls are placed before the ramp.
const heldRate = 10

// rampBaseline is how long the held calls are measured alone before the
// first step, as the figures to compare the steps with.
const rampBaseline = 3 * time.Second

// rampStep is one offered rate of a ramp.
type rampStep struct {
	Offered   int     `json:"offered_cps"`
	Seconds   float64 `json:"seconds"`
	Attempted int     `json:"attempted"`
	OK        int     `json:"ok"`
	Failed    int     `json:"failed"`
	// Placed is the rate the generator placed calls at; Achieved the rate
	// calls were set up at, OK over the step.
	Placed   float64        `json:"placed_cps"`
	Achieved float64        `json:"achieved_cps"`
	Failures map[string]int `json:"failures"`
	// SetupMs is sipp's mean INVITE-to-200 time or loadtest's p50.
	SetupMs    float64 `json:"setup_ms"`
	SetupP99Ms float64 `json:"setup_p99_ms,omitempty"`
	// Stalled is a generator that had not ended well after its calls should
	// have; Problem says what else went wrong with it.
	Stalled bool       `json:"generator_stalled,omitempty"`
	Problem string     `json:"generator_problem,omitempty"`
	Server  stepServer `json:"server"`
}

// saturated reports a generator that placed calls well below the offered
// rate: the step then did not offer what it says.
func (s rampStep) saturated() bool { return s.Placed < saturation*float64(s.Offered) }

// rampRun is one generator's ramp against one server.
type rampRun struct {
	Generator   string  `json:"generator"`
	StepSeconds float64 `json:"step_seconds"`
	Held        int     `json:"held_calls"`
	HeldUp      int     `json:"held_calls_up"`
	// HeldOK and HeldFailed are sipp's count of the held calls at their
	// end: a held call the gateway hung up on fails.
	HeldOK     int        `json:"held_ok"`
	HeldFailed int        `json:"held_failed"`
	Baseline   stepServer `json:"baseline"`
	Steps      []rampStep `json:"steps"`
	// Sustained is the highest offered rate with no failed call up to it,
	// at which the generator kept up; ShedFrom the first rate where the
	// gateway shed calls (0: none).
	Sustained int    `json:"sustained_cps"`
	ShedFrom  int    `json:"shed_from_cps"`
	Broken    string `json:"broken,omitempty"`
}

// rampResults is ramp.json.
type rampResults struct {
	Started time.Time `json:"started"`
	Seconds float64   `json:"seconds"`
	Machine machine   `json:"machine"`
	Command string    `json:"command"`
	Runs    []rampRun `json:"runs"`
}

// command is the harness's command line for this plan, as the docs show it.
func (p rampPlan) command() string {
	rates := ""
	for i, r := range p.rates {
		if i > 0 {
			rates += ","
		}
		rates += itoa(r)
	}
	gens := ""
	for i, g := range p.gens {
		if i > 0 {
			gens += ","
		}
		gens += g
	}
	c := fmt.Sprintf("cd bench && go run . -ramp %s -step %s -ramp-gen %s -held %d", rates, p.step, gens, p.held)
	if p.docs {
		c += " -docs"
	}
	return c
}

// runRamp is the -ramp mode's main: the exit status as run's.
func runRamp(p rampPlan, out string) int {
	repo, ok := prepare()
	if !ok {
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	defer killAll()
	h := &harness{repo: repo, ports: newPortPicker(), started: time.Now()}
	if out == "" {
		out = defaultOut(repo)
	}
	var err error
	if h.out, err = filepath.Abs(out); err == nil {
		err = os.MkdirAll(h.out, 0o755)
	}
	if err == nil {
		h.work, err = os.MkdirTemp("", "confgw-ramp-")
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		return 2
	}
	defer os.RemoveAll(h.work)

	h.logf("building confgw")
	if h.bin, err = buildConfgw(ctx, h.repo, h.work); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		return 2
	}
	for _, g := range p.gens {
		if g == "loadtest" && !loadtestAvailable(h.bin) {
			fmt.Fprintln(os.Stderr, "bench: this build of confgw has no loadtest command")
			return 2
		}
	}
	if err := writeCallerFiles(h.repo, h.work, p.heldHold()+callHold); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		return 2
	}
	res := &rampResults{Started: h.started, Machine: readMachine(), Command: p.command()}
	status := 0
	for _, g := range p.gens {
		if ctx.Err() != nil {
			status = 1
			break
		}
		r := h.rampRun(ctx, p, g)
		if r.Broken != "" {
			h.logf("BROKEN ramp with %s: %s", g, r.Broken)
			status = 1
		}
		res.Runs = append(res.Runs, *r)
	}
	res.Seconds = time.Since(h.started).Seconds()
	if err := h.writeRamp(res, p.docs); err != nil {
		fmt.Fprintln(os.Stderr, "bench: writing results:", err)
		return 1
	}
	return status
}

// rerenderRamp writes a finished ramp's tables again from its ramp.json, so
// that a change to how they read needs no new measurement.
func rerenderRamp(dir string, docs bool) int {
	var res rampResults
	repo, ok := loadRun(dir, "ramp.json", &res)
	if !ok {
		return 2
	}
	h := &harness{repo: repo, out: dir}
	if err := h.writeRamp(&res, docs); err != nil {
		fmt.Fprintln(os.Stderr, "bench: writing results:", err)
		return 1
	}
	return 0
}

// heldHold is how long each held call lasts from its answer: past the
// baseline, every step, and a margin for setting them up.
func (p rampPlan) heldHold() time.Duration {
	return rampBaseline + time.Duration(len(p.rates))*p.step + 10*time.Second
}

// stepGen is one step's generator while it runs.
type stepGen struct {
	idx  int
	sipp *sippRun
	lt   *loadtestRun
}

func (g stepGen) proc() *proc {
	if g.sipp != nil {
		return g.sipp.p
	}
	return g.lt.p
}

// rampRun runs the whole ramp with gen against a fresh server. What broke
// is in the result's Broken, with the steps measured so far.
func (h *harness) rampRun(ctx context.Context, p rampPlan, gen string) *rampRun {
	name := "ramp-" + gen
	run := &rampRun{Generator: gen, StepSeconds: p.step.Seconds(), Held: p.held}
	cg, err := startConfgw(ctx, h.bin, h.work, name+"-serve", h.ports)
	if err != nil {
		run.Broken = err.Error()
		return run
	}
	defer cg.p.stop(15 * time.Second)

	h.logf("ramp with %s: %d held calls", gen, p.held)
	held, err := startCaller(h.work, name+"-held", sippCall{target: cg.sip, legs: p.held, rate: heldRate, hold: p.heldHold()}, h.ports)
	if err != nil {
		run.Broken = err.Error()
		return run
	}
	defer held.p.stop(5 * time.Second)
	setup := time.Duration(p.held/heldRate+1)*time.Second + 10*time.Second
	if run.HeldUp, err = waitLegs(ctx, confgwServer{cg}, p.held, time.Now().Add(setup), held.p); err != nil {
		run.Broken = "held calls: " + err.Error()
		return run
	}

	smp := startSampler(ctx, cg, held.media)
	base := time.Now()
	if err := sleep(ctx, rampBaseline); err != nil {
		smp.stop()
		run.Broken = err.Error()
		return run
	}
	start := time.Now()
	var gens []stepGen
	for i, rate := range p.rates {
		if err := sleep(ctx, time.Until(start.Add(time.Duration(i)*p.step))); err != nil {
			run.Broken = err.Error()
			break
		}
		if cg.p.exited() {
			run.Broken = fmt.Sprintf("confgw died before the %d/s step", rate)
			break
		}
		h.logf("  %s %d calls/s for %s", gen, rate, p.step)
		g, err := h.startStep(p, gen, i, rate, cg.sip)
		if err != nil {
			run.Broken = err.Error()
			break
		}
		gens = append(gens, g)
	}
	if run.Broken == "" {
		if err := sleep(ctx, time.Until(start.Add(time.Duration(len(p.rates))*p.step))); err != nil {
			run.Broken = err.Error()
		}
	}
	// Every step's calls end callHold after it, a failing one within SIP
	// timer B; a generator still busy much later has stalled.
	limit := time.Now().Add(p.step + callHold + 40*time.Second)
	for _, g := range gens {
		rate := p.rates[g.idx]
		s := rampStep{Offered: rate, Seconds: p.step.Seconds()}
		if !g.proc().wait(ctx, time.Until(limit)) {
			s.Stalled = true
			g.proc().stop(5 * time.Second)
		}
		h.finishStep(&s, g, p.step)
		at := start.Add(time.Duration(g.idx) * p.step)
		s.Server = aggregateStep(smp.samples(), at, at.Add(p.step), p.held)
		h.logf("  %s %d/s: %d of %d set up (%.0f/s), failures %s; shed %.0f, tick late ≤ %.0f ms, held %.1f pkt/s, /metrics ≤ %.0f ms (%d failed), server %.2f cores",
			gen, rate, s.OK, s.Attempted, s.Achieved, formatFailures(s.Failures), s.Server.shedTotal(),
			s.Server.TickLateMaxMs, s.Server.HeldPPS, s.Server.ScrapeMaxMs, s.Server.ScrapeFailures, s.Server.CPUCores)
		run.Steps = append(run.Steps, s)
	}
	run.Baseline = aggregateStep(smp.samples(), base, start, p.held)
	smp.stop()

	// The held calls end by themselves soon after the last step.
	if !held.p.wait(ctx, time.Until(base.Add(p.heldHold()+30*time.Second))) {
		held.p.stop(5 * time.Second)
	}
	o := held.outcome()
	run.HeldOK, run.HeldFailed = o.Successful, o.Failed
	if cg.p.exited() && run.Broken == "" {
		run.Broken = "confgw died"
	}
	run.Sustained, run.ShedFrom = summarize(run.Steps)
	return run
}

// startStep starts the generator of step i.
func (h *harness) startStep(p rampPlan, gen string, i, rate int, target string) (stepGen, error) {
	name := fmt.Sprintf("ramp-%s-%d", gen, rate)
	g := stepGen{idx: i}
	var err error
	if gen == "sipp" {
		calls := rate * int(p.step/time.Second)
		g.sipp, err = startCaller(h.work, name, sippCall{target: target, legs: calls, rate: rate, hold: callHold, limit: 4 * rate}, h.ports)
	} else {
		g.lt, err = startLoadtestCPS(h.bin, h.work, name, target, rate, p.step, callHold)
	}
	return g, err
}

// finishStep reads a finished step's generator.
func (h *harness) finishStep(s *rampStep, g stepGen, step time.Duration) {
	secs := step.Seconds()
	if g.sipp != nil {
		o := g.sipp.outcome()
		if o.Broken != "" {
			s.Problem = o.Broken
		}
		s.Attempted, s.OK, s.Failed, s.SetupMs = o.Created, o.Successful, o.Failed, o.SetupMean
		st, _ := readSippStats(g.sipp.stat)
		errs, _ := os.ReadFile(g.sipp.errLog)
		s.Failures = sippFailureKinds(sippFailures(string(errs)), o.Failed, st)
		s.Placed = float64(o.Created) / secs
		if st != nil {
			if r, err := st.creationRate(o.Created); err == nil {
				s.Placed = r
			}
		}
	} else {
		lt, err := g.lt.result()
		if err != nil {
			s.Problem = err.Error()
			return
		}
		s.Attempted, s.OK, s.Failed, s.Failures = lt.Attempted, lt.Established, lt.Failed, lt.Failures
		s.Placed = float64(lt.Attempted) / secs
		s.SetupMs, s.SetupP99Ms = lt.SetupMS.P50, lt.SetupMS.P99
	}
	s.Achieved = float64(s.OK) / secs
}

// summarize finds the sustained rate, the highest step before the first
// failure at which the generator kept up with no call failing, and the
// first step where the gateway shed calls or answered 503.
func summarize(steps []rampStep) (sustained, shedFrom int) {
	failed := false
	for _, s := range steps {
		failed = failed || s.Failed > 0 || s.Stalled
		if !failed && !s.saturated() {
			sustained = s.Offered
		}
		if shedFrom == 0 && (s.Server.shedTotal() > 0 || s.Server.Sent503 > 0 || s.Failures["503"] > 0) {
			shedFrom = s.Offered
		}
	}
	return sustained, shedFrom
}

// sampler looks at the server every second for the whole ramp.
type sampler struct {
	mu   sync.Mutex
	all  []rampSample
	quit chan struct{}
	done chan struct{}
}

// scrapeEvery and scrapeLimit: a scrape a second, each given two before it
// counts as failed, so a starved /metrics shows as failures, not as a
// sampler that falls silent.
const (
	scrapeEvery = time.Second
	scrapeLimit = 2 * time.Second
)

func startSampler(ctx context.Context, cg *confgw, heldMedia int) *sampler {
	s := &sampler{quit: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		t := time.NewTicker(scrapeEvery)
		defer t.Stop()
		for {
			x := rampSample{At: time.Now()}
			if c, err := cg.p.cpu(); err == nil {
				x.CPU, x.CPUOK = c, true
			}
			if n, err := udpDrops(heldMedia); err == nil {
				x.HeldRecv, x.HeldRecvOK = n, true
			}
			m, err := scrape(ctx, cg.http+"/metrics", scrapeLimit)
			x.ScrapeMs = float64(time.Since(x.At).Microseconds()) / 1000
			if err != nil {
				x.ScrapeErr = err.Error()
			} else {
				x.fromMetrics(m)
			}
			s.mu.Lock()
			s.all = append(s.all, x)
			s.mu.Unlock()
			select {
			case <-ctx.Done():
				return
			case <-s.quit:
				return
			case <-t.C:
			}
		}
	}()
	return s
}

func (s *sampler) samples() []rampSample {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]rampSample(nil), s.all...)
}

func (s *sampler) stop() {
	select {
	case <-s.quit:
	default:
		close(s.quit)
	}
	<-s.done
}

// writeRamp puts ramp.json and ramp.md into the output directory, prints
// the tables, and with docs puts them into docs/performance.md.
func (h *harness) writeRamp(res *rampResults, docs bool) error {
	js, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(h.out, "ramp.json"), append(js, '\n'), 0o644); err != nil {
		return err
	}
	md := rampMarkdown(res)
	if err := os.WriteFile(filepath.Join(h.out, "ramp.md"), []byte(md), 0o644); err != nil {
		return err
	}
	fmt.Print("\n" + md)
	fmt.Printf("\nResults in %s\n", h.out)
	if !docs {
		return nil
	}
	path := filepath.Join(h.repo, "docs", "performance.md")
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, []byte(replaceSection(string(b), rampHeading, md, rampBefore)), 0o644); err != nil {
		return err
	}
	fmt.Printf("Wrote the ramp into %s\n", path)
	return nil
}
