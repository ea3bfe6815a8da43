package loadgen

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestJSONFieldNames pins the names scripts read.
func TestJSONFieldNames(t *testing.T) {
	var buf bytes.Buffer
	if err := (&Report{Failures: map[string]int{"503": 2}}).WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(buf.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"mode", "legs", "attempted", "established", "failed", "failures",
		"hold_seconds", "packets_sent", "packets_received", "loss_ratio", "received_pps_per_leg",
		"level_dbfs", "sampled", "sampled_hearing_mix", "mix_minus_ok", "setup_ms", "cps_achieved",
		"generator_cpu_seconds", "generator_cpu_per_leg_minute"} {
		if _, ok := m[k]; !ok {
			t.Errorf("no %q in %s", k, buf.String())
		}
	}
	for _, k := range []string{"mean", "min", "max"} {
		if !strings.Contains(string(m["received_pps_per_leg"]), `"`+k+`"`) || !strings.Contains(string(m["level_dbfs"]), `"`+k+`"`) {
			t.Errorf("stats lack %q", k)
		}
	}
	for _, k := range []string{"p50", "p99", "max"} {
		if !strings.Contains(string(m["setup_ms"]), `"`+k+`"`) {
			t.Errorf("setup_ms lacks %q", k)
		}
	}
}

func TestPercentiles(t *testing.T) {
	var d []time.Duration
	for i := 100; i >= 1; i-- {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	if p := percentiles(d); p != (Percentiles{P50: 50, P99: 99, Max: 100}) {
		t.Fatalf("%+v", p)
	}
	if d[0] != 100*time.Millisecond {
		t.Fatal("percentiles sorted its argument")
	}
	if p := percentiles(nil); p != (Percentiles{}) {
		t.Fatalf("none: %+v", p)
	}
}

func TestHoldMedia(t *testing.T) {
	legs := []*leg{{}, {}, {}}
	calls := []*call{{}, {}, nil} // the third never came up
	before := []legCounters{{0, 0, 0, 0}, {10, 10, 0, 0}, {}}
	after := []legCounters{
		{500, 500, 500 * 160 * 3277 * 3277, 0},
		{510, 460, 450 * 160 * 1000, 3},
		{},
	}
	r := &Report{}
	r.holdMedia(legs, calls, before, after, 10*time.Second, 0)
	if r.PacketsSent != 1000 || r.PacketsReceived != 950 || r.SeqLost != 3 {
		t.Fatalf("sent %d received %d gaps %d", r.PacketsSent, r.PacketsReceived, r.SeqLost)
	}
	if r.LossRatio != 0.05 {
		t.Errorf("loss %v, want 0.05 (950 of 1000 frames due)", r.LossRatio)
	}
	if r.ReceivedPPSPerLeg != (Stats{Mean: 47.5, Min: 45, Max: 50}) {
		t.Errorf("pps %+v", r.ReceivedPPSPerLeg)
	}
	if r.LevelDBFS.Max != -20 || r.LevelDBFS.Min > -30 {
		t.Errorf("level %+v", r.LevelDBFS)
	}
}

func TestProblems(t *testing.T) {
	r := &Report{Attempted: 10, Established: 9, Failed: 1, LossRatio: 0.01, Sampled: 3, SampledHearingMix: 2}
	r.finish(0.005)
	if len(r.Problems) != 3 || r.OK() {
		t.Fatalf("problems %q", r.Problems)
	}
	ok := &Report{Attempted: 10, Established: 10, LossRatio: 0.001, Sampled: 3, SampledHearingMix: 3}
	ok.finish(0.005)
	if !ok.OK() {
		t.Fatalf("problems %q", ok.Problems)
	}
	var buf bytes.Buffer
	if err := r.WriteTable(&buf); err != nil || !strings.Contains(buf.String(), "FAIL") {
		t.Fatalf("table: %v\n%s", err, buf.String())
	}
}

func TestSampledLegs(t *testing.T) {
	got := sampledLegs(100, 4, 10)
	if len(got) != 10 || got[0] != 0 || got[3] != 3 || got[4] != 4 || got[9] >= 100 {
		t.Fatalf("%v", got)
	}
	if got := sampledLegs(3, 2, 10); len(got) != 3 {
		t.Fatalf("more samples than legs: %v", got)
	}
	if got := sampledLegs(50, 4, 2); len(got) != 4 {
		t.Fatalf("talkers are always sampled: %v", got)
	}
}
