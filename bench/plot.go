package main

import (
	"fmt"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

// plotCPU draws CPU seconds per leg-minute against the legs, confgw and the
// echo floor, on a log axis of legs labelled at the levels measured. Echo
// runs that could not bounce every packet are left out: they are no floor.
func plotCPU(res *results, file string) error {
	var cg, echo plotter.XYs
	levels := map[int]bool{}
	for _, group := range [][]levelPair{res.Sipp, res.Loadtest} {
		for _, p := range group {
			if p.Confgw != nil && p.Confgw.CPUPerLegMinute > 0 {
				cg = append(cg, plotter.XY{X: float64(p.Legs), Y: p.Confgw.CPUPerLegMinute})
				levels[p.Legs] = true
			}
			if p.Echo.floor() {
				echo = append(echo, plotter.XY{X: float64(p.Legs), Y: p.Echo.CPUPerLegMinute})
				levels[p.Legs] = true
			}
		}
	}
	if len(cg) == 0 && len(echo) == 0 {
		return fmt.Errorf("no CPU figures to plot")
	}
	p := plot.New()
	p.Title.Text = "Server CPU per leg-minute (50 packets/s each way per leg)"
	p.X.Label.Text = "concurrent phone legs"
	p.Y.Label.Text = "CPU seconds per leg-minute"
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = levelTicks(levels)
	p.Y.Min = 0
	p.Legend.Top = true
	var args []any
	if len(cg) > 0 {
		args = append(args, "confgw", sorted(cg))
	}
	if len(echo) > 0 {
		args = append(args, "sipp -rtp_echo (floor)", sorted(echo))
	}
	if err := plotutil.AddLinePoints(p, args...); err != nil {
		return err
	}
	p.Add(plotter.NewGrid())
	return p.Save(8*vg.Inch, 5*vg.Inch, file)
}

// plotCPS draws the achieved call rate against the offered one.
func plotCPS(res *results, file string) error {
	series := func(pts []cpsPoint) plotter.XYs {
		var xy plotter.XYs
		for _, p := range pts {
			// A generator that stalled or fell behind measured itself.
			if !p.Stalled && !p.Saturated {
				xy = append(xy, plotter.XY{X: float64(p.Offered), Y: p.Achieved})
			}
		}
		return sorted(xy)
	}
	cg, echo := series(res.CPS.Confgw), series(res.CPS.Echo)
	if len(cg) == 0 && len(echo) == 0 {
		return fmt.Errorf("no call-setup figures to plot")
	}
	p := plot.New()
	p.Title.Text = "Call set-up: 2 s calls with audio, up to the first rate with a failure"
	p.X.Label.Text = "offered calls per second"
	p.Y.Label.Text = "achieved calls per second"
	p.X.Min, p.Y.Min = 0, 0
	p.Legend.Top = true
	p.Legend.Left = true
	var args []any
	if len(cg) > 0 {
		args = append(args, "confgw", cg)
	}
	if len(echo) > 0 {
		args = append(args, "sipp uas (floor)", echo)
	}
	if err := plotutil.AddLinePoints(p, args...); err != nil {
		return err
	}
	p.Add(plotter.NewGrid())
	return p.Save(8*vg.Inch, 5*vg.Inch, file)
}

func levelTicks(levels map[int]bool) plot.ConstantTicks {
	var ticks plot.ConstantTicks
	for n := range levels {
		ticks = append(ticks, plot.Tick{Value: float64(n), Label: fmt.Sprint(n)})
	}
	sort.Slice(ticks, func(i, j int) bool { return ticks[i].Value < ticks[j].Value })
	return ticks
}

func sorted(xy plotter.XYs) plotter.XYs {
	sort.Slice(xy, func(i, j int) bool { return xy[i].X < xy[j].X })
	return xy
}
