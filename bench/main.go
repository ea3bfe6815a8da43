// Command bench is the load harness behind the figures of
// docs/performance.md. On one machine, over loopback, it serves confgw and
// sipp's RTP echo server in turn, loads each with the same phone legs and
// call rates, and writes what it measured to an output directory, bench/out
// in the repository unless -out says otherwise:
//
//	cd bench && go run . [-quick] [-out DIR] [-docs]
//
// With -ramp it measures overload instead: long calls held up while the
// offered rate of new calls steps past what the gateway sustains (see
// ramp.go):
//
//	cd bench && go run . -ramp 100,150,200,250,300,400 -step 30s [-ramp-gen sipp,loadtest] [-docs]
//
// It is a module of its own so that its plotting libraries stay out of the
// gateway's build; it finds the repository by walking up from the working
// directory.
//
// It needs root (sipp sends the callers' audio through a raw socket) and
// sipp. A run that breaks (a server dies, sipp errs) makes the exit status
// non-zero; targets missed are reported, not fatal.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// plan is what one run measures.
type plan struct {
	sipp     []level
	loadtest []level
	// loadtestEcho also runs the loadtest levels against the echo server.
	loadtestEcho   bool
	cpsRates       []int
	cpsDuration    time.Duration
	profileSeconds int
}

// fullPlan fits in about 15 minutes on two cores; the 30 s windows hold
// every figure steady to a few per cent, the 1000-leg one is the target's
// minute.
func fullPlan() plan {
	return plan{
		sipp: []level{
			{Legs: 50, Gen: "sipp", Rate: 100, Window: 30 * time.Second},
			{Legs: 100, Gen: "sipp", Rate: 100, Window: 30 * time.Second},
			{Legs: 200, Gen: "sipp", Rate: 100, Window: 30 * time.Second},
			{Legs: 300, Gen: "sipp", Rate: 100, Window: 30 * time.Second, Profile: true},
		},
		loadtest: []level{
			{Legs: 500, Gen: "loadtest", Rate: 200, Window: 30 * time.Second, Profile: true},
			{Legs: 1000, Gen: "loadtest", Rate: 200, Window: 60 * time.Second, Profile: true},
			{Legs: 2000, Gen: "loadtest", Rate: 200, Window: 30 * time.Second, Profile: true},
		},
		loadtestEcho:   true,
		cpsRates:       []int{100, 200, 300, 400, 500, 700, 1000},
		cpsDuration:    10 * time.Second,
		profileSeconds: 15,
	}
}

// quickPlan fits in about 3 minutes: a smoke test of the whole harness with
// figures good to tens of per cent.
func quickPlan() plan {
	return plan{
		sipp: []level{
			{Legs: 50, Gen: "sipp", Rate: 100, Window: 15 * time.Second},
			{Legs: 200, Gen: "sipp", Rate: 200, Window: 15 * time.Second, Profile: true},
		},
		loadtest: []level{
			{Legs: 1000, Gen: "loadtest", Rate: 250, Window: 20 * time.Second, Profile: true},
		},
		cpsRates:       []int{100, 300},
		cpsDuration:    4 * time.Second,
		profileSeconds: 10,
	}
}

// harness holds what every run shares.
type harness struct {
	plan           plan
	repo           string
	work           string
	out            string
	bin            string
	ports          *portPicker
	loadtest       bool
	profileSeconds int
	started        time.Time
}

func (h *harness) logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench %5.0fs  %s\n", time.Since(h.started).Seconds(), fmt.Sprintf(format, args...))
}

func main() {
	quick := flag.Bool("quick", false, "fewer levels and shorter windows (about 3 minutes)")
	out := flag.String("out", "", "results directory (default bench/out in the repository, wherever the harness runs from)")
	docs := flag.Bool("docs", false, "copy the plots into docs/ as the published figures")
	only := flag.String("legs", "", "measure only these levels, e.g. 200,1000 (0 keeps the call set-up run)")
	render := flag.String("render", "", "measure nothing: write the tables and plots again from DIR/results.json")
	ramp := flag.String("ramp", "", "measure only an overload ramp: these new-call rates a second, rising, e.g. 100,150,200,250,300,400")
	step := flag.Duration("step", 30*time.Second, "with -ramp: how long each rate is offered")
	rampGen := flag.String("ramp-gen", "sipp,loadtest", "with -ramp: who places the ramp's calls, sipp, loadtest or both in turn")
	held := flag.Int("held", 20, "with -ramp: long calls held up through the ramp")
	rampRender := flag.String("ramp-render", "", "measure nothing: write a ramp's tables again from DIR/ramp.json")
	flag.Parse()
	if *render != "" {
		os.Exit(rerender(*render, *docs))
	}
	if *rampRender != "" {
		os.Exit(rerenderRamp(*rampRender, *docs))
	}
	if *ramp != "" {
		p, err := newRampPlan(*ramp, *step, *rampGen, *held, *docs)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(2)
		}
		os.Exit(runRamp(p, *out))
	}
	os.Exit(run(*quick, *out, *docs, *only))
}

// defaultOut is the results directory when -out is not given. It hangs off
// the repository, not the working directory, so that results land in the
// one place .gitignore and docs/performance.md expect however the harness
// was started.
func defaultOut(repo string) string { return filepath.Join(repo, "bench", "out") }

// loadRun reads the file name of a finished run in dir into v and finds
// the repository, saying on stderr what failed.
func loadRun(dir, name string, v any) (repo string, ok bool) {
	repo, err := repoRoot()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		return "", false
	}
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		return "", false
	}
	if err := json.Unmarshal(b, v); err != nil {
		fmt.Fprintf(os.Stderr, "bench: %s: %v\n", dir, err)
		return "", false
	}
	return repo, true
}

// rerender writes a finished run's tables and plots again from its
// results.json, so that a change to how they are drawn needs no new
// measurement; the figures stay those the run measured.
func rerender(dir string, docs bool) int {
	var res results
	repo, ok := loadRun(dir, "results.json", &res)
	if !ok {
		return 2
	}
	res.Targets = checkTargets(&res)
	h := &harness{repo: repo, out: dir}
	if err := h.write(&res, docs); err != nil {
		fmt.Fprintln(os.Stderr, "bench: writing results:", err)
		return 1
	}
	return 0
}

// restrict keeps the levels listed in only, a comma-separated list of leg
// counts, so that one figure can be re-measured without the whole run; 0
// in the list keeps the call set-up run, which is otherwise left out.
func (p *plan) restrict(only string) error {
	if only == "" {
		return nil
	}
	keep := map[int]bool{}
	for f := range strings.SplitSeq(only, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 0 {
			return fmt.Errorf("-legs %q: want leg counts such as 200,1000", only)
		}
		keep[n] = true
	}
	pick := func(ls []level) []level {
		var kept []level
		for _, l := range ls {
			if keep[l.Legs] {
				kept = append(kept, l)
			}
		}
		return kept
	}
	p.sipp, p.loadtest = pick(p.sipp), pick(p.loadtest)
	if !keep[0] {
		p.cpsRates = nil
	}
	return nil
}

// prepare checks the machine can run the harness and finds the
// repository, saying on stderr what is missing.
func prepare() (repo string, ok bool) {
	if err := preflight(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		return "", false
	}
	repo, err := repoRoot()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		return "", false
	}
	return repo, true
}

// run returns the exit status: 2 when the harness cannot start, 1 when a run
// broke, 0 otherwise.
func run(quick bool, out string, docs bool, only string) int {
	repo, ok := prepare()
	if !ok {
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	defer killAll()

	h := &harness{plan: fullPlan(), repo: repo, ports: newPortPicker(), started: time.Now()}
	if quick {
		h.plan = quickPlan()
	}
	if err := h.plan.restrict(only); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		return 2
	}
	h.profileSeconds = h.plan.profileSeconds
	if out == "" {
		out = defaultOut(repo)
	}
	var err error
	if h.out, err = filepath.Abs(out); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		return 2
	}
	if err := os.MkdirAll(h.out, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		return 2
	}
	if h.work, err = os.MkdirTemp("", "confgw-bench-"); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		return 2
	}
	defer os.RemoveAll(h.work)

	res, err := h.runAll(ctx, quick)
	if res != nil {
		if werr := h.write(res, docs); werr != nil {
			fmt.Fprintln(os.Stderr, "bench: writing results:", werr)
			return 1
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		return 1
	}
	if len(res.Broken) > 0 {
		fmt.Fprintf(os.Stderr, "bench: %d run(s) broke; see results.json\n", len(res.Broken))
		return 1
	}
	return 0
}

// preflight checks what sipp needs before anything starts.
func preflight() error {
	if _, err := exec.LookPath("sipp"); err != nil {
		return errors.New("sipp is missing: install the Debian package sip-tester (apt-get install sip-tester)")
	}
	if os.Geteuid() != 0 {
		return errors.New("run as root: sipp replays the callers' audio through a raw socket, and without it the calls carry no RTP and the figures would measure an idle mixer")
	}
	if _, err := exec.LookPath("go"); err != nil {
		return errors.New("go is not in PATH: the harness builds confgw and reads profiles with it")
	}
	return nil
}
