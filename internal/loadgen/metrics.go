package loadgen

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// gatewayCPU is the series of the gateway's own CPU time, which Go's
// process collector reads from the server's /proc/self/stat.
const gatewayCPU = "process_cpu_seconds_total"

// keptSeries are the series of /metrics a run reports: the WebRTC side's
// and the gateway's CPU.
func keptSeries(name string) bool {
	return strings.HasPrefix(name, "confgw_webrtc_") || name == gatewayCPU
}

// scrapeMetrics reads the gateway's /metrics in Prometheus's text format
// and returns the kept series by their full name, labels included.
func scrapeMetrics(ctx context.Context, server string) (map[string]float64, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(server, "/")+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET /metrics: %s", resp.Status)
	}
	return parseMetrics(resp.Body)
}

func parseMetrics(r io.Reader) (map[string]float64, error) {
	out := map[string]float64{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		name := line
		if i := strings.IndexAny(line, "{ "); i >= 0 {
			name = line[:i]
		}
		if !keptSeries(name) {
			continue
		}
		// The value follows the series, and an optional timestamp the
		// value; label values may hold spaces, so cut after the labels.
		rest := line[len(name):]
		series := name
		if strings.HasPrefix(rest, "{") {
			end := strings.LastIndex(rest, "}")
			if end < 0 {
				return nil, fmt.Errorf("metrics: unterminated labels in %q", line)
			}
			series, rest = name+rest[:end+1], rest[end+1:]
		}
		fields := strings.Fields(rest)
		if len(fields) == 0 {
			return nil, fmt.Errorf("metrics: no value in %q", line)
		}
		v, err := strconv.ParseFloat(fields[0], 64)
		if err != nil {
			return nil, fmt.Errorf("metrics: %q: %w", line, err)
		}
		out[series] = v
	}
	return out, sc.Err()
}

// GatewayMetrics are the gateway's own figures around the window.
type GatewayMetrics struct {
	// Series holds every confgw_webrtc_* series and the gateway's CPU
	// time at the window's start and end, and their difference.
	Series []MetricDelta `json:"series"`
	// CPUSeconds is the gateway process's CPU time (user and system)
	// over the window, from its process_cpu_seconds_total; per leg-minute
	// it is divided by the legs up (phone and WebRTC) and the window.
	CPUSeconds      float64 `json:"cpu_seconds"`
	CPUPerLegMinute float64 `json:"cpu_per_leg_minute"`
	// Error says why the figures are missing, when they are.
	Error string `json:"error,omitempty"`
}

// MetricDelta is one series before and after the window.
type MetricDelta struct {
	Series string  `json:"series"`
	Before float64 `json:"before"`
	After  float64 `json:"after"`
	Delta  float64 `json:"delta"`
}

func gatewayMetrics(before, after map[string]float64, legMinutes float64) *GatewayMetrics {
	g := &GatewayMetrics{Series: []MetricDelta{}}
	names := make([]string, 0, len(after))
	for k := range after {
		names = append(names, k)
	}
	for k := range before {
		if _, ok := after[k]; !ok {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	for _, k := range names {
		b, a := before[k], after[k]
		g.Series = append(g.Series, MetricDelta{Series: k, Before: b, After: a, Delta: round(a-b, 6)})
	}
	if b, ok := before[gatewayCPU]; ok {
		g.CPUSeconds = round(after[gatewayCPU]-b, 3)
		if legMinutes > 0 {
			g.CPUPerLegMinute = round(g.CPUSeconds/legMinutes, 5)
		}
	}
	return g
}
