package main

import (
	"math"
	"strings"
	"testing"
)

const exposition = `# HELP confgw_rtp_packets_total RTP packets received (in) and sent (out) on phone legs.
# TYPE confgw_rtp_packets_total counter
confgw_rtp_packets_total{direction="in"} 1000
confgw_rtp_packets_total{direction="out"} 1.5e+03
confgw_phone_legs{direction="dial-in",state="connected"} 7
confgw_phone_legs{direction="dial-out",state="connected"} 2
confgw_phone_legs{direction="dial-in",state="ringing"} 1
confgw_rtp_packets_dropped_total{reason="overflow"} 3
confgw_rtp_packets_dropped_total{reason="skipped"} 4
confgw_mixer_tick_seconds_bucket{le="0.001"} 5
confgw_mixer_tick_seconds_bucket{le="+Inf"} 9
confgw_mixer_tick_seconds_bucket{le="0.0005"} 2
confgw_mixer_tick_seconds_sum 0.004
confgw_mixer_tick_seconds_count 9
confgw_api_requests_total{route="/v1/a,b",method="GET",status="200"} 12 1700000000000
odd_label{msg="say \"hi\"\\n"} 1
confgw_mixer_tick_max_seconds 0.0021
`

func TestParseMetrics(t *testing.T) {
	m, err := parseMetrics(strings.NewReader(exposition))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"confgw_rtp_packets_total", map[string]string{"direction": "out"}, 1500},
		{"confgw_rtp_packets_total", nil, 2500},
		{"confgw_phone_legs", map[string]string{"state": "connected"}, 9},
		{"confgw_phone_legs", map[string]string{"state": "connected", "direction": "dial-in"}, 7},
		{"confgw_api_requests_total", map[string]string{"route": "/v1/a,b"}, 12},
		{"odd_label", map[string]string{"msg": "say \"hi\"\\n"}, 1},
		{"confgw_mixer_tick_max_seconds", nil, 0.0021},
		{"absent_metric", nil, 0},
	}
	for _, tt := range tests {
		if got := m.sum(tt.name, tt.labels); got != tt.want {
			t.Errorf("sum(%s, %v) = %g, want %g", tt.name, tt.labels, got, tt.want)
		}
	}
	drops := m.byLabel("confgw_rtp_packets_dropped_total", "reason")
	if drops["overflow"] != 3 || drops["skipped"] != 4 || len(drops) != 2 {
		t.Errorf("dropped by reason: %v", drops)
	}
	bs, err := m.buckets("confgw_mixer_tick_seconds")
	if err != nil {
		t.Fatal(err)
	}
	want := []bucket{{0.0005, 2}, {0.001, 5}, {math.Inf(1), 9}}
	if len(bs) != len(want) {
		t.Fatalf("buckets %v", bs)
	}
	for i := range want {
		if bs[i] != want[i] {
			t.Errorf("bucket %d: %v, want %v", i, bs[i], want[i])
		}
	}
}

// A histogram with its TYPE line, as confgw serves it, reads back as the
// buckets the text shows.
func TestParseMetricsTypedHistogram(t *testing.T) {
	const typed = `# TYPE confgw_mixer_tick_seconds histogram
confgw_mixer_tick_seconds_bucket{le="0.0005"} 2
confgw_mixer_tick_seconds_bucket{le="0.001"} 5
confgw_mixer_tick_seconds_bucket{le="+Inf"} 9
confgw_mixer_tick_seconds_sum 0.004
confgw_mixer_tick_seconds_count 9
`
	m, err := parseMetrics(strings.NewReader(typed))
	if err != nil {
		t.Fatal(err)
	}
	bs, err := m.buckets("confgw_mixer_tick_seconds")
	if err != nil {
		t.Fatal(err)
	}
	want := []bucket{{0.0005, 2}, {0.001, 5}, {math.Inf(1), 9}}
	if len(bs) != len(want) {
		t.Fatalf("buckets %v, want %v", bs, want)
	}
	for i := range want {
		if bs[i] != want[i] {
			t.Errorf("bucket %d: %v, want %v", i, bs[i], want[i])
		}
	}
	if m.sum("confgw_mixer_tick_seconds_count", nil) != 9 || m.sum("confgw_mixer_tick_seconds_sum", nil) != 0.004 {
		t.Errorf("count and sum: %v", m)
	}
}

func TestParseMetricsRejects(t *testing.T) {
	for _, bad := range []string{
		"novalue\n",
		`m{a="x"` + "\n",
		`m{a=x} 1` + "\n",
		"m notanumber\n",
	} {
		if _, err := parseMetrics(strings.NewReader(bad)); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}
