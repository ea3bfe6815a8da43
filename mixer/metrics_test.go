package mixer_test

import (
	"errors"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/confgw/confgw/mixer"
)

// The tick metrics keep the names, types and buckets dashboards and the load
// harness read, whichever package builds them.
func TestTickMetricsRegisterUnderTheirPublishedNamesAndTypes(t *testing.T) {
	reg := prometheus.NewRegistry()
	observe, err := mixer.RegisterTickMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	observe(3 * time.Millisecond)
	observe(time.Millisecond)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	types := map[string]string{}
	for _, mf := range mfs {
		types[mf.GetName()] = mf.GetType().String()
		m := mf.GetMetric()[0]
		switch mf.GetName() {
		case "confgw_mixer_tick_seconds":
			h := m.GetHistogram()
			if h.GetSampleCount() != 2 || math.Abs(h.GetSampleSum()-0.004) > 1e-9 {
				t.Errorf("tick histogram holds %d ticks summing %v s, want 2 summing 0.004", h.GetSampleCount(), h.GetSampleSum())
			}
			// bench reads p50 and p99 from these bounds: 25 µs growing by a
			// quarter, 40 of them.
			b := h.GetBucket()
			if len(b) != 40 || b[0].GetUpperBound() != 25e-6 || math.Abs(b[39].GetUpperBound()-25e-6*math.Pow(1.25, 39)) > 1e-12 {
				t.Errorf("tick buckets changed: %d from %v to %v", len(b), b[0].GetUpperBound(), b[len(b)-1].GetUpperBound())
			}
		case "confgw_mixer_tick_max_seconds":
			if got := m.GetGauge().GetValue(); got != 0.003 {
				t.Errorf("longest tick %v s, want 0.003", got)
			}
		}
	}
	want := map[string]string{
		"confgw_mixer_tick_seconds":     "HISTOGRAM",
		"confgw_mixer_tick_max_seconds": "GAUGE",
	}
	if fmt.Sprint(types) != fmt.Sprint(want) {
		t.Fatalf("registered %v, want %v", types, want)
	}
}

func TestTickMetricsRegisteredTwiceOnOneRegistryFail(t *testing.T) {
	reg := prometheus.NewRegistry()
	if _, err := mixer.RegisterTickMetrics(reg); err != nil {
		t.Fatal(err)
	}
	_, err := mixer.RegisterTickMetrics(reg)
	var dup prometheus.AlreadyRegisteredError
	if !errors.As(err, &dup) {
		t.Fatalf("second registration: %v, want AlreadyRegisteredError", err)
	}
}

// The longest tick is kept by compare-and-swap from every room's goroutine;
// a shorter tick reported later must not lower it.
func TestTickMetricsKeepTheLongestTickFromConcurrentRooms(t *testing.T) {
	reg := prometheus.NewRegistry()
	observe, err := mixer.RegisterTickMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	for room := range 8 {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := range 1000 {
				observe(time.Duration(room*1000+i) * time.Microsecond)
			}
		}()
	}
	for range 8 {
		<-done
	}
	observe(time.Microsecond)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == "confgw_mixer_tick_max_seconds" {
			if got, want := mf.GetMetric()[0].GetGauge().GetValue(), (7999 * time.Microsecond).Seconds(); got != want {
				t.Fatalf("longest tick %v s, want %v", got, want)
			}
			return
		}
	}
	t.Fatal("no confgw_mixer_tick_max_seconds")
}
