package gateway_test

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/confgw/confgw/conference"
	"github.com/confgw/confgw/gateway"
	"github.com/confgw/confgw/internal/sipphone"
	"github.com/confgw/confgw/rtp/rtcp"
)

func TestAPhoneReportingTenPercentLossOverMuxedRTCPIsShownAndRaisesParticipantQuality(t *testing.T) {
	h := newHarness(t, harnessOptions{quality: gateway.Quality{
		RTCPInterval: 20 * time.Millisecond, Window: 150 * time.Millisecond,
	}})
	sub := h.demo.Subscribe(256)
	defer sub.Close()
	ph := h.phone(sipphone.Config{User: "alice", Tone: 440, RTCPMux: true})
	call := h.dial(ph, "demo")
	joined := nextEvent(t, sub, conference.EventParticipantJoined)
	m := call.Media
	eventually(t, "the gateway's audio at the phone", func() bool { return m.PeerSSRC() != 0 })

	// The phone reports 10% loss of the gateway's audio on its RTP port,
	// as a phone that offered rtcp-mux does, until the alarm goes.
	stop := make(chan struct{})
	sent := make(chan struct{})
	go func() {
		defer close(sent)
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			rr := rtcp.Report{SSRC: m.SSRC(), CNAME: "alice", Block: &rtcp.Block{SSRC: m.PeerSSRC(), FractionLost: 26, Lost: 10}}
			if b, err := rr.Marshal(); err == nil {
				_ = m.SendRaw(b)
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	e := nextEvent(t, sub, conference.EventParticipantQuality)
	close(stop)
	<-sent
	if e.Reason != conference.QualityPoor || e.Participant == nil || e.Participant.ID != joined.Participant.ID {
		t.Fatalf("event %+v", e)
	}
	q := e.Participant.Phone.Quality
	if q == nil || !q.Poor || q.RemoteLossPct == nil || *q.RemoteLossPct < 10 || *q.RemoteLossPct > 10.5 || q.MOS > 3.6 || q.PacketsIn == 0 {
		t.Fatalf("quality %+v", q)
	}
	p, err := h.demo.Participant(joined.Participant.ID)
	if err != nil || p.Phone.Quality == nil || !p.Phone.Quality.Poor {
		t.Fatalf("the participant does not show it: %+v, %v", p.Phone, err)
	}

	// The figures are in /metrics as distributions, with no series per call.
	reg := prometheus.NewPedanticRegistry()
	if err := h.gw.Metrics().Register(reg); err != nil {
		t.Fatal(err)
	}
	if n := testutil.CollectAndCount(h.gw.Metrics().Collectors()[0], "confgw_rtcp_packets_total"); n != 2 {
		t.Errorf("confgw_rtcp_packets_total has %d series", n)
	}
	if err := testutil.GatherAndCompare(reg, strings.NewReader(`
# HELP confgw_phone_quality_events_total participant.quality events: legs whose loss stayed past --quality-loss for --quality-window (poor) and legs back under half of it as long (recovered).
# TYPE confgw_phone_quality_events_total counter
confgw_phone_quality_events_total{reason="poor"} 1
confgw_phone_quality_events_total{reason="recovered"} 0
`), "confgw_phone_quality_events_total"); err != nil {
		t.Error(err)
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		switch mf.GetName() {
		case "confgw_phone_loss_percent", "confgw_phone_jitter_seconds", "confgw_phone_mos":
			if len(mf.Metric) != 1 || mf.Metric[0].GetHistogram().GetSampleCount() == 0 {
				t.Errorf("%s: %v", mf.GetName(), mf.Metric)
			}
		}
	}

	// Without the phone's losses, the call recovers.
	if e := nextEvent(t, sub, conference.EventParticipantQuality); e.Reason != conference.QualityRecovered {
		t.Fatalf("then %+v", e)
	}
	_ = call
}
