package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/confgw/confgw/internal/loadgen"
)

// loadtestResult is what `confgw loadtest -o json` prints: the
// generator's own report type, so the two cannot drift apart.
type loadtestResult = loadgen.Report

func parseLoadtest(b []byte) (*loadtestResult, error) {
	var r loadtestResult
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("loadtest JSON: %w", err)
	}
	return &r, nil
}

// loadtestRun is one `confgw loadtest` process.
type loadtestRun struct {
	p   *proc
	out string
	log string
}

// startLoadtestHold places legs calls at rate per second, each held for hold.
func startLoadtestHold(bin, dir, name, target string, legs, rate int, hold time.Duration) (*loadtestRun, error) {
	return startLoadtest(bin, dir, name, "--target", target, "--to", "demo",
		"--legs", itoa(legs), "--rate", itoa(rate), "--hold", hold.String(), "-o", "json")
}

// startLoadtestCPS places short calls at cps per second for duration.
func startLoadtestCPS(bin, dir, name, target string, cps int, duration, callHold time.Duration) (*loadtestRun, error) {
	return startLoadtest(bin, dir, name, "--target", target, "--to", "demo",
		"--cps", itoa(cps), "--duration", duration.String(), "--call-hold", callHold.String(), "-o", "json")
}

func startLoadtest(bin, dir, name string, args ...string) (*loadtestRun, error) {
	r := &loadtestRun{out: filepath.Join(dir, name+".json"), log: filepath.Join(dir, name+".log")}
	var err error
	r.p, err = startProc(name, dir, r.log, r.out, append([]string{bin, "loadtest"}, args...)...)
	return r, err
}

// result reads the JSON once the generator has exited. It exits non-zero
// when calls failed, so only a missing or unreadable document means the run
// itself broke.
func (r *loadtestRun) result() (*loadtestResult, error) {
	code := r.p.exitCode()
	b, err := os.ReadFile(r.out)
	if err != nil || len(b) == 0 {
		return nil, fmt.Errorf("loadtest exit %d, no JSON: %s", code, tail(r.log, 600))
	}
	res, err := parseLoadtest(b)
	if err != nil {
		return nil, fmt.Errorf("loadtest exit %d: %w; %s", code, err, tail(r.log, 600))
	}
	return res, nil
}
