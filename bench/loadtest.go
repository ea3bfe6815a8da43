package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// minMeanMax is how the generator sums up a figure over its legs.
type minMeanMax struct {
	Mean float64 `json:"mean"`
	Min  float64 `json:"min"`
	Max  float64 `json:"max"`
}

// setupMS is the time from INVITE to 200 OK over the calls.
type setupMS struct {
	P50 float64 `json:"p50"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

// loadtestResult is what `confgw loadtest -o json` prints.
type loadtestResult struct {
	Mode                     string         `json:"mode"`
	Legs                     int            `json:"legs"`
	Attempted                int            `json:"attempted"`
	Established              int            `json:"established"`
	Failed                   int            `json:"failed"`
	Failures                 map[string]int `json:"failures"`
	HoldSeconds              float64        `json:"hold_seconds"`
	PacketsSent              int64          `json:"packets_sent"`
	PacketsReceived          int64          `json:"packets_received"`
	LossRatio                float64        `json:"loss_ratio"`
	ReceivedPPSPerLeg        minMeanMax     `json:"received_pps_per_leg"`
	LevelDBFS                minMeanMax     `json:"level_dbfs"`
	Sampled                  int            `json:"sampled"`
	SampledHearingMix        int            `json:"sampled_hearing_mix"`
	MixMinusOK               bool           `json:"mix_minus_ok"`
	SetupMS                  setupMS        `json:"setup_ms"`
	CPSAchieved              float64        `json:"cps_achieved"`
	GeneratorCPUSeconds      float64        `json:"generator_cpu_seconds"`
	GeneratorCPUPerLegMinute float64        `json:"generator_cpu_per_leg_minute"`
	// Problems are the generator's own reasons for failing the run.
	Problems []string `json:"problems,omitempty"`
}

// parseLoadtest reads the JSON document. Fields the generator may print as
// strings or leave out are tolerated, so a small change of its output does
// not cost a published run.
func parseLoadtest(b []byte) (*loadtestResult, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("loadtest JSON: %w", err)
	}
	var r loadtestResult
	var err error
	num := func(k string) float64 {
		v, ok := raw[k]
		if !ok || err != nil {
			return 0
		}
		var f float64
		if json.Unmarshal(v, &f) == nil {
			return f
		}
		var s string
		if json.Unmarshal(v, &s) == nil {
			if f, e := strconv.ParseFloat(s, 64); e == nil {
				return f
			}
		}
		var t bool
		if json.Unmarshal(v, &t) == nil {
			if t {
				return 1
			}
			return 0
		}
		err = fmt.Errorf("loadtest JSON: %s is %s", k, v)
		return 0
	}
	obj := func(k string, into any) {
		if v, ok := raw[k]; ok && err == nil {
			if e := json.Unmarshal(v, into); e != nil {
				err = fmt.Errorf("loadtest JSON: %s: %w", k, e)
			}
		}
	}
	if v, ok := raw["mode"]; ok {
		_ = json.Unmarshal(v, &r.Mode)
	}
	r.Legs = int(num("legs"))
	r.Attempted = int(num("attempted"))
	r.Established = int(num("established"))
	r.Failed = int(num("failed"))
	obj("failures", &r.Failures)
	r.HoldSeconds = num("hold_seconds")
	r.PacketsSent = int64(num("packets_sent"))
	r.PacketsReceived = int64(num("packets_received"))
	r.LossRatio = num("loss_ratio")
	obj("received_pps_per_leg", &r.ReceivedPPSPerLeg)
	obj("level_dbfs", &r.LevelDBFS)
	r.Sampled = int(num("sampled"))
	r.SampledHearingMix = int(num("sampled_hearing_mix"))
	r.MixMinusOK = num("mix_minus_ok") != 0
	obj("setup_ms", &r.SetupMS)
	r.CPSAchieved = num("cps_achieved")
	r.GeneratorCPUSeconds = num("generator_cpu_seconds")
	r.GeneratorCPUPerLegMinute = num("generator_cpu_per_leg_minute")
	obj("problems", &r.Problems)
	if err != nil {
		return nil, err
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
