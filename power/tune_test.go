package power

import (
	"math"
	"testing"

	"github.com/shiftsim/shiftsim/alarm"
	"github.com/shiftsim/shiftsim/sim"
)

// The closed form of a Sum(Errors) alarm's class law equals the general
// sum over the period's requests.
func TestSumErrorsClosedForm(t *testing.T) {
	sum, _ := alarm.ParseStat("Sum", "")
	for _, cmp := range []alarm.Comparison{alarm.GreaterThanThreshold, alarm.GreaterThanOrEqualToThreshold} {
		for _, th := range []float64{-1, 0, 0.5, 1, 3, 7.2, 40} {
			a := sim.Alarm{Rule: alarm.Rule{EvaluationPeriods: 1, Threshold: th, Comparison: cmp},
				Queries: []sim.Query{{Metric: sim.Errors, Versions: 3, Stat: sum}}}
			fast := newClassifier(&a)
			if !fast.sumErrors {
				t.Fatal("the closed form is not used")
			}
			slow := newClassifier(&a)
			slow.sumErrors = false
			for _, mu := range []float64{0, 0.3, 6, 60, 600, 6000} {
				for _, p := range []float64{0, 0.001, 0.05, 0.5, 1} {
					f, s := fast.probs(mu, p), slow.probs(mu, p)
					for k := range f {
						if math.Abs(f[k]-s[k]) > 1e-10 { // the general sum loses ~6e-12 of the Poisson mass at mu = 6000
							t.Errorf("%v %v mu=%v p=%v: class %d closed form %v, sum %v", cmp, th, mu, p, k, f[k], s[k])
						}
					}
				}
			}
		}
	}
}

// The rate alarm's direct class law equals the general scan.
func TestRateClassLaw(t *testing.T) {
	base := sim.Alarm{Queries: []sim.Query{{Metric: sim.Errors, Versions: 2}}}
	for _, cmp := range []alarm.Comparison{alarm.GreaterThanThreshold, alarm.GreaterThanOrEqualToThreshold} {
		for _, th := range []float64{0, 0.01, 0.5, 1, 5, 33.3, 100} {
			a, err := Shape{Statistic: StatRate, Period: 60, N: 1, M: 1}.Alarm(&base, cmp, th)
			if err != nil {
				t.Fatal(err)
			}
			fast := newClassifier(&a)
			if !fast.rate {
				t.Fatal("the direct law is not used")
			}
			slow := newClassifier(&a)
			slow.rate = false
			for _, mu := range []float64{0, 0.3, 6, 60, 600, 6000} {
				for _, p := range []float64{0, 0.001, 0.05, 0.5, 1} {
					f, s := fast.probs(mu, p), slow.probs(mu, p)
					for k := range f {
						if math.Abs(f[k]-s[k]) > 1e-10 {
							t.Errorf("%v %v mu=%v p=%v: class %d direct %v, scan %v", cmp, th, mu, p, k, f[k], s[k])
						}
					}
				}
			}
		}
	}
}
