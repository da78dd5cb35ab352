package faults

import (
	"math"
	"testing"
	"time"
)

func rate(r float64) *float64 { return &r }

func TestComposeInListOrder(t *testing.T) {
	s := Set{
		{Version: 1, Start: time.Minute, ErrorRate: rate(0.1)},
		{Version: 1, Start: 2 * time.Minute, End: 3 * time.Minute, ErrorRate: rate(0.5), Latency: &Lognormal{Mu: -1, Sigma: 0.2}},
		{Version: 0, Start: 0, ErrorRate: rate(0.9)},
	}
	cases := []struct {
		t       time.Duration
		v       int
		rate    float64 // -1: unchanged
		latency bool
	}{
		{59 * time.Second, 1, -1, false},
		{time.Minute, 1, 0.1, false},
		{2 * time.Minute, 1, 0.5, true},
		{3 * time.Minute, 1, 0.1, false}, // End is exclusive
		{0, 0, 0.9, false},
	}
	for _, c := range cases {
		e := s.At(c.v, c.t, 0)
		got := -1.0
		if e.ErrorRate != nil {
			got = *e.ErrorRate
		}
		if got != c.rate || (e.Latency != nil) != c.latency {
			t.Errorf("At(%d, %v) = rate %v latency %v, want %v %v", c.v, c.t, got, e.Latency != nil, c.rate, c.latency)
		}
	}
	want := []time.Duration{0, time.Minute, 2 * time.Minute, 3 * time.Minute, time.Hour}
	got := s.Changes(time.Hour)
	if len(got) != len(want) {
		t.Fatalf("Changes = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("Changes = %v, want %v", got, want)
		}
	}
}

func TestValidate(t *testing.T) {
	bad := []Fault{
		{Version: 2, ErrorRate: rate(0.1)},
		{Version: 1},
		{Version: 1, ErrorRate: rate(1.5)},
		{Version: 1, Start: time.Minute, End: time.Minute, ErrorRate: rate(0.1)},
		{Version: 1, Latency: &Lognormal{Sigma: -1}},
	}
	for i, f := range bad {
		if f.Validate() == nil {
			t.Errorf("case %d: %+v accepted", i, f)
		}
	}
	if err := (Fault{Version: 1, ErrorRate: rate(0)}).Validate(); err != nil {
		t.Error(err)
	}
}

// A ramp grows the error rate from the version's own in equal steps; a
// flaky fault is on for On and off for Off; Both hits either version.
func TestRampFlakyBoth(t *testing.T) {
	ramp := Set{{Version: 1, Start: time.Minute, Ramp: time.Minute, RampSteps: 4, ErrorRate: rate(0.5)}}
	for _, c := range []struct {
		t    time.Duration
		want float64
	}{{time.Minute, 0.1 + 0.4*0.25}, {time.Minute + 15*time.Second, 0.1 + 0.4*0.5}, {time.Minute + 59*time.Second, 0.5}, {10 * time.Minute, 0.5}} {
		if got := *ramp.At(1, c.t, 0.1).ErrorRate; math.Abs(got-c.want) > 1e-12 {
			t.Errorf("ramp at %v: %v, want %v", c.t, got, c.want)
		}
	}
	if n := len(ramp.Changes(time.Hour)); n != 5 { // start, 3 inner steps, horizon
		t.Errorf("ramp changes %v", ramp.Changes(time.Hour))
	}
	flaky := Set{{Version: Both, Start: time.Minute, End: 5 * time.Minute, ErrorRate: rate(1), Flaky: &Flaky{On: 30 * time.Second, Off: 90 * time.Second}}}
	for _, c := range []struct {
		t  time.Duration
		on bool
	}{{time.Minute, true}, {time.Minute + 29*time.Second, true}, {time.Minute + 30*time.Second, false}, {3 * time.Minute, true}, {5 * time.Minute, false}} {
		for v := 0; v < 2; v++ {
			if got := flaky.AnyActive(v, c.t); got != c.on {
				t.Errorf("flaky at %v on version %d: %v, want %v", c.t, v, got, c.on)
			}
		}
	}
}
