package main

import "testing"

func TestParseLoadtest(t *testing.T) {
	doc := `{"mode":"hold","legs":1000,"attempted":1000,"established":998,"failed":2,
	"failures":{"503":2},"hold_seconds":60,"packets_sent":3000000,"packets_received":2990000,
	"loss_ratio":0.0033,"received_pps_per_leg":{"mean":49.8,"min":48.1,"max":50.2},
	"level_dbfs":{"mean":-14.2,"min":-15,"max":-13.9},"sampled":10,"sampled_hearing_mix":9,
	"mix_minus_ok":true,"setup_ms":{"p50":3.5,"p99":12.25,"max":40},"cps_achieved":199.5,
	"generator_cpu_seconds":12.5,"generator_cpu_per_leg_minute":0.0125,"new_field":[1,2]}`
	r, err := parseLoadtest([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if r.Mode != "hold" || r.Legs != 1000 || r.Established != 998 || r.Failed != 2 || r.Failures["503"] != 2 {
		t.Errorf("counts: %+v", r)
	}
	if r.ReceivedPPSPerLeg.Mean != 49.8 || r.ReceivedPPSPerLeg.Min != 48.1 || r.LevelDBFS.Max != -13.9 {
		t.Errorf("per-leg figures: %+v %+v", r.ReceivedPPSPerLeg, r.LevelDBFS)
	}
	if r.Sampled != 10 || r.SampledHearingMix != 9 || !r.MixMinusOK {
		t.Errorf("sampling: %+v", r)
	}
	if r.SetupMS.P99 != 12.25 || r.CPSAchieved != 199.5 || r.GeneratorCPUPerLegMinute != 0.0125 || r.PacketsSent != 3000000 {
		t.Errorf("setup and generator: %+v", r)
	}
	// A document from an older generator, with fewer fields, still reads.
	if r, err := parseLoadtest([]byte(`{"mode":"cps","failed":0,"mix_minus_ok":false}`)); err != nil || r.Failed != 0 || r.MixMinusOK {
		t.Errorf("partial: %+v, %v", r, err)
	}
	for _, bad := range []string{`not json`, `{"failed":{"x":1}}`, `{"setup_ms":3}`} {
		if _, err := parseLoadtest([]byte(bad)); err == nil {
			t.Errorf("%s parsed", bad)
		}
	}
}
