package main

import "testing"

func TestRatioNeedsAnEchoThatKeptUp(t *testing.T) {
	cg := &holdResult{Target: "confgw", CPUPerLegMinute: 0.03, BackPPSPerLeg: 50}
	for _, tt := range []struct {
		name string
		echo *holdResult
		want float64
	}{
		{"a floor", &holdResult{Target: "echo", CPUPerLegMinute: 0.02, BackPPSPerLeg: 50}, 1.5},
		{"saturated: half the packets back", &holdResult{Target: "echo", CPUPerLegMinute: 0.01, BackPPSPerLeg: 26}, 0},
		{"failed calls", &holdResult{Target: "echo", CPUPerLegMinute: 0.02, BackPPSPerLeg: 50, Failed: 3}, 0},
		{"no echo run", nil, 0},
	} {
		if got := ratio(levelPair{Confgw: cg, Echo: tt.echo}); got != tt.want {
			t.Errorf("%s: ratio %v, want %v", tt.name, got, tt.want)
		}
	}
}
