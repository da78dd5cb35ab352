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

// SeqTest is the test's running state, fed events one at a time (Observe)
// or in counts (Add, as a gate measured at intervals does: the Bayes factor
// depends on the counts only, so a batch equals its events one by one, and
// checking less often only keeps the p-value higher). When the traffic split
// changes (SetRho), the Bayes factor of the split so far is kept as a factor
// and a new mixture starts for the new split: a product of test martingales
// begun at stopping times is still one, so the guarantee holds across the
// steps of a canary (docs/plans.md). Two arms; it never allocates.
type SeqTest struct {
	s       Sequential
	rho     [2]float64
	prior   [2]float64
	lb0     float64
	counts  [2]int  // this segment's
	total   [2]int  // all segments'
	expect  float64 // Σ over events of the canary's share at the time: the null's expected canary events
	logDone float64 // log Bayes factor of the closed segments
	LogBF   float64 // the running log Bayes factor
	P       float64 // the anytime p-value
	Events  int     // events seen
}

// Start returns a test with no events for a two-arm s (p = 1).
func (s Sequential) Start() (*SeqTest, error) {
	s, err := s.norm()
	if err != nil {
		return nil, err
	}
	if len(s.Rho) != 2 {
		return nil, fmt.Errorf("the running test has two arms, not %d", len(s.Rho))
	}
	t := &SeqTest{s: s, P: 1}
	t.setRho(s.Rho[0], s.Rho[1])
	return t, nil
}

func (t *SeqTest) setRho(r0, r1 float64) {
	t.rho = [2]float64{r0, r1}
	t.prior = [2]float64{t.s.K * r0, t.s.K * r1}
	t.lb0 = logBeta2(t.prior[0], t.prior[1])
	t.counts = [2]int{}
}

// SetRho sets the canary's (arm s.Canary's) traffic share from now on; a
// share outside (0, 1) is refused (events then carry no information about
// the arms). An unchanged share keeps the running mixture.
func (t *SeqTest) SetRho(canary float64) error {
	if !(canary > 0 && canary < 1) {
		return fmt.Errorf("traffic share %v, want a number strictly between 0 and 1", canary)
	}
	r := [2]float64{1 - canary, 1 - canary}
	r[t.s.Canary] = canary
	if r == t.rho {
		return nil
	}
	t.logDone = t.LogBF
	t.setRho(r[0], r[1])
	return nil
}

func logBeta2(a, b float64) float64 {
	la, _ := math.Lgamma(a)
	lb, _ := math.Lgamma(b)
	lab, _ := math.Lgamma(a + b)
	return la + lb - lab
}

// Add counts c0 events from arm 0 and c1 from arm 1 at the current split
// and updates the Bayes factor and the p-value. It reports whether the test
// rejects now (Reject).
func (t *SeqTest) Add(c0, c1 int) bool {
	if c0 < 0 || c1 < 0 || c0+c1 == 0 {
		return t.Reject()
	}
	t.counts[0] += c0
	t.counts[1] += c1
	t.total[0] += c0
	t.total[1] += c1
	t.Events += c0 + c1
	t.expect += float64(c0+c1) * t.rho[t.s.Canary]
	c := t.counts
	seg := logBeta2(t.prior[0]+float64(c[0]), t.prior[1]+float64(c[1])) - t.lb0 -
		float64(c[0])*math.Log(t.rho[0]) - float64(c[1])*math.Log(t.rho[1])
	t.LogBF = t.logDone + seg
	t.P = math.Min(t.P, math.Exp(-t.LogBF))
	return t.Reject()
}

// Observe counts one event from arm and reports whether the test rejects.
func (t *SeqTest) Observe(arm int) bool {
	if arm == 0 {
		return t.Add(1, 0)
	}
	return t.Add(0, 1)
}

// Reject reports whether the test has rejected: p ≤ α, and, one-sided, the
// canary produced more events than its traffic shares predict.
func (t *SeqTest) Reject() bool {
	if !(t.P <= t.s.Alpha) {
		return false
	}
	return !t.s.OneSided || t.Worse()
}

// Worse reports whether the canary produced more events than its traffic
// shares predict under the null hypothesis.
func (t *SeqTest) Worse() bool { return float64(t.total[t.s.Canary]) > t.expect }

// Counts returns the events counted per arm over every split.
func (t *SeqTest) Counts() [2]int { return t.total }

// Replay runs the test over events (each an arm index, in order of
// arrival) and stops at the first rejection. It returns every step; the last
// one rejects if the test stopped. More than two arms are replayed with the
// general multinomial Bayes factor.
func (s Sequential) Replay(events []int) ([]SeqStep, error) {
	if len(s.Rho) == 2 {
		t, err := s.Start()
		if err != nil {
			return nil, err
		}
		var out []SeqStep
		for n, arm := range events {
			if arm < 0 || arm >= 2 {
				return out, fmt.Errorf("event %d: arm %d out of range", n+1, arm)
			}
			rej := t.Observe(arm)
			c := t.Counts()
			out = append(out, SeqStep{N: n + 1, Arm: arm, Counts: []int{c[0], c[1]}, LogBF: t.LogBF, P: t.P, Reject: rej})
			if rej {
				break
			}
		}
		return out, nil
	}
	return s.replayMulti(events)
}

func (s Sequential) replayMulti(events []int) ([]SeqStep, error) {
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
