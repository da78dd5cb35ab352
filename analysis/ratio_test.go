package analysis

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
)

// TestRatioTestHalfSplit: at a fixed half split θ is the canary's event
// share, so the rate-ratio test is Sequential's Dirichlet(K/2, K/2) mixture:
// the same log Bayes factors (to the node grid's precision) and the spec's
// test vector — an all-canary stream at ρ = ½, K = 100, α = 0.05 stops at
// the 29th event.
func TestRatioTestHalfSplit(t *testing.T) {
	s := Sequential{Rho: []float64{0.5, 0.5}, Canary: 1}
	rt, err := s.StartRatio()
	if err != nil {
		t.Fatal(err)
	}
	st, _ := s.Start()
	stop := 0
	for n := 1; n <= 60; n++ {
		rt.Add(0, 1)
		st.Add(0, 1)
		if math.Abs(rt.LogBF-st.LogBF) > 1e-6*math.Max(1, math.Abs(st.LogBF)) {
			t.Fatalf("event %d: log BF %v, closed form %v", n, rt.LogBF, st.LogBF)
		}
		if rt.Reject() && stop == 0 {
			stop = n
		}
	}
	if stop != 29 {
		t.Errorf("stopped at event %d, want 29", stop)
	}
	src := rand.New(rand.NewPCG(1, 2))
	rt, _ = s.StartRatio()
	st, _ = s.Start()
	for range 2000 {
		c0, c1 := 0, 0
		for range 10 {
			if src.Float64() < 0.52 {
				c1++
			} else {
				c0++
			}
		}
		rt.Add(c0, c1)
		st.Add(c0, c1)
	}
	if math.Abs(rt.LogBF-st.LogBF) > 1e-6*math.Max(1, math.Abs(st.LogBF)) {
		t.Errorf("20 000 events: log BF %v, closed form %v", rt.LogBF, st.LogBF)
	}
	if n := testing.AllocsPerRun(100, func() { rt.Add(1, 2); rt.SetRho(0.3); rt.Add(2, 0); rt.SetRho(0.5) }); n != 0 {
		t.Errorf("%v allocations per update", n)
	}
}

// binomialTail is P(X ≥ k) for X ~ Binomial(n, p).
func binomialTail(k, n int, p float64) float64 {
	return 1 - distuv.Binomial{N: float64(n), P: p}.CDF(float64(k-1))
}

// TestRatioTestCarriesAcrossSteps: a canary's split steps 5, 10, 20, 50 %
// with 60 events at each, read in batches of 5. Under the null the rate-ratio test, carrying its
// evidence across the steps, rejects in at most α of 2000 streams (the count
// is held to the Binomial(2000, 0.05) tail: P(X ≥ count) ≥ 0.001); against
// a canary failing twice as often per request it rejects more often and
// sooner than the test that restarts its mixture at each step (the same
// streams for both).
func TestRatioTestCarriesAcrossSteps(t *testing.T) {
	const streams, per, batch = 2000, 60, 5
	shares := []float64{0.05, 0.1, 0.2, 0.5}
	run := func(ratio float64, seed uint64) (carry, restart int, carryAt, restartAt float64) {
		src := rand.New(rand.NewPCG(seed, 7))
		for range streams {
			s := Sequential{Rho: []float64{1 - shares[0], shares[0]}, Canary: 1}
			rt, _ := s.StartRatio()
			st, _ := s.Start()
			rtAt, stAt := 0, 0
			n := 0
			for _, w := range shares {
				rt.SetRho(w)
				st.SetRho(w)
				p := w * ratio / (w*ratio + 1 - w)
				for range per / batch { // read in batches, as a gate reads counts at its checks
					c := [2]int{}
					for range batch {
						if src.Float64() < p {
							c[1]++
						} else {
							c[0]++
						}
					}
					n += batch
					if rt.Add(c[0], c[1]) && rtAt == 0 {
						rtAt = n
					}
					if st.Add(c[0], c[1]) && stAt == 0 {
						stAt = n
					}
				}
			}
			if rtAt > 0 {
				carry++
				carryAt += float64(rtAt)
			}
			if stAt > 0 {
				restart++
				restartAt += float64(stAt)
			}
		}
		return carry, restart, carryAt / float64(max(carry, 1)), restartAt / float64(max(restart, 1))
	}
	c, r, _, _ := run(1, 31)
	t.Logf("null: carried %d/%d, restarted %d/%d (α = 0.05: P(X ≥ %d) = %.3g, P(X ≥ %d) = %.3g)", c, streams, r, streams,
		c, binomialTail(c, streams, 0.05), r, binomialTail(r, streams, 0.05))
	for _, n := range []int{c, r} {
		if binomialTail(n, streams, 0.05) < 0.001 {
			t.Errorf("false alarms %d of %d exceed α = 0.05 (binomial tail %.3g)", n, streams, binomialTail(n, streams, 0.05))
		}
	}
	c, r, ca, ra := run(2, 32)
	t.Logf("twofold error rate: carried %d/%d stopping at event %.1f on average, restarted %d/%d at %.1f", c, streams, ca, r, streams, ra)
	if c <= r || ca >= ra {
		t.Errorf("carrying did not help: %d at %.1f vs %d at %.1f", c, ca, r, ra)
	}
}
