package loadgen

import (
	"strings"
	"testing"
	"time"

	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/audio/opus"
	"github.com/confgw/confgw/internal/tone"
	"github.com/confgw/confgw/internal/webrtcpeer"
)

// TestAppPayloadsLoopAsTheirTone decodes a talker's looped packets twice
// over, seam included, as a listener would: the tone must come through
// alone, at about the talkers' level.
func TestAppPayloadsLoopAsTheirTone(t *testing.T) {
	p, err := newAppPayloads()
	if err != nil {
		t.Fatal(err)
	}
	dec, err := opus.NewDecoder(appRate)
	if err != nil {
		t.Fatal(err)
	}
	a := newAnalyzer(appRate)
	a.setOn(true)
	f := audio.Frame{Rate: audio.Wideband}
	for k := range 2 * opusLoop {
		if _, err := dec.Decode(p.talker[3][k%opusLoop], f.Samples()); err != nil {
			t.Fatal(err)
		}
		if k >= 5 { // past the decoder's own start
			a.addPCM(f.Samples())
		}
	}
	if s := a.shares(); s[3] < 0.9 {
		t.Fatalf("%v Hz looped through Opus: share %.3f (%v)", talkerFreqs[3], s[3], s)
	}
	if len(p.quiet[0]) != opusLoop || len(p.talker[MaxTalkers-1]) != opusLoop {
		t.Fatal("a tone without its loop")
	}
}

func TestAnalyzerAtTheWidebandRate(t *testing.T) {
	a := newAnalyzer(appRate)
	a.setOn(true)
	g1, g2 := tone.Sine(700, 3000, appRate), tone.Sine(2900, 3000, appRate)
	f := audio.Frame{Rate: audio.Wideband}
	part := make([]int16, audio.WidebandFrameSamples)
	for range 50 {
		g1.Next(&f)
		g2.Fill(part)
		for i := range part {
			f.PCM[i] += part[i]
		}
		a.addPCM(f.Samples())
	}
	s := a.shares()
	if s[1] < 0.4 || s[8] < 0.4 || s[0] > 0.01 {
		t.Fatalf("shares %v: want half at 700 and 2900 Hz", s)
	}
}

func TestAppMediaOverTheWindow(t *testing.T) {
	legs := []*appLeg{{idx: 0, joined: true}, {idx: 1, joined: true, talker: 4}, {idx: 2}}
	before := []appCounters{{webrtcpeer.Stats{PacketsIn: 10, PacketsOut: 10}, true}, {}, {}}
	after := []appCounters{
		{webrtcpeer.Stats{PacketsIn: 510, PacketsOut: 510, Concealed: 5, Lost: 2}, true},
		{webrtcpeer.Stats{PacketsIn: 450, PacketsOut: 500, Concealed: 45, Late: 1}, false},
		{webrtcpeer.Stats{PacketsIn: 99}, false}, // never joined: not counted
	}
	r := appMedia(legs, before, after, 10*time.Second)
	if len(r.PerLeg) != 2 || r.PacketsReceived != 950 || r.PacketsSent != 1000 || r.Lost != 2 || r.Late != 1 {
		t.Fatalf("%+v", r)
	}
	if r.Concealed != 50 || r.ConcealedRatio != 0.05 || r.Dropped != 1 || !r.PerLeg[1].Dropped || r.PerLeg[1].Talker != 4 {
		t.Fatalf("concealed %d (%v), dropped %d: %+v", r.Concealed, r.ConcealedRatio, r.Dropped, r.PerLeg)
	}
	if r.ReceivedPPSPerLeg != (Stats{Mean: 47.5, Min: 45, Max: 50}) {
		t.Fatalf("pps %+v", r.ReceivedPPSPerLeg)
	}
}

func TestParseMetricsKeepsTheWebRTCSeriesAndCPU(t *testing.T) {
	text := `# HELP confgw_webrtc_packets_total App audio RTP packets, by direction.
# TYPE confgw_webrtc_packets_total counter
confgw_webrtc_packets_total{direction="in"} 1015
confgw_webrtc_packets_total{direction="out"} 1.5e+03
confgw_webrtc_sessions 5
confgw_rtp_packets_total{direction="in"} 7
confgw_webrtc_sessions_ended_total{reason="a b"} 2 1700000000000
process_cpu_seconds_total 3.61
`
	m, err := parseMetrics(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{
		`confgw_webrtc_packets_total{direction="in"}`:      1015,
		`confgw_webrtc_packets_total{direction="out"}`:     1500,
		"confgw_webrtc_sessions":                           5,
		`confgw_webrtc_sessions_ended_total{reason="a b"}`: 2,
		"process_cpu_seconds_total":                        3.61,
	}
	if len(m) != len(want) {
		t.Fatalf("kept %v", m)
	}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("%s = %v, want %v", k, m[k], v)
		}
	}
	if _, err := parseMetrics(strings.NewReader(`confgw_webrtc_sessions{x="1" 2`)); err == nil {
		t.Error("unterminated labels parsed")
	}
	g := gatewayMetrics(map[string]float64{gatewayCPU: 1, "confgw_webrtc_sessions": 3},
		map[string]float64{gatewayCPU: 4, "confgw_webrtc_sessions": 5}, 10)
	if g.CPUSeconds != 3 || g.CPUPerLegMinute != 0.3 || len(g.Series) != 2 || g.Series[0].Delta != 2 {
		t.Fatalf("%+v", g)
	}
}

func TestWebRTCConfig(t *testing.T) {
	for _, mut := range []func(*Config){
		func(c *Config) { c.WebRTC, c.Token = 3, "" },
		func(c *Config) { c.WebRTC, c.Token, c.Server = 3, "t", "127.0.0.1:8080" },
		func(c *Config) { c.Talkers, c.WebRTC, c.WebRTCTalkers, c.Token = 10, 5, 3, "t" },
		func(c *Config) { c.Mode, c.WebRTC, c.Token = ModeCPS, 1, "t" },
		func(c *Config) { c.Legs = 0 },
	} {
		cfg := Defaults()
		mut(&cfg)
		if err := cfg.validate(); err == nil {
			t.Errorf("%+v passed", cfg)
		}
	}
	cfg := Defaults()
	cfg.Legs, cfg.WebRTC, cfg.Token = 0, 1, "t"
	if err := cfg.validate(); err != nil || cfg.Talkers != 0 || cfg.WebRTCTalkers != 1 || cfg.Conference != cfg.To {
		t.Fatalf("WebRTC legs alone: %v, %+v", err, cfg)
	}
}
