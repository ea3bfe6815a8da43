package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"math"
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// sample is one line of the Prometheus text format.
type sample struct {
	name   string
	labels map[string]string
	value  float64
}

// metricSet is one scrape of /metrics.
type metricSet []sample

// parseMetrics reads the text exposition format with Prometheus's own
// parser and flattens it to samples as the text shows them: a histogram
// becomes its _bucket (with le), _sum and _count series.
func parseMetrics(r io.Reader) (metricSet, error) {
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(r)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	var set metricSet
	for name, f := range families {
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			add := func(name string, v float64, extra ...string) {
				ls := labels
				if len(extra) == 2 {
					ls = maps.Clone(labels)
					ls[extra[0]] = extra[1]
				}
				set = append(set, sample{name: name, labels: ls, value: v})
			}
			switch {
			case m.Histogram != nil:
				h := m.GetHistogram()
				count := float64(h.GetSampleCount()) + h.GetSampleCountFloat()
				inf := false
				for _, b := range h.GetBucket() {
					inf = inf || math.IsInf(b.GetUpperBound(), 1)
					add(name+"_bucket", float64(b.GetCumulativeCount())+b.GetCumulativeCountFloat(), "le", formatLe(b.GetUpperBound()))
				}
				if !inf {
					add(name+"_bucket", count, "le", "+Inf")
				}
				add(name+"_sum", h.GetSampleSum())
				add(name+"_count", count)
			case m.Counter != nil:
				add(name, m.GetCounter().GetValue())
			case m.Gauge != nil:
				add(name, m.GetGauge().GetValue())
			case m.Untyped != nil:
				add(name, m.GetUntyped().GetValue())
			}
		}
	}
	return set, nil
}

func formatLe(le float64) string { return strconv.FormatFloat(le, 'g', -1, 64) }

func parseValue(s string) (float64, error) {
	switch s {
	case "+Inf":
		return math.Inf(1), nil
	case "-Inf":
		return math.Inf(-1), nil
	case "NaN":
		return math.NaN(), nil
	}
	return strconv.ParseFloat(s, 64)
}

// sum adds the samples of name whose labels include match.
func (m metricSet) sum(name string, match map[string]string) float64 {
	var t float64
	for _, s := range m {
		if s.name == name && hasLabels(s.labels, match) {
			t += s.value
		}
	}
	return t
}

func hasLabels(have, want map[string]string) bool {
	for k, v := range want {
		if have[k] != v {
			return false
		}
	}
	return true
}

// byLabel sums name per value of label.
func (m metricSet) byLabel(name, label string) map[string]float64 {
	out := map[string]float64{}
	for _, s := range m {
		if s.name == name {
			out[s.labels[label]] += s.value
		}
	}
	return out
}

// buckets returns the cumulative buckets of histogram name, by upper bound.
func (m metricSet) buckets(name string) ([]bucket, error) {
	var bs []bucket
	for _, s := range m {
		if s.name != name+"_bucket" {
			continue
		}
		le, err := parseValue(s.labels["le"])
		if err != nil {
			return nil, fmt.Errorf("%s: le %q: %w", name, s.labels["le"], err)
		}
		bs = append(bs, bucket{le: le, count: s.value})
	}
	sort.Slice(bs, func(i, j int) bool { return bs[i].le < bs[j].le })
	return bs, nil
}

// scrape fetches and parses url, giving up after limit: a gateway too loaded
// to answer must not stall the harness's clock.
func scrape(ctx context.Context, url string, limit time.Duration) (metricSet, error) {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: %s", url, resp.Status)
	}
	return parseMetrics(resp.Body)
}
