package main

import (
	"math"
	"testing"
)

func TestSlope(t *testing.T) {
	for _, tt := range []struct {
		name string
		x, y []float64
		want float64
		ok   bool
	}{
		{"a line", []float64{50, 200, 1000}, []float64{20000 + 50*40, 20000 + 200*40, 20000 + 1000*40}, 40, true},
		{"noise around a line", []float64{100, 200, 300}, []float64{1100, 1900, 3100}, 10, true},
		{"one level", []float64{200}, []float64{9000}, 0, false},
		{"one leg count twice", []float64{200, 200}, []float64{9000, 9100}, 0, false},
	} {
		got, ok := slope(tt.x, tt.y)
		if ok != tt.ok || math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("%s: slope %v %v, want %v %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}
