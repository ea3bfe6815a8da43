package main

import (
	"fmt"
	"strings"
)

// rampHeading is the section of docs/performance.md the ramp writes, and
// rampBefore the heading it goes in front of the first time.
const (
	rampHeading = "## Overload: a call-rate ramp"
	rampBefore  = "## App audio over WebRTC"
)

// rampIntro says how the ramp measures, above its tables.
const rampIntro = `A ramp offers the gateway more new calls a second than it can set up
while long calls are already up, to show that overload degrades service
for new callers only: above the sustained rate they are refused early
with 503 and Retry-After (` + "`--shed-tick-late`, `--max-setup-calls`" + `, counted
by ` + "`confgw_calls_shed_total`" + `), the calls already up keep their 50 packets
a second, and ` + "`/metrics`" + ` keeps answering.

Against one fresh ` + "`confgw serve`" + ` per generator, sipp first places the held
calls (long calls with audio both ways, 10 a second) and, once they are
up and measured alone for 3 s, each step places 2 s calls with audio
(as the call set-up run does) at its offered rate for the step's length:
sipp's load caller, or ` + "`confgw loadtest --cps R --duration STEP --call-hold 2s`" + `.
A step's calls are those its generator placed; the server's figures are
over the step's own seconds. Per step:

| column | measured as |
|---|---|
| placed/s | the rate the generator placed calls at (sipp: timed between its 1 s statistics rows; loadtest: attempted over the step) |
| set up/s, calls, failed | calls answered 200 over the step's length; sipp's ` + "`TotalCallCreated`, `FailedCall`" + `, or loadtest's ` + "`attempted`, `failed`" + ` |
| failures | sipp: each call its ` + "`-error_file`" + ` shows aborted on an unexpected response, by status, the rest ` + "`timeout`" + ` (its retransmission and receive time-outs) or ` + "`other`" + `; loadtest: its ` + "`failures`" + ` by status |
| 503 / other 5xx sent | the server's own ` + "`confgw_sip_responses_total{direction=\"sent\"}`" + ` deltas |
| shed | ` + "`confgw_calls_shed_total`" + ` delta by reason: 503s sent before any RTP port was taken |
| tick late | the highest ` + "`confgw_mixer_tick_late_seconds`" + ` read (each reading is the worst of the second before) |
| tick p99 / max | from the ` + "`confgw_mixer_tick_seconds`" + ` histogram's delta, max as the upper bound of the slowest tick's bucket |
| held pkt/s | packets a second that reached each held call: the drops counter of the held callers' media socket in ` + "`/proc/net/udp`" + `, which sipp never reads |
| concealed + dropped | ` + "`confgw_rtp_frames_concealed_total`" + ` plus ` + "`confgw_rtp_packets_dropped_total`" + ` over ` + "`confgw_rtp_packets_total{direction=\"in\"}`" + `, deltas over every leg, the step's short calls included (the gateway does not count per call) |
| /metrics | a scrape every second with 2 s to answer: the slowest, and how many failed |
| server CPU | the serve's utime + stime over the step, in cores |

The sustained rate is the highest step, before any call failed, at which
the generator kept up (placed at least 90 % of the offered rate) and no
call failed; shedding starts at the first step with a shed call or a 503.
`

// rampMarkdown renders a ramp's results as they go into
// docs/performance.md.
func rampMarkdown(res *rampResults) string {
	var b strings.Builder
	b.WriteString(rampHeading + "\n\n" + rampIntro + "\n```sh\n" + res.Command + "\n```\n\n")
	m := res.Machine
	fmt.Fprintf(&b, "Measured by that command (%.0f s) on %s, %d cores, Linux %s, %s, sipp %s.\n",
		res.Seconds, orDash(m.CPU), m.Cores, orDash(m.Kernel), m.Go, orDash(strings.TrimSuffix(m.Sipp, ".")))
	for _, r := range res.Runs {
		rampRunMarkdown(&b, r)
	}
	return b.String()
}

func rampRunMarkdown(b *strings.Builder, r rampRun) {
	fmt.Fprintf(b, "\n### Ramp with %s, %.0f s steps\n\n", r.Generator, r.StepSeconds)
	if r.Broken != "" {
		fmt.Fprintf(b, "BROKEN: %s\n\n", r.Broken)
	}
	b.WriteString(rampSummary(r) + "\n\n")
	b.WriteString("| offered calls/s | placed/s | set up/s | calls | failed | failures | 503 / other 5xx sent | shed: tick late / set-up queue | tick late ≤ ms | tick p99 / max ms | held pkt/s per call | concealed + dropped | /metrics slowest ms (failed) | server CPU cores | set-up ms |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	row := func(failures string, s stepServer) {
		fmt.Fprintf(b, "%s | %.0f / %.0f | %.0f / %.0f | %.0f | %.2f / ≤ %.1f | %.1f | %.3f %% | %.0f (%d) | %.2f |",
			failures, s.Sent503, s.Sent5xxOther, s.Shed[shedTickLate], s.Shed[shedSetupQueue],
			s.TickLateMaxMs, s.TickP99Ms, s.TickMaxMs, s.HeldPPS, s.BadPct, s.ScrapeMaxMs, s.ScrapeFailures, s.CPUCores)
	}
	fmt.Fprintf(b, "| held calls alone | - | - | - | - | ")
	row("-", r.Baseline)
	b.WriteString(" - |\n")
	for _, s := range r.Steps {
		placed := fmt.Sprintf("%.0f", s.Placed)
		if s.saturated() {
			placed += " (generator short)"
		}
		if s.Stalled {
			placed += " (stalled)"
		}
		setup := fmt.Sprintf("%.1f", s.SetupMs)
		if r.Generator == "sipp" && s.SetupMs == 0 {
			setup = "< 1" // sipp times responses in whole milliseconds
		}
		if s.SetupP99Ms > 0 {
			setup += fmt.Sprintf(" (p99 %.1f)", s.SetupP99Ms)
		}
		fmt.Fprintf(b, "| %d | %s | %.0f | %d | %d | ", s.Offered, placed, s.Achieved, s.Attempted, s.Failed)
		row(formatFailures(s.Failures), s.Server)
		fmt.Fprintf(b, " %s |\n", setup)
	}
	for _, s := range r.Steps {
		if s.Problem != "" {
			fmt.Fprintf(b, "\n- %d/s: %s", s.Offered, s.Problem)
		}
	}
}

// The shed reasons as the gateway labels them (gateway.ShedTickLate and
// gateway.ShedSetupQueue; the harness does not import the gateway).
const (
	shedTickLate   = "tick_late"
	shedSetupQueue = "setup_queue"
)

// rampSummary is the sentences above a ramp's table: the sustained rate,
// where shedding starts and what the held calls kept.
func rampSummary(r rampRun) string {
	var parts []string
	if r.Sustained > 0 {
		parts = append(parts, fmt.Sprintf("**Sustained: %d calls/s** with no failed call.", r.Sustained))
	} else {
		parts = append(parts, "**Sustained: below the first step** (a call failed or the generator fell short there).")
	}
	if r.ShedFrom > 0 {
		parts = append(parts, fmt.Sprintf("**Shedding starts at %d calls/s.**", r.ShedFrom))
	} else {
		parts = append(parts, "**No call was shed** at any step.")
	}
	if fails := failuresAbove(r); fails != "" {
		parts = append(parts, "Failures over all steps: "+fails+".")
	}
	if early := earlyRefusals(r); early != "" {
		parts = append(parts, early)
	}
	minPPS, maxBad, maxScrape, scrapeFails := -1.0, 0.0, 0.0, 0
	for _, s := range r.Steps {
		if minPPS < 0 || s.Server.HeldPPS < minPPS {
			minPPS = s.Server.HeldPPS
		}
		maxBad = max(maxBad, s.Server.BadPct)
		maxScrape = max(maxScrape, s.Server.ScrapeMaxMs)
		scrapeFails += s.Server.ScrapeFailures
	}
	parts = append(parts, fmt.Sprintf("Held calls: %d of %d up before the ramp, %d failed (hung up) by its end; at every step each received at least %.1f packets a second, and concealed + dropped frames stayed at or under %.3f %%.",
		r.HeldUp, r.Held, r.HeldFailed, max(minPPS, 0), maxBad))
	if scrapeFails == 0 {
		parts = append(parts, fmt.Sprintf("`/metrics` answered every scrape, the slowest in %.0f ms.", maxScrape))
	} else {
		parts = append(parts, fmt.Sprintf("`/metrics` failed %d scrapes (2 s limit); the slowest took %.0f ms.", scrapeFails, maxScrape))
	}
	return strings.Join(parts, " ")
}

// earlyRefusals says how many of the 503s the server sent were shed, that
// is refused before an RTP port was taken, and how many other 5xx it sent.
func earlyRefusals(r rampRun) string {
	var sent503, shed, other float64
	for _, s := range r.Steps {
		sent503 += s.Server.Sent503
		shed += s.Server.shedTotal()
		other += s.Server.Sent5xxOther
	}
	if sent503 == 0 && other == 0 {
		return ""
	}
	return fmt.Sprintf("The server sent %.0f 503s, %.0f of them shed before an RTP port was taken, and %.0f other 5xx.", sent503, shed, other)
}

// failuresAbove totals the failures of every step by kind.
func failuresAbove(r rampRun) string {
	all := map[string]int{}
	for _, s := range r.Steps {
		for k, n := range s.Failures {
			all[k] += n
		}
	}
	if len(all) == 0 {
		return ""
	}
	f := formatFailures(all)
	if f == "-" {
		return ""
	}
	return f
}

// replaceSection puts body, which starts with heading, in place of the
// section of doc under heading (up to the next heading of its level or
// higher); when doc has no such section, in front of the heading before,
// or at the end.
func replaceSection(doc, heading, body, before string) string {
	body = strings.TrimRight(body, "\n") + "\n\n"
	lines := strings.SplitAfter(doc, "\n")
	level := strings.Count(strings.Fields(heading)[0], "#")
	isHeading := func(l string, max int) bool {
		t := strings.TrimRight(l, "\n")
		n := len(t) - len(strings.TrimLeft(t, "#"))
		return n > 0 && n <= max && strings.HasPrefix(t[n:], " ")
	}
	inFence := false
	start, end, beforeAt := -1, -1, -1
	for i, l := range lines {
		if strings.HasPrefix(l, "```") {
			inFence = !inFence
			continue
		}
		if inFence {
			continue
		}
		t := strings.TrimRight(l, "\n")
		switch {
		case start < 0 && t == heading:
			start = i
		case start >= 0 && end < 0 && isHeading(l, level):
			end = i
		}
		if beforeAt < 0 && t == before {
			beforeAt = i
		}
	}
	join := func(ls []string) string { return strings.Join(ls, "") }
	switch {
	case start >= 0:
		if end < 0 {
			return join(lines[:start]) + strings.TrimRight(body, "\n") + "\n"
		}
		return join(lines[:start]) + body + join(lines[end:])
	case beforeAt >= 0:
		return join(lines[:beforeAt]) + body + join(lines[beforeAt:])
	default:
		if !strings.HasSuffix(doc, "\n\n") {
			doc = strings.TrimRight(doc, "\n") + "\n\n"
		}
		return doc + strings.TrimRight(body, "\n") + "\n"
	}
}
