package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/confgw/confgw/internal/loadgen"
)

// TestLoadTestJoinsWebRTCLegsBesidePhones runs the load test against
// `confgw serve` with phone legs and WebRTC app legs in the demo's main
// room: every WebRTC leg joins over ICE, DTLS and SRTP, hears the room,
// and the gateway's own WebRTC metrics come back in the report.
func TestLoadTestJoinsWebRTCLegsBesidePhones(t *testing.T) {
	s := startServe(t)
	out, err := execute(t.Context(), "loadtest", "--target", s.sip, "--legs", "2", "--talkers", "2",
		"--webrtc", "3", "--webrtc-talkers", "2", "--server", s.url, "--token", s.token,
		// Speed is the benchmarks' business: a loaded machine running
		// -race may conceal frames, and that must not fail the test.
		"--hold", "2s", "--max-loss", "1", "-o", "json")
	var r loadgen.Report
	if jerr := json.Unmarshal([]byte(out), &r); jerr != nil {
		t.Fatalf("loadtest: %v, report %v:\n%s", err, jerr, out)
	}
	if err != nil {
		t.Fatalf("loadtest failed: %v\n%s", err, out)
	}
	w := r.WebRTC
	if r.Established != 2 || w == nil || w.Joined != 3 || w.Failed != 0 || w.Dropped != 0 || len(w.PerLeg) != 3 {
		t.Fatalf("phones %d up; WebRTC %+v", r.Established, w)
	}
	for _, l := range w.PerLeg {
		if l.PacketsIn == 0 || l.PacketsOut == 0 {
			t.Errorf("leg %d sent %d and received %d packets", l.Leg, l.PacketsOut, l.PacketsIn)
		}
	}
	// Both kinds hear every talker but themselves, phones and apps alike.
	if w.Sampled != 3 || w.SampledHearingMix != 3 || r.Sampled != 2 || r.SampledHearingMix != 2 {
		t.Fatalf("WebRTC legs hearing the mix %d of %d (%+v), phones %d of %d (%+v)",
			w.SampledHearingMix, w.Sampled, w.Hearing, r.SampledHearingMix, r.Sampled, r.Hearing)
	}
	g := r.Gateway
	if g == nil || g.Error != "" {
		t.Fatalf("gateway metrics %+v", g)
	}
	seen := map[string]float64{}
	for _, m := range g.Series {
		seen[m.Series] = m.Delta
	}
	if seen[`confgw_webrtc_packets_total{direction="in"}`] <= 0 || seen[`confgw_webrtc_packets_total{direction="out"}`] <= 0 {
		t.Errorf("the gateway counted no WebRTC packets over the window: %+v", g.Series)
	}
	if _, ok := seen["confgw_webrtc_sessions"]; !ok || g.CPUSeconds <= 0 {
		t.Errorf("no sessions gauge or no gateway CPU time: %+v", g)
	}
	// Every leg left: the gateway holds no session after the run.
	table, err := s.run(t, "participants")
	if err != nil || strings.Contains(table, "Load app") {
		t.Errorf("participants after the run: %v\n%s", err, table)
	}
}

// TestLoadTestTimesClicksBothWays runs latency mode against `confgw
// serve`: clicks go phone → app and app → phone and come back as delays.
// How long they take is the load harness's figure, not the test's: the
// test asserts only that the clicks were heard and timed.
func TestLoadTestTimesClicksBothWays(t *testing.T) {
	s := startServe(t)
	out, err := execute(t.Context(), "loadtest", "--latency", "--target", s.sip, "--server", s.url, "--token", s.token,
		"--clicks", "20", "--click-every", "300ms", "-o", "json")
	var r loadgen.Report
	if jerr := json.Unmarshal([]byte(out), &r); jerr != nil || r.Latency == nil {
		t.Fatalf("loadtest: %v, report %v:\n%s", err, jerr, out)
	}
	l := r.Latency
	for name, d := range map[string]loadgen.LatencyStats{"phone → app": l.PhoneToApp, "app → phone": l.AppToPhone} {
		// A click concealed away on a loaded machine is no fault here, nor
		// one the phone's clock dropped as too late to send, as a real
		// phone's would be.
		if d.Clicks > 20 || d.Heard < 15 || d.Heard > d.Clicks || d.P50 <= 0 || d.P95 < d.P50 || d.Max < d.P95 {
			t.Errorf("%s: %+v (run: %v)", name, d, err)
		}
	}
	if r.Established != 1 || r.WebRTC == nil || r.WebRTC.Joined != 1 {
		t.Fatalf("phone up %d, app %+v", r.Established, r.WebRTC)
	}
}
