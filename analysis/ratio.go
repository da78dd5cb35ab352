package analysis

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// RatioNodes is how many points of θ the RatioTest's mixture holds.
const RatioNodes = 1024

// RatioTest is the sequential count test of Sequential (Lindon & Malek)
// built on the versions' per-request event rates instead of the split's
// event shares, so that its evidence carries across traffic splits. Let
// θ = λ_canary / (λ_canary + λ_base), the canary's share of the two
// per-request event rates (θ = ½: the versions fail alike). With the canary
// receiving a share ρ of the requests, the next event is the canary's with
// probability
//
//	q(ρ, θ) = ρθ / (ρθ + (1−ρ)(1−θ)),
//
// which is ρ under the null hypothesis whatever ρ is. The test martingale is
// the likelihood ratio Π q(ρ_j, θ)^x_j (1−q(ρ_j, θ))^(1−x_j) / Π ρ_j^x_j (1−ρ_j)^(1−x_j)
// mixed over a prior on θ: θ does not change when the split does, so every
// event counts for the same θ. The prior is Beta(K/2, K/2) — at ρ = ½ the
// test is Sequential's Dirichlet(K·ρ) mixture — held on RatioNodes points
// of (0, 1) with weights proportional to its density: a mixture over a
// discrete prior is a test martingale exactly, so Ville's inequality bounds
// the false-alarm rate by Alpha over any number of looks and splits; the
// grid only shapes the power (docs/gates.md). It never allocates after
// StartRatio.
type RatioTest struct {
	s      Sequential
	rho    float64 // the canary's share now
	logW   [RatioNodes]float64
	theta  [RatioNodes]float64
	ll     [RatioNodes]float64 // log-likelihood ratio at each node
	lq     [RatioNodes]float64 // log q(ρ, θ) at the current split
	lr     [RatioNodes]float64 // log (1 − q(ρ, θ))
	total  [2]int
	expect float64 // the null's expected canary events: Σ events × ρ at the time
	LogBF  float64 // the running log Bayes factor
	P      float64 // the anytime p-value
	Events int
}

// StartRatio returns a rate-ratio test with no events for the two-arm s
// (Rho's canary share is the first split; K, Alpha, OneSided and Canary as
// for Sequential).
func (s Sequential) StartRatio() (*RatioTest, error) {
	s, err := s.norm()
	if err != nil {
		return nil, err
	}
	if len(s.Rho) != 2 {
		return nil, fmt.Errorf("the rate-ratio test has two arms, not %d", len(s.Rho))
	}
	t := &RatioTest{s: s, P: 1}
	prior := distuv.Beta{Alpha: s.K / 2, Beta: s.K / 2}
	mx := math.Inf(-1)
	for g := range t.theta {
		th := (float64(g) + 0.5) / RatioNodes
		t.theta[g], t.logW[g] = th, prior.LogProb(th)
		mx = math.Max(mx, t.logW[g])
	}
	sum := 0.0
	for _, w := range t.logW {
		sum += math.Exp(w - mx)
	}
	norm := mx + math.Log(sum)
	for g := range t.logW {
		t.logW[g] -= norm
	}
	t.rho = -1
	if err := t.SetRho(s.Rho[s.Canary]); err != nil {
		return nil, err
	}
	return t, nil
}

// SetRho sets the canary's traffic share from now on; a share outside
// (0, 1) is refused.
func (t *RatioTest) SetRho(canary float64) error {
	if !(canary > 0 && canary < 1) {
		return fmt.Errorf("traffic share %v, want a number strictly between 0 and 1", canary)
	}
	if canary == t.rho {
		return nil
	}
	t.rho = canary
	for g, th := range t.theta {
		a, b := canary*th, (1-canary)*(1-th)
		t.lq[g] = math.Log(a / (a + b))
		t.lr[g] = math.Log(b / (a + b))
	}
	return nil
}

// Add counts c0 events from arm 0 and c1 from arm 1 at the current split,
// updates the Bayes factor and the p-value, and reports whether the test
// rejects now.
func (t *RatioTest) Add(c0, c1 int) bool {
	if c0 < 0 || c1 < 0 || c0+c1 == 0 {
		return t.Reject()
	}
	cc, cb := float64(c1), float64(c0)
	if t.s.Canary == 0 {
		cc, cb = cb, cc
	}
	null := cc*math.Log(t.rho) + cb*math.Log(1-t.rho)
	mx := math.Inf(-1)
	for g := range t.ll {
		t.ll[g] += cc*t.lq[g] + cb*t.lr[g] - null
		mx = math.Max(mx, t.ll[g]+t.logW[g])
	}
	sum := 0.0
	for g := range t.ll {
		sum += math.Exp(t.ll[g] + t.logW[g] - mx)
	}
	t.LogBF = mx + math.Log(sum)
	t.P = math.Min(t.P, math.Exp(-t.LogBF))
	t.total[0] += c0
	t.total[1] += c1
	t.Events += c0 + c1
	t.expect += float64(c0+c1) * t.rho
	return t.Reject()
}

// Reject reports whether the test has rejected: p ≤ α and, one-sided, the
// canary produced more events than its traffic shares predict.
func (t *RatioTest) Reject() bool {
	if !(t.P <= t.s.Alpha) {
		return false
	}
	return !t.s.OneSided || t.Worse()
}

// Worse reports whether the canary produced more events than its traffic
// shares predict under the null hypothesis.
func (t *RatioTest) Worse() bool { return float64(t.total[t.s.Canary]) > t.expect }

// Counts returns the events counted per arm.
func (t *RatioTest) Counts() [2]int { return t.total }
