package analysis

import (
	"errors"
	"fmt"
	"math"
)

// Sequential is the anytime-valid test for counts of events (errors,
// crashes) per arm of Lindon & Malek, "Anytime-Valid Inference for
// Multinomial Count Data" (NeurIPS 2022), as Netflix describes it for
// canaries: under the null hypothesis the next event comes from arm i with
// probability Rho[i], the arm's share of traffic, however traffic varies.
// With counts c and a Dirichlet(K·Rho) mixture the Bayes factor is
//
//	BF_n = [B(K·Rho + c) / B(K·Rho)] / Π Rho_i^c_i,  B(a) = Π Γ(a_i) / Γ(Σ a_i),
//
// the anytime p-value is p_n = min(p_{n−1}, 1/BF_n), and the test rejects
// (stops the canary) at the first n with p_n ≤ Alpha; its false-alarm rate
// is at most Alpha under continuous monitoring. docs/plans.md.
type Sequential struct {
	Rho   []float64 // traffic share of each arm, summing to 1
	K     float64   // concentration of the mixture; 0 means 100 (savvi's default)
	Alpha float64   // 0 means 0.05
	// OneSided rejects only when the canary arm's observed share of events,
	// c_canary/n, exceeds its traffic share Rho[Canary] — the canary is worse,
	// not merely different (our decision, docs/plans.md).
	OneSided bool
	Canary   int // the canary arm's index, for OneSided
}

// SeqStep is the test after one event.
type SeqStep struct {
	N      int
	Arm    int
	Counts []int
	LogBF  float64
	P      float64 // the anytime p-value
	Reject bool
}

func (s Sequential) norm() (Sequential, error) {
	if s.K == 0 {
		s.K = 100
	}
	if s.Alpha == 0 {
		s.Alpha = 0.05
	}
	if len(s.Rho) < 2 {
		return s, errors.New("need at least two arms")
	}
	sum := 0.0
	for i, r := range s.Rho {
		if !(r > 0 && r < 1) {
			return s, fmt.Errorf("traffic share %d: %v, want a number strictly between 0 and 1", i, r)
		}
		sum += r
	}
	if math.Abs(sum-1) > 1e-9 {
		return s, fmt.Errorf("traffic shares sum to %v, want 1", sum)
	}
	if !(s.K > 0) || !(s.Alpha > 0 && s.Alpha < 1) {
		return s, errors.New("k must be > 0 and alpha in (0, 1)")
	}
	if s.Canary < 0 || s.Canary >= len(s.Rho) {
		return s, fmt.Errorf("canary arm %d out of range", s.Canary)
	}
	return s, nil
}

func logBeta(a []float64) float64 {
	sum, out := 0.0, 0.0
	for _, x := range a {
		lg, _ := math.Lgamma(x)
		out += lg
		sum += x
	}
	lg, _ := math.Lgamma(sum)
	return out - lg
}

// Replay runs the test over events (each an arm index, in order of
// arrival) and stops at the first rejection. It returns every step; the last
// one rejects if the test stopped.
func (s Sequential) Replay(events []int) ([]SeqStep, error) {
	s, err := s.norm()
	if err != nil {
		return nil, err
	}
	k := len(s.Rho)
	prior := make([]float64, k)
	for i, r := range s.Rho {
		prior[i] = s.K * r
	}
	lb0 := logBeta(prior)
	counts := make([]int, k)
	post := make([]float64, k)
	p := 1.0
	var out []SeqStep
	for n, arm := range events {
		if arm < 0 || arm >= k {
			return out, fmt.Errorf("event %d: arm %d out of range", n+1, arm)
		}
		counts[arm]++
		lr := 0.0
		for i := range post {
			post[i] = prior[i] + float64(counts[i])
			lr += float64(counts[i]) * math.Log(s.Rho[i])
		}
		lbf := logBeta(post) - lb0 - lr
		p = math.Min(p, math.Exp(-lbf))
		st := SeqStep{N: n + 1, Arm: arm, Counts: append([]int(nil), counts...), LogBF: lbf, P: p}
		st.Reject = p <= s.Alpha
		if st.Reject && s.OneSided && float64(counts[s.Canary])/float64(n+1) <= s.Rho[s.Canary] {
			st.Reject = false
		}
		out = append(out, st)
		if st.Reject {
			break
		}
	}
	return out, nil
}
