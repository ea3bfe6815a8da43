package main

import (
	"math"
	"strings"
	"testing"
	"time"
)

// Two calls aborted on a 503 (one of them logged twice, as sipp does when a
// retransmission arrives), one on a BYE, as sipp 3.6 writes -error_file.
const sippErrLog = "The following events occurred:\n" +
	"2026-12-07\t15:43:58.639124\t1796658238.639124: Aborting call on unexpected message for Call-Id '1-14744@127.0.0.1': while expecting '100' (index 1), received 'SIP/2.0 503 Service Unavailable\n" +
	"Retry-After: 3\nVia: SIP/2.0/UDP 127.0.0.1:35070;branch=z9hG4bK-14744-1-0\nCall-ID: 1-14744@127.0.0.1\nCSeq: 1 INVITE\nContent-Length: 0\n\n" +
	"'2026-12-07\t15:43:58.972984\t1796658238.972984: Aborting call on unexpected message for Call-Id '2-14744@127.0.0.1': while expecting '100' (index 1), received 'SIP/2.0 503 Service Unavailable\n" +
	"Retry-After: 3\nCall-ID: 2-14744@127.0.0.1\n\n" +
	"'2026-12-07\t15:43:58.982984\t1796658238.982984: Aborting call on unexpected message for Call-Id '2-14744@127.0.0.1': while expecting '100' (index 1), received 'SIP/2.0 503 Service Unavailable\n" +
	"Retry-After: 3\nCall-ID: 2-14744@127.0.0.1\n\n" +
	"'2026-12-07\t15:43:59.308077\t1796658239.308077: Aborting call on unexpected message for Call-Id '3-14744@127.0.0.1': while expecting '200' (index 3), received 'BYE sip:caller@127.0.0.1:35070 SIP/2.0\n" +
	"Call-ID: 3-14744@127.0.0.1\n\n'"

func TestSippFailuresCountEachAbortedCallOnceByStatusOrMethod(t *testing.T) {
	got := sippFailures(sippErrLog)
	if len(got) != 2 || got["503"] != 2 || got["BYE"] != 1 {
		t.Errorf("failures %v; want 503 ×2 and BYE ×1", got)
	}
}

func TestFailuresTheErrorLogDoesNotExplainAreTimeoutsWhenSippTimedOut(t *testing.T) {
	st, err := parseSippStats("FailedCall(C);FailedMaxUDPRetrans(C);FailedTimeoutOnRecv(C);\n10;2;1;\n")
	if err != nil {
		t.Fatal(err)
	}
	got := sippFailureKinds(map[string]int{"503": 6}, 10, st)
	if got["503"] != 6 || got["timeout"] != 3 || got["other"] != 1 || len(got) != 3 {
		t.Errorf("kinds %v; want 503 ×6, timeout ×3, other ×1", got)
	}
	if got := sippFailureKinds(nil, 0, nil); len(got) != 0 {
		t.Errorf("no failure gave %v", got)
	}
	if s := formatFailures(map[string]int{"503": 6, "timeout": 3, "other": 0}); s != "503 ×6, timeout ×3" {
		t.Errorf("formatted %q", s)
	}
}

// sampleAt is a good sample at second sec of a run whose counters grow at
// the rates given per second.
func sampleAt(t0 time.Time, sec int, shed, sent503, in, concealed float64) rampSample {
	s := float64(sec)
	return rampSample{
		At: t0.Add(time.Duration(sec) * time.Second), ScrapeMs: 3,
		CPU: 0.5 * s, CPUOK: true, HeldRecv: uint64(sec * 50 * 10), HeldRecvOK: true,
		Shed:      map[string]float64{"tick_late": shed * s, "setup_queue": 0},
		Sent:      map[string]float64{"200": 100 * s, "503": sent503 * s, "500": 0},
		RTPIn:     in * s,
		Concealed: concealed * s,
		Ticks:     []bucket{{le: 0.005, count: 50 * s}, {le: 0.01, count: 50 * s}, {le: math.Inf(1), count: 50 * s}},
		Legs:      30,
	}
}

func TestAStepsFiguresAreTheDeltasBetweenTheSamplesAroundIt(t *testing.T) {
	t0 := time.Unix(1_800_000_000, 0)
	var samples []rampSample
	for sec := range 21 {
		samples = append(samples, sampleAt(t0, sec, 4, 5, 1000, 2))
	}
	// A slow second and a failed scrape inside the step, and a late tick.
	samples[13].ScrapeMs = 1500
	samples[14] = rampSample{At: samples[14].At, ScrapeMs: 2000, ScrapeErr: "timeout", CPU: 7, CPUOK: true, HeldRecv: 14 * 500, HeldRecvOK: true}
	samples[15].TickLate = 0.08
	samples[15].Ticks = []bucket{{le: 0.005, count: 740}, {le: 0.01, count: 750}, {le: math.Inf(1), count: 750}}
	for i := 16; i < len(samples); i++ {
		samples[i].Ticks[1].count = samples[i].Ticks[0].count + 10
		samples[i].Ticks[2].count = samples[i].Ticks[1].count
	}

	st := aggregateStep(samples, t0.Add(10*time.Second), t0.Add(20*time.Second), 10)
	if st.Scrapes != 10 || st.ScrapeFailures != 1 || st.ScrapeMaxMs != 2000 {
		t.Errorf("scrapes %d, failed %d, slowest %g ms; want 10, 1, 2000", st.Scrapes, st.ScrapeFailures, st.ScrapeMaxMs)
	}
	if st.Shed["tick_late"] != 40 || st.shedTotal() != 40 || st.Sent503 != 50 || st.Sent5xxOther != 0 {
		t.Errorf("shed %v, 503 %g, other 5xx %g; want 40, 50, 0", st.Shed, st.Sent503, st.Sent5xxOther)
	}
	if st.HeldPPS != 50 || st.CPUCores != 0.5 || st.CPUSeconds != 5 {
		t.Errorf("held %g pkt/s, CPU %g cores (%g s); want 50, 0.5 (5)", st.HeldPPS, st.CPUCores, st.CPUSeconds)
	}
	if math.Abs(st.BadPct-0.2) > 1e-9 || st.FramesIn != 10000 {
		t.Errorf("concealed %g %% of %g frames; want 0.2 %% of 10000", st.BadPct, st.FramesIn)
	}
	if st.TickLateMaxMs != 80 || st.TickMaxMs != 10 {
		t.Errorf("tick late %g ms, slowest tick ≤ %g ms; want 80 and 10", st.TickLateMaxMs, st.TickMaxMs)
	}
	// The sample at the step's end belongs to the next step.
	if st.LegsMax != 30 {
		t.Errorf("legs %g", st.LegsMax)
	}
}

func TestAStepWithNoGoodScrapeHasNoCounterFigures(t *testing.T) {
	t0 := time.Unix(1_800_000_000, 0)
	samples := []rampSample{
		{At: t0, ScrapeErr: "refused", ScrapeMs: 1},
		{At: t0.Add(time.Second), ScrapeErr: "refused", ScrapeMs: 1},
	}
	st := aggregateStep(samples, t0, t0.Add(2*time.Second), 10)
	if st.Scrapes != 2 || st.ScrapeFailures != 2 || st.Shed != nil || st.HeldPPS != 0 {
		t.Errorf("got %+v", st)
	}
}

func TestTheSustainedRateIsTheLastStepBeforeTheFirstFailureWhereTheGeneratorKeptUp(t *testing.T) {
	shed := stepServer{Shed: map[string]float64{"tick_late": 3}}
	steps := []rampStep{
		{Offered: 100, Placed: 100},
		{Offered: 150, Placed: 149},
		{Offered: 200, Placed: 200, Failed: 3, Failures: map[string]int{"503": 3}, Server: shed},
		{Offered: 250, Placed: 250},
	}
	if s, f := summarize(steps); s != 150 || f != 200 {
		t.Errorf("sustained %d, shedding from %d; want 150 and 200", s, f)
	}
	// A generator that falls short offers less than the step says.
	steps[1].Placed = 100
	if s, _ := summarize(steps); s != 100 {
		t.Errorf("sustained %d with the generator short at 150; want 100", s)
	}
	if s, f := summarize(steps[:1]); s != 100 || f != 0 {
		t.Errorf("sustained %d, shedding from %d; want 100 and none", s, f)
	}
}

func TestTheRampRatesMustRiseAndTheGeneratorsBeKnown(t *testing.T) {
	if r, err := parseRates("100, 150,200"); err != nil || len(r) != 3 || r[1] != 150 {
		t.Errorf("rates %v, %v", r, err)
	}
	for _, bad := range []string{"", "100,100", "200,100", "x", "0,10"} {
		if _, err := parseRates(bad); err == nil {
			t.Errorf("-ramp %q was taken", bad)
		}
	}
	if g, err := parseGens("sipp,loadtest"); err != nil || len(g) != 2 {
		t.Errorf("gens %v, %v", g, err)
	}
	if _, err := parseGens("sip"); err == nil {
		t.Error("an unknown generator was taken")
	}
	if _, err := newRampPlan("10,20", 2*time.Second, "sipp", 5, false); err == nil {
		t.Error("a 2 s step was taken")
	}
	p, err := newRampPlan("100,150", 30*time.Second, "sipp,loadtest", 20, true)
	if err != nil {
		t.Fatal(err)
	}
	if c := p.command(); c != "cd bench && go run . -ramp 100,150 -step 30s -ramp-gen sipp,loadtest -held 20 -docs" {
		t.Errorf("command %q", c)
	}
}

func TestTheRampSectionReplacesItsOldSelfAndLeavesTheRest(t *testing.T) {
	doc := "# Performance\n\n## Load\n\ntext\n\n## App audio over WebRTC\n\nmore\n"
	body := rampHeading + "\n\nfirst\n\n```sh\n## not a heading\n```\n"
	once := replaceSection(doc, rampHeading, body, rampBefore)
	want := "# Performance\n\n## Load\n\ntext\n\n" + body + "\n## App audio over WebRTC\n\nmore\n"
	if once != want {
		t.Fatalf("inserted:\n%s\nwant:\n%s", once, want)
	}
	twice := replaceSection(once, rampHeading, rampHeading+"\n\nsecond\n", rampBefore)
	if twice != "# Performance\n\n## Load\n\ntext\n\n"+rampHeading+"\n\nsecond\n\n## App audio over WebRTC\n\nmore\n" {
		t.Errorf("replaced:\n%s", twice)
	}
	// The last section of a document, and a document without the heading
	// it goes before.
	last := replaceSection("# P\n\n"+rampHeading+"\n\nold\n", rampHeading, rampHeading+"\n\nnew\n", rampBefore)
	if last != "# P\n\n"+rampHeading+"\n\nnew\n" {
		t.Errorf("last section:\n%q", last)
	}
	if end := replaceSection("# P\n", rampHeading, rampHeading+"\n\nnew\n", rampBefore); end != "# P\n\n"+rampHeading+"\n\nnew\n" {
		t.Errorf("appended:\n%q", end)
	}
}

func TestTheRampTableNamesTheSustainedRateWhereSheddingStartsAndTheCommand(t *testing.T) {
	res := &rampResults{Command: "cd bench && go run . -ramp 100,200 -step 30s", Runs: []rampRun{{
		Generator: "sipp", StepSeconds: 30, Held: 20, HeldUp: 20, Sustained: 100, ShedFrom: 200,
		Steps: []rampStep{
			{Offered: 100, Placed: 100, Achieved: 100, Attempted: 3000, OK: 3000, Server: stepServer{HeldPPS: 50, ScrapeMaxMs: 4}},
			{Offered: 200, Placed: 200, Achieved: 150, Attempted: 6000, OK: 4500, Failed: 1500, Failures: map[string]int{"503": 1500},
				Server: stepServer{HeldPPS: 49.9, BadPct: 0.1, ScrapeMaxMs: 40, Sent503: 1500, Shed: map[string]float64{"tick_late": 1500}}},
		},
	}}}
	md := rampMarkdown(res)
	for _, want := range []string{
		rampHeading, res.Command, "**Sustained: 100 calls/s**", "**Shedding starts at 200 calls/s.**",
		"| 200 | 200 | 150 | 6000 | 1500 | 503 ×1500 | 1500 / 0 | 1500 / 0 |",
		"each received at least 49.9 packets a second", "sent 1500 503s, 1500 of them shed before an RTP port was taken, and 0 other 5xx", "at or under 0.100 %", "answered every scrape, the slowest in 40 ms",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("no %q in:\n%s", want, md)
		}
	}
	// Every row has as many cells as the header.
	for _, l := range strings.Split(md, "\n") {
		if strings.HasPrefix(l, "| held calls alone") || strings.HasPrefix(l, "| 100 ") || strings.HasPrefix(l, "| 200 ") {
			if n := strings.Count(l, "|"); n != 16 {
				t.Errorf("%d bars in %q; want 16", n, l)
			}
		}
	}
}
