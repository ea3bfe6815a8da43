package main

import (
	"fmt"
	"sort"
	"strings"
)

// markdown renders the tables as they go into docs/performance.md.
func markdown(res *results) string {
	var b strings.Builder
	m := res.Machine
	mode := "full run"
	if res.Quick {
		mode = "quick run (-quick)"
	}
	fmt.Fprintf(&b, "Measured by `(cd bench && go run .)` (%s, %.0f s) on %s, %d cores, Linux %s, %s, sipp %s.\n\n",
		mode, res.Seconds, orDash(m.CPU), m.Cores, orDash(m.Kernel), m.Go, orDash(m.Sipp))

	b.WriteString("### Phone legs with sipp\n\n")
	holdTable(&b, res.Sipp, false)
	if len(res.Loadtest) > 0 {
		b.WriteString("\n### Phone legs with confgw loadtest\n\n")
		holdTable(&b, res.Loadtest, true)
	}

	b.WriteString("\n### Call set-up\n\n")
	b.WriteString("Calls of 2 s with audio both ways, placed for a fixed time at each rate until the first failure.\n\n")
	b.WriteString("| server | offered calls/s | generator | achieved calls/s | calls | failed | set-up ms | server CPU s |\n|---|---|---|---|---|---|---|---|\n")
	for _, pts := range [][]cpsPoint{res.CPS.Confgw, res.CPS.Echo} {
		for _, p := range pts {
			setup := fmt.Sprintf("%.1f", p.SetupMs)
			if p.Generator == "sipp" && p.SetupMs == 0 {
				setup = "< 1" // sipp times responses in whole milliseconds
			}
			if p.SetupP99Ms > 0 {
				setup += fmt.Sprintf(" (p99 %.1f)", p.SetupP99Ms)
			}
			achieved := fmt.Sprintf("%.0f", p.Achieved)
			switch {
			case p.Stalled:
				achieved, setup = "- (the generator stalled)", "-"
			case p.Saturated:
				achieved += " (generator saturated)"
			}
			fmt.Fprintf(&b, "| %s | %d | %s | %s | %d | %d | %s | %.1f |\n",
				serverName(p.Target), p.Offered, p.Generator, achieved, p.Attempted, p.Failed, setup, p.ServerCPU)
		}
	}

	b.WriteString("\n### Targets\n\n| target | measured | |\n|---|---|---|\n")
	for _, c := range res.Targets {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", c.Target, c.Value, c.Status)
	}
	if len(res.Notes) > 0 || len(res.Broken) > 0 {
		b.WriteString("\n")
		for _, n := range res.Notes {
			fmt.Fprintf(&b, "- %s\n", n)
		}
		for _, n := range res.Broken {
			fmt.Fprintf(&b, "- BROKEN: %s\n", n)
		}
	}
	return b.String()
}

// holdTable has a row for confgw and one for the echo floor per level.
func holdTable(b *strings.Builder, pairs []levelPair, loadtest bool) {
	b.WriteString("| legs | server | CPU s per leg-minute | vs echo | peak RSS | KiB per leg | failed calls | RTP back per leg/s | concealed / late / lost / dropped per leg | concealed + dropped | tick p50 / p99 / max ms |")
	if loadtest {
		b.WriteString(" set-up p99 ms | sampled legs hearing the mix |")
	}
	b.WriteString("\n|---|---|---|---|---|---|---|---|---|---|---|")
	if loadtest {
		b.WriteString("---|---|")
	}
	b.WriteString("\n")
	for _, p := range pairs {
		for _, r := range []*holdResult{p.Confgw, p.Echo} {
			if r == nil {
				continue
			}
			vs := "1×"
			if r.Target == "echo" && !r.floor() {
				vs = "not a floor: saturated"
			}
			if r.Target == "confgw" {
				vs = "-"
				if p.Ratio > 0 {
					vs = fmt.Sprintf("%.2f×", p.Ratio)
				}
			}
			legs := fmt.Sprint(r.Legs)
			if !r.AllUp {
				legs += fmt.Sprintf(" (%d up)", r.LegsInWindow)
			}
			quality, bad, tick := "-", "-", "-"
			if r.Target == "confgw" {
				quality = fmt.Sprintf("%.2f / %.2f / %.2f / %.2f", r.ConcealedPerLeg, r.LatePerLeg, r.LostPerLeg, r.DroppedPerLeg)
				bad = fmt.Sprintf("%.3f %%", r.BadFramesPct)
				tick = fmt.Sprintf("%.2f / %.2f / ≤ %.1f", r.TickP50ms, r.TickP99ms, r.TickMaxms)
			}
			fmt.Fprintf(b, "| %s | %s | %.3f | %s | %.1f MiB | %.0f | %d | %.1f | %s | %s | %s |",
				legs, serverName(r.Target), r.CPUPerLegMinute, vs, float64(r.PeakRSSKiB)/1024, r.RSSPerLegKiB,
				r.Failed, r.BackPPSPerLeg, quality, bad, tick)
			if loadtest {
				setup, hear := "-", "-"
				if lt := r.Loadtest; lt != nil {
					setup = fmt.Sprintf("%.1f", lt.SetupMS.P99)
					if r.Target == "confgw" {
						hear = fmt.Sprintf("%d of %d", lt.SampledHearingMix, lt.Sampled)
					}
				}
				fmt.Fprintf(b, " %s | %s |", setup, hear)
			}
			b.WriteString("\n")
		}
	}
}

func serverName(target string) string {
	if target == "echo" {
		return "sipp echo"
	}
	return target
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// profiles renders the top of each CPU profile, for results.md only.
func profiles(res *results) string {
	var b strings.Builder
	var all []*holdResult
	for _, group := range [][]levelPair{res.Sipp, res.Loadtest} {
		for _, p := range group {
			if p.Confgw != nil && p.Confgw.Profile != nil {
				all = append(all, p.Confgw)
			}
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].Legs < all[j].Legs })
	for _, r := range all {
		pr := r.Profile
		fmt.Fprintf(&b, "\n### CPU profile: confgw, %d legs with %s (%d s)\n\n", r.Legs, r.Generator, pr.Seconds)
		if pr.Error != "" {
			fmt.Fprintf(&b, "Profile incomplete: %s\n\n", pr.Error)
		}
		if pr.Top != "" {
			fmt.Fprintf(&b, "```\n%s```\n", pr.Top)
		}
		fmt.Fprintf(&b, "\nFiles: %s, %s, %s\n", orDash(pr.CPU), orDash(pr.Heap), orDash(pr.Allocs))
	}
	return b.String()
}
