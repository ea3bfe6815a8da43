package main

import (
	"slices"
	"testing"
)

func TestRestrictKeepsTheListedLevels(t *testing.T) {
	for _, tt := range []struct {
		only     string
		sipp     []int
		loadtest []int
		cps      bool
		bad      bool
	}{
		{only: "", sipp: []int{50, 100, 200, 300}, loadtest: []int{500, 1000, 2000}, cps: true},
		{only: "200,1000", sipp: []int{200}, loadtest: []int{1000}},
		{only: "0", cps: true},
		{only: "300, 0", sipp: []int{300}, cps: true},
		{only: "many", bad: true},
		{only: "-5", bad: true},
	} {
		p := fullPlan()
		err := p.restrict(tt.only)
		if (err != nil) != tt.bad {
			t.Fatalf("%q: error %v", tt.only, err)
		}
		if tt.bad {
			continue
		}
		legs := func(ls []level) []int {
			var n []int
			for _, l := range ls {
				n = append(n, l.Legs)
			}
			return n
		}
		if !slices.Equal(legs(p.sipp), tt.sipp) || !slices.Equal(legs(p.loadtest), tt.loadtest) || (len(p.cpsRates) > 0) != tt.cps {
			t.Errorf("%q: kept sipp %v, loadtest %v, cps %v", tt.only, legs(p.sipp), legs(p.loadtest), p.cpsRates)
		}
	}
}
