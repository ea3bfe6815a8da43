package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// sample is one line of the Prometheus text format.
type sample struct {
	name   string
	labels map[string]string
	value  float64
}

// metricSet is one scrape of /metrics.
type metricSet []sample

// parseMetrics reads the text exposition format. Only what the harness reads
// back is needed, so HELP and TYPE lines are skipped and so are timestamps.
func parseMetrics(r io.Reader) (metricSet, error) {
	var set metricSet
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		s, err := parseSample(line)
		if err != nil {
			return nil, fmt.Errorf("metrics line %d: %w", n, err)
		}
		set = append(set, s)
	}
	return set, sc.Err()
}

func parseSample(line string) (sample, error) {
	s := sample{labels: map[string]string{}}
	i := strings.IndexAny(line, "{ \t")
	if i <= 0 {
		return s, fmt.Errorf("no value in %q", line)
	}
	s.name = line[:i]
	rest := line[i:]
	if rest[0] == '{' {
		var err error
		if rest, err = parseLabels(rest[1:], s.labels); err != nil {
			return s, err
		}
	}
	f := strings.Fields(rest)
	if len(f) == 0 {
		return s, fmt.Errorf("no value in %q", line)
	}
	v, err := parseValue(f[0])
	if err != nil {
		return s, err
	}
	s.value = v
	return s, nil
}

// parseLabels reads `k="v",...}` into into and returns what follows '}'.
func parseLabels(s string, into map[string]string) (string, error) {
	for {
		s = strings.TrimLeft(s, " \t,")
		if s == "" {
			return "", fmt.Errorf("unterminated labels")
		}
		if s[0] == '}' {
			return s[1:], nil
		}
		eq := strings.IndexByte(s, '=')
		if eq <= 0 || eq+1 >= len(s) || s[eq+1] != '"' {
			return "", fmt.Errorf("bad label in %q", s)
		}
		key := strings.TrimSpace(s[:eq])
		var v strings.Builder
		j := eq + 2
		for ; j < len(s) && s[j] != '"'; j++ {
			if s[j] == '\\' && j+1 < len(s) {
				j++
				switch s[j] {
				case 'n':
					v.WriteByte('\n')
				default:
					v.WriteByte(s[j])
				}
				continue
			}
			v.WriteByte(s[j])
		}
		if j >= len(s) {
			return "", fmt.Errorf("unterminated label value for %s", key)
		}
		into[key] = v.String()
		s = s[j+1:]
	}
}

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
