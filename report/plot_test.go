package report

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"gonum.org/v1/plot"
)

// frontierData is the shape that once stretched the frontier's axis to a
// million: means up to 7,600 over five strategies, two of them on one point.
func frontierData() Charts {
	return Charts{Scenario: "bad-canary", Seed: 42, Horizon: 1800, RunCount: 50,
		Points: []FrontierPoint{
			{Strategy: "AllAtOnce", Planned: 0, Mean: 7600, Low: 7500, High: 7650, OnFrontier: true},
			{Strategy: "Canary10Percent5Minutes", Planned: 300, Mean: 80, Low: 70, High: 90, OnFrontier: true},
			{Strategy: "Canary10Percent10Minutes", Planned: 600, Mean: 80, Low: 71, High: 89},
			{Strategy: "Linear10PercentEvery1Minute", Planned: 600, Mean: 150, Low: 140, High: 160},
			{Strategy: "SameAsCanary", Planned: 600, Mean: 80, Low: 71, High: 89},
		},
		Failed: [][]float64{{7600, 7610, 7590}, {80, 81, 79}, {80, 81, 79}, {150, 150, 151}, {80, 81, 79}},
	}
}

func axisRange(a plot.Axis) (lo, hi float64) { return a.Min, a.Max }

// Axes are fitted to the data alone: the legend sits outside the data area
// and adds no headroom.
func TestFrontierAxesFitData(t *testing.T) {
	c := frontierData()
	f, err := c.frontierChart()
	if err != nil {
		t.Fatal(err)
	}
	p := f.plots[0]
	// Log(1+x) axis: the top is at most 2 % above the highest interval end
	// in log(1+x), i.e. below 7650^1.02 ≈ 9,460, and not below the data.
	if lo, hi := axisRange(p.Y); lo != 0 || hi < 7650 || hi > math.Expm1(math.Log1p(7650)*1.02)+1e-9 {
		t.Errorf("frontier Y axis [%g, %g], want [0, 7650..%.0f]", lo, hi, math.Expm1(math.Log1p(7650)*1.02))
	}
	// 10 minutes planned at most: 5 % margin.
	if lo, hi := axisRange(p.X); lo != 0 || hi != 10.5 {
		t.Errorf("frontier X axis [%g, %g], want [0, 10.5]", lo, hi)
	}
	want := "Canary10Percent10Minutes and SameAsCanary coincide (drawn over each other)"
	if len(f.caption) != 2 || f.caption[0] != "scenario bad-canary · seed 42 · 50 runs per strategy" || f.caption[1] != want {
		t.Errorf("caption %q", f.caption)
	}
	ch, err := render(f)
	if err != nil {
		t.Fatal(err)
	}
	// Every point named on the image, coincident ones in one label.
	for _, s := range []string{"AllAtOnce", "Canary10Percent5Minutes", "Canary10Percent10Minutes = SameAsCanary",
		"Linear10PercentEvery1Minute", "scenario bad-canary · seed 42 · 50 runs per strategy", want, "95 % interval"} {
		if !bytes.Contains(ch.SVG, []byte(s)) {
			t.Errorf("frontier SVG lacks %q", s)
		}
	}
}

func TestFrontierLinearAxis(t *testing.T) {
	c := Charts{Scenario: "s", Seed: 7, RunCount: 1, Points: []FrontierPoint{
		{Strategy: "A", Planned: 60, Mean: 10, Low: 10, High: 10},
		{Strategy: "B", Planned: 1200, Mean: 40, Low: 30, High: 50},
	}}
	f, err := c.frontierChart()
	if err != nil {
		t.Fatal(err)
	}
	p := f.plots[0]
	if lo, hi := axisRange(p.Y); lo != 0 || math.Abs(hi-52.5) > 1e-9 {
		t.Errorf("Y axis [%g, %g], want [0, 52.5] (the highest interval end + 5 %%)", lo, hi)
	}
	if lo, hi := axisRange(p.X); lo != 0 || math.Abs(hi-21) > 1e-9 {
		t.Errorf("X axis [%g, %g], want [0, 21]", lo, hi)
	}
	if f.caption[0] != "scenario s · seed 7 · one run per strategy" || len(f.caption) != 1 {
		t.Errorf("caption %q", f.caption)
	}
}

// The CDF's share axis is [0, 1] exactly; its count axis stops at the data.
func TestCDFAxesFitData(t *testing.T) {
	c := frontierData()
	f, err := c.cdfChart()
	if err != nil {
		t.Fatal(err)
	}
	p := f.plots[0]
	if lo, hi := axisRange(p.Y); lo != 0 || hi != 1 {
		t.Errorf("CDF Y axis [%g, %g], want [0, 1]", lo, hi)
	}
	if lo, hi := axisRange(p.X); lo != 0 || hi < 7610 || hi > math.Expm1(math.Log1p(7610)*1.02)+1e-9 {
		t.Errorf("CDF X axis [%g, %g], want [0, 7610..]", lo, hi)
	}
	want := "Canary10Percent5Minutes, Canary10Percent10Minutes and SameAsCanary coincide (drawn over each other)"
	if len(f.caption) != 2 || f.caption[1] != want {
		t.Errorf("caption %q, want a second line %q", f.caption, want)
	}
}

func TestCumulativeAndPanelsFitData(t *testing.T) {
	two := []Phase{{From: 300, To: 600, TargetRequests: 1000, TargetFailed: 40}}
	c := Charts{Scenario: "s", Seed: 1, Horizon: 1800, RunCount: 1, Runs: []Result{
		{Strategy: "A", Status: "Succeeded", Phases: two},
		{Strategy: "B", Status: "Succeeded", Phases: two},
		{Strategy: "C", Status: "Succeeded", Phases: []Phase{{From: 300, To: 600, TargetRequests: 1000, TargetFailed: 30}}},
	}}
	f, err := c.cumulativeChart()
	if err != nil {
		t.Fatal(err)
	}
	p := f.plots[0]
	if lo, hi := axisRange(p.Y); lo != 0 || math.Abs(hi-42) > 1e-9 {
		t.Errorf("cumulative Y axis [%g, %g], want [0, 42]", lo, hi)
	}
	if lo, hi := axisRange(p.X); lo != 0 || hi != 30 {
		t.Errorf("cumulative X axis [%g, %g], want [0, 30] minutes", lo, hi)
	}
	if len(f.caption) != 2 || f.caption[1] != "A and B coincide (drawn over each other)" {
		t.Errorf("caption %q", f.caption)
	}
	w, err := c.weightChart()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range w.plots {
		if p.Y.Min != 0 || p.Y.Max != 100 {
			t.Errorf("weight panel %q Y axis [%g, %g], want [0, 100]", p.Title.Text, p.Y.Min, p.Y.Max)
		}
	}
	e, err := c.errorRateChart()
	if err != nil {
		t.Fatal(err)
	}
	// Target failed 4 % (40/1000) in its only weight step.
	if p := e.plots[0]; p.Y.Min != 0 || math.Abs(p.Y.Max-4.2) > 1e-9 {
		t.Errorf("error-rate Y axis [%g, %g], want [0, 4.2]", p.Y.Min, p.Y.Max)
	}
	charts, err := c.Render()
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range charts {
		if !strings.Contains(string(ch.SVG), "scenario s · seed 1 · one run per strategy") {
			t.Errorf("%s.svg lacks the caption", ch.Name)
		}
		if len(ch.PNG) == 0 {
			t.Errorf("%s.png is empty", ch.Name)
		}
	}
}
