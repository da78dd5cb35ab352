package sweep

import (
	"math"
	"testing"
	"time"

	"github.com/shiftsim/shiftsim/sim"
	"github.com/shiftsim/shiftsim/strategies"
)

// Place takes the planned duration and the mean target failures with
// their interval; one run (no interval) collapses the bar to the mean.
func TestPlace(t *testing.T) {
	nan := math.NaN()
	st := []Stats{
		{Strategy: "fast", Planned: 0, TargetFailedRequests: Summary{Mean: 9, CILow: 7, CIHigh: 11}},
		{Strategy: "slow", Planned: 10 * time.Minute, TargetFailedRequests: Summary{Mean: 2, CILow: 1, CIHigh: 3}},
		{Strategy: "worse", Planned: 15 * time.Minute, TargetFailedRequests: Summary{Mean: 4, CILow: nan, CIHigh: nan}},
	}
	ps := Place(st)
	want := []Placed{
		{Strategy: "fast", Point: Point{0, 9}, Low: 7, High: 11, OnFrontier: true},
		{Strategy: "slow", Point: Point{600, 2}, Low: 1, High: 3, OnFrontier: true},
		{Strategy: "worse", Point: Point{900, 4}, Low: 4, High: 4, OnFrontier: false},
	}
	for i := range want {
		if ps[i] != want[i] {
			t.Errorf("%d: %+v, want %+v", i, ps[i], want[i])
		}
	}
	if on := OnFrontier(ps); !on[0] || !on[1] || on[2] {
		t.Errorf("OnFrontier %v", on)
	}
}

// A single run: planned durations from the schedule and hooks.
func TestPlaceSingle(t *testing.T) {
	m := &sim.Model{Hooks: []sim.Hook{{Duration: 30 * time.Second}}}
	all, _ := strategies.Lookup("AllAtOnce")
	canary, _ := strategies.Lookup("Canary10Percent5Minutes")
	ps := PlaceSingle(m, []sim.Strategy{{Name: "AllAtOnce", Config: all}, {Name: "Canary10Percent5Minutes", Config: canary}}, []float64{20, 20})
	if ps[0].Duration != 30 || ps[1].Duration != 330 || ps[0].Low != 20 || !ps[0].OnFrontier || ps[1].OnFrontier {
		t.Errorf("%+v", ps)
	}
}
