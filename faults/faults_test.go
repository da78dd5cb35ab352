package faults

import (
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
		e := s.At(c.v, c.t)
		got := -1.0
		if e.ErrorRate != nil {
			got = *e.ErrorRate
		}
		if got != c.rate || (e.Latency != nil) != c.latency {
			t.Errorf("At(%d, %v) = rate %v latency %v, want %v %v", c.v, c.t, got, e.Latency != nil, c.rate, c.latency)
		}
	}
	want := []time.Duration{0, time.Minute, 2 * time.Minute, 3 * time.Minute}
	got := s.Changes()
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
