package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestRestrictKeepsTheListedLevels(t *testing.T) {
	for _, tt := range []struct {
		only     string
		sipp     []int
		loadtest []int
		cps      bool
		bad      bool
	}{
		{only: "", sipp: []int{50, 100, 200, 300}, loadtest: []int{500, 1000, 2000}, cps: true},
		{only: "200,1000", sipp: []int{200}, loadtest: []int{1000}},
		{only: "0", cps: true},
		{only: "300, 0", sipp: []int{300}, cps: true},
		{only: "many", bad: true},
		{only: "-5", bad: true},
	} {
		p := fullPlan()
		err := p.restrict(tt.only)
		if (err != nil) != tt.bad {
			t.Fatalf("%q: error %v", tt.only, err)
		}
		if tt.bad {
			continue
		}
		legs := func(ls []level) []int {
			var n []int
			for _, l := range ls {
				n = append(n, l.Legs)
			}
			return n
		}
		if !slices.Equal(legs(p.sipp), tt.sipp) || !slices.Equal(legs(p.loadtest), tt.loadtest) || (len(p.cpsRates) > 0) != tt.cps {
			t.Errorf("%q: kept sipp %v, loadtest %v, cps %v", tt.only, legs(p.sipp), legs(p.loadtest), p.cpsRates)
		}
	}
}

func TestRerenderDrawsAFinishedRunAgain(t *testing.T) {
	dir := t.TempDir()
	res := &results{
		Sipp: []levelPair{{Legs: 200, Generator: "sipp",
			Confgw: &holdResult{Target: "confgw", Legs: 200, CPUPerLegMinute: 0.036, BackPPSPerLeg: 50, AllUp: true, PeakRSSKiB: 35000},
			Echo:   &holdResult{Target: "echo", Legs: 200, CPUPerLegMinute: 0.022, BackPPSPerLeg: 50, AllUp: true}}},
	}
	h := &harness{out: dir}
	if err := h.write(res, false); err != nil {
		t.Fatal(err)
	}
	if code := rerender(dir, false); code != 0 {
		t.Fatalf("rerender exited %d", code)
	}
	md, err := os.ReadFile(filepath.Join(dir, "results.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(md), "| 200 | confgw | 0.036 |") {
		t.Fatalf("the table lost the run's figures:\n%s", md)
	}
	if code := rerender(t.TempDir(), false); code == 0 {
		t.Fatal("rerender of a directory with no results.json succeeded")
	}
}

func TestResultsLandInTheRepositorysBenchOutWhereverTheHarnessRuns(t *testing.T) {
	// go test runs in bench/, as `cd bench && go run .` does; the results
	// must still go to bench/out, not bench/bench/out.
	here, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	repo, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	if repo != filepath.Dir(here) {
		t.Fatalf("repository found at %s, want %s", repo, filepath.Dir(here))
	}
	if got, want := defaultOut(repo), filepath.Join(here, "out"); got != want {
		t.Fatalf("default results directory %s, want %s", got, want)
	}
	t.Chdir(filepath.Join(repo, "cmd", "confgw"))
	if again, err := repoRoot(); err != nil || again != repo {
		t.Fatalf("from cmd/confgw the repository is %s (%v), want %s", again, err, repo)
	}
}
