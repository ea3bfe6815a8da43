package main

import (
	"math"
	"testing"
)

func TestQuantile(t *testing.T) {
	inf := math.Inf(1)
	tests := []struct {
		name string
		q    float64
		bs   []bucket
		want float64
	}{
		{"empty", 0.5, nil, math.NaN()},
		{"no observations", 0.5, []bucket{{1, 0}, {inf, 0}}, math.NaN()},
		{"all in the first bucket interpolates from 0", 0.5, []bucket{{2, 10}, {4, 10}, {inf, 10}}, 1},
		{"middle of the second bucket", 0.5, []bucket{{1, 0}, {2, 10}, {inf, 10}}, 1.5},
		{"rank on a bucket's edge", 0.5, []bucket{{1, 5}, {2, 10}, {inf, 10}}, 1},
		{"p99 in the last finite bucket", 0.99, []bucket{{1, 90}, {2, 100}, {inf, 100}}, 1.9},
		{"rank past the finite buckets gets the highest bound", 0.99, []bucket{{1, 50}, {2, 90}, {inf, 100}}, 2},
		{"empty buckets below are skipped", 0.5, []bucket{{1, 0}, {2, 0}, {4, 4}, {inf, 4}}, 3},
		{"q 0 is the lower edge of the first bucket with data", 0, []bucket{{1, 0}, {2, 3}, {inf, 3}}, 1},
		{"q 1 is the top of the last bucket with data", 1, []bucket{{1, 3}, {2, 6}, {4, 6}, {inf, 6}}, 2},
		{"bad q", 1.5, []bucket{{1, 3}, {inf, 3}}, math.NaN()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := quantile(tt.q, tt.bs)
			if math.IsNaN(tt.want) {
				if !math.IsNaN(got) {
					t.Fatalf("got %g, want NaN", got)
				}
				return
			}
			if math.Abs(got-tt.want) > 1e-9 {
				t.Fatalf("got %g, want %g", got, tt.want)
			}
		})
	}
}

func TestDeltaBuckets(t *testing.T) {
	inf := math.Inf(1)
	before := []bucket{{1, 10}, {2, 20}, {inf, 25}}
	after := []bucket{{1, 15}, {2, 40}, {inf, 50}}
	got, err := deltaBuckets(before, after)
	if err != nil {
		t.Fatal(err)
	}
	want := []bucket{{1, 5}, {2, 20}, {inf, 25}}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("bucket %d: got %v, want %v", i, got[i], want[i])
		}
	}
	// The window's p50 is inside (1, 2]: rank 12.5, 5 below, 15 in it.
	if q := quantile(0.5, got); math.Abs(q-1.5) > 1e-9 {
		t.Fatalf("p50 %g, want 1.5", q)
	}
	if _, err := deltaBuckets(before, after[:2]); err == nil {
		t.Fatal("a histogram that changed shape was accepted")
	}
	if _, err := deltaBuckets(before, []bucket{{1, 1}, {3, 2}, {inf, 3}}); err == nil {
		t.Fatal("changed bounds were accepted")
	}
	if got, _ := deltaBuckets(nil, after); len(got) != 3 {
		t.Fatal("no earlier scrape should give the later one")
	}
}

func TestMaxBound(t *testing.T) {
	inf := math.Inf(1)
	for _, tt := range []struct {
		name string
		bs   []bucket
		want float64
	}{
		{"in the first bucket", []bucket{{1, 5}, {2, 5}, {inf, 5}}, 1},
		{"in a middle bucket", []bucket{{1, 5}, {2, 9}, {4, 10}, {inf, 10}}, 4},
		{"past the last bound", []bucket{{1, 5}, {2, 9}, {inf, 10}}, inf},
	} {
		if got := maxBound(tt.bs); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
	if got := maxBound([]bucket{{1, 0}, {inf, 0}}); !math.IsNaN(got) {
		t.Errorf("empty: %v, want NaN", got)
	}
}
