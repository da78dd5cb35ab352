package power

import (
	"fmt"
	"math"
	"slices"

	"github.com/shiftsim/shiftsim/sim"
	"github.com/shiftsim/shiftsim/sweep"
)

// Options controls Analyse.
type Options struct {
	// Runs is how many simulated runs per strategy a Monte Carlo result
	// takes; below 1 means 1000.
	Runs int
	// Force, when "exact" or "monte_carlo", insists on one method; an
	// exact result that cannot be had is then an error.
	Force string
	// Progress is passed to the simulator's sweep.
	Progress func(done, total int)
}

// Analyse answers for every strategy of m: exactly where Exactable allows,
// by simulation otherwise (or as Options.Force says).
func Analyse(m *sim.Model, strats []sim.Strategy, o Options) ([]Result, error) {
	ok, why := Exactable(m)
	switch o.Force {
	case MethodExact:
		if !ok {
			return nil, fmt.Errorf("cannot compute exactly: %s", why)
		}
	case MethodMonteCarlo:
		ok, why = false, "asked for"
	case "":
	default:
		return nil, fmt.Errorf("method %q: want exact or monte_carlo", o.Force)
	}
	if ok {
		e, err := NewEngine(m)
		if err != nil {
			return nil, err
		}
		out := make([]Result, 0, len(strats))
		for _, s := range strats {
			r, err := e.Exact(s)
			if err != nil {
				return nil, err
			}
			out = append(out, r)
		}
		return out, nil
	}
	return MonteCarlo(m, strats, o, why)
}

// MonteCarlo estimates every strategy's result from simulated runs (run i
// with sweep.Seed(m.Seed, i), as compare --runs does), with 95 % intervals;
// why says why it is not exact.
func MonteCarlo(m *sim.Model, strats []sim.Strategy, o Options, why string) ([]Result, error) {
	runs := o.Runs
	if runs < 1 {
		runs = 1000
	}
	rep, err := sweep.Run(m, strats, sweep.Options{Runs: runs, Progress: o.Progress})
	if err != nil {
		return nil, err
	}
	out := make([]Result, len(strats))
	for si, s := range strats {
		t := tallyOutcomes(rep.Outcomes[si])
		stops, dets, req, fail, det := t.stops, t.dets, t.req, t.fail, t.det
		r := Result{Strategy: s.Name, Method: MethodMonteCarlo, Why: why, Runs: runs}
		w := sweep.Wilson(stops, runs)
		r.RollbackProbability, r.RollbackCI95 = w.P, [2]float64{w.Low, w.High}
		r.DetectionProbability = float64(dets) / float64(runs)
		r.TargetRequests, r.TargetRequestsCI95 = meanCI(req)
		r.TargetFailedRequests, r.TargetFailedCI95 = meanCI(fail)
		_, r.DetectionMeanCI95 = meanCI(det)
		slices.Sort(det)
		// The runs' detection times, each with the same mass: quantiles
		// and mean are the sample's.
		for i, x := range det {
			if i > 0 && det[i-1] == x {
				r.Detection.Mass[len(r.Detection.Mass)-1]++
				continue
			}
			r.Detection.Seconds = append(r.Detection.Seconds, x)
			r.Detection.Mass = append(r.Detection.Mass, 1)
		}
		for i := range r.Detection.Mass {
			r.Detection.Mass[i] /= float64(len(det))
		}
		out[si] = r
	}
	return out, nil
}

// tally is what power reads from simulated runs: how many stopped, how
// many detected, and the per-run samples (detection counted from the
// deployment start).
type tally struct {
	stops, dets    int
	req, fail, det []float64
}

// tallyOutcomes counts one strategy's runs.
func tallyOutcomes(outs []sweep.Outcome) tally {
	var t tally
	for _, oc := range outs {
		if oc.Status == "Stopped" || oc.Status == "Failed" {
			t.stops++
		}
		if !math.IsNaN(oc.Detected) {
			t.dets++
			t.det = append(t.det, oc.Detected-oc.DeploymentStart)
		}
		t.req = append(t.req, float64(oc.TargetRequests))
		t.fail = append(t.fail, float64(oc.TargetFailedRequests))
	}
	return t
}

// meanCI is the mean of xs and its normal 95 % interval.
func meanCI(xs []float64) (float64, [2]float64) {
	n := float64(len(xs))
	if n == 0 {
		nan := math.NaN()
		return nan, [2]float64{nan, nan}
	}
	var s, ss float64
	for _, x := range xs {
		s += x
	}
	mean := s / n
	if n < 2 {
		return mean, [2]float64{math.NaN(), math.NaN()}
	}
	for _, x := range xs {
		ss += (x - mean) * (x - mean)
	}
	half := 1.959963984540054 * math.Sqrt(ss/(n-1)/n)
	return mean, [2]float64{mean - half, mean + half}
}
