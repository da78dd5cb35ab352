package analysis

import (
	"math/rand/v2"
	"testing"
)

// The controller's allocation-free AssessPhase and Outcome agree with the
// explained Assess and Evaluate on every counter state and value drawn.
func TestAssessPhaseMatchesAssess(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	s, _ := ParseCondition("result < 5")
	f, _ := ParseCondition("result > 10")
	for i := 0; i < 20000; i++ {
		m := Metric{Count: rng.IntN(6), Interval: rng.IntN(2) == 0, FailureLimit: rng.IntN(4) - 1, InconclusiveLimit: rng.IntN(3),
			ConsecutiveErrorLimit: rng.IntN(5), ConsecutiveSuccessLimit: rng.IntN(3)}
		switch rng.IntN(4) {
		case 0:
			m.SuccessCondition = s
		case 1:
			m.FailureCondition = f
		case 2:
			m.SuccessCondition, m.FailureCondition = s, f
		}
		var c Counters
		for j := rng.IntN(8); j > 0; j-- {
			c.Observe([]Phase{Successful, Failed, Inconclusive, Error}[rng.IntN(4)])
		}
		term := rng.IntN(2) == 0
		if want, _ := m.Assess(c, term); m.AssessPhase(c, term) != want {
			t.Fatalf("%+v %+v %v: AssessPhase %s, Assess %s", m, c, term, m.AssessPhase(c, term), want)
		}
		v := rng.Float64() * 15
		if want, _ := m.Evaluate(v); m.Outcome(v) != want {
			t.Fatalf("%v: Outcome %s, Evaluate %s", v, m.Outcome(v), want)
		}
	}
}
