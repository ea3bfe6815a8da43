package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// write puts results.json, results.md and the plots into the output
// directory, prints the tables, and with docs copies the plots to where
// docs/performance.md shows them.
func (h *harness) write(res *results, docs bool) error {
	js, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(h.out, "results.json"), append(js, '\n'), 0o644); err != nil {
		return err
	}
	tables := markdown(res)
	md := "## Load figures\n\n" + tables + profiles(res)
	if err := os.WriteFile(filepath.Join(h.out, "results.md"), []byte(md), 0o644); err != nil {
		return err
	}
	plots := map[string]string{}
	if err := plotCPU(res, filepath.Join(h.out, "cpu-per-leg.png")); err != nil {
		fmt.Fprintln(os.Stderr, "bench: CPU plot:", err)
	} else {
		plots["cpu-per-leg.png"] = "perf-cpu-per-leg.png"
	}
	if err := plotCPS(res, filepath.Join(h.out, "cps.png")); err != nil {
		fmt.Fprintln(os.Stderr, "bench: call-setup plot:", err)
	} else {
		plots["cps.png"] = "perf-cps.png"
	}
	fmt.Print("\n" + tables)
	fmt.Printf("\nResults in %s\n", h.out)
	if !docs {
		return nil
	}
	for from, to := range plots {
		b, err := os.ReadFile(filepath.Join(h.out, from))
		if err != nil {
			return err
		}
		dst := filepath.Join(h.repo, "docs", to)
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			return err
		}
		fmt.Printf("Copied %s to %s\n", from, dst)
	}
	return nil
}
