package sim_test

import (
	"fmt"
	"testing"
	"time"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/shiftsim/shiftsim/sim"
	"github.com/shiftsim/shiftsim/strategies"
	"github.com/shiftsim/shiftsim/sweep"
)

// phaseDoc is a target that fails every request under a 1-of-1 alarm on
// any error: the alarm fires at the first evaluation whose newest visible
// period holds target traffic, so its time is known exactly for any phase.
// At 500 requests/s, 10 % of them to the target, a second without a target
// request has probability e^-50.
const phaseDoc = `
name: phase
seed: 9
horizon: 10m
function: {name: fn, alias: live}
traffic: {rate: 500}
versions:
  current: {error_rate: 0, latency: {median: 50ms, p99: 150ms}}
  target:  {error_rate: 1}
alarms:
  - AlarmName: any-error
    MetricName: Errors
    Dimensions: [{Name: FunctionName, Value: fn}, {Name: Resource, Value: "fn:live"}, {Name: ExecutedVersion, Value: "2"}]
    Statistic: Sum
    Period: 60
    EvaluationPeriods: 1
    Threshold: 1
    ComparisonOperator: GreaterThanOrEqualToThreshold
monitoring: {metric_delay: %s, alarm_poll_interval: %s, poll_phase: %s}
deployment:
  start: 5m
  strategies: [Canary10Percent5Minutes]
`

// A fixed phase φ moves CloudWatch's minute to φ + k·60 s: the period that
// ends first after the start (5 m) ends at 5 m + φ (5 m + 60 s when φ = 0),
// the alarm sees it MetricDelay later, and CodeDeploy, polling at 5 m + φ
// + k·interval, acts at the first poll at or after that.
func TestFixedPhaseMovesDetectionExactly(t *testing.T) {
	start := 5 * time.Minute
	for _, eng := range []sim.Engine{sim.PerRequest, sim.Batched} {
		for _, delay := range []time.Duration{0, time.Minute} {
			for _, poll := range []time.Duration{0, time.Minute, 2 * time.Minute} {
				for _, phase := range []time.Duration{0, time.Second, 17 * time.Second, 59 * time.Second} {
					if phase >= sim.PhaseCycle(poll) {
						continue
					}
					name := fmt.Sprintf("%v/delay=%v/poll=%v/phase=%v", eng, delay, poll, phase)
					t.Run(name, func(t *testing.T) {
						s := parse(t, fmt.Sprintf(phaseDoc, delay, poll, phase))
						s.Model.Engine = eng
						r := run(t, s, 0)
						first := phase % time.Minute
						if first == 0 {
							first = time.Minute
						}
						detected := start + first + delay
						end := detected
						if poll > 0 {
							// polls at start + phase%poll + k·poll (the first one past the start)
							p0 := phase % poll
							if p0 == 0 {
								p0 = poll
							}
							k := (detected - start - p0 + poll - 1) / poll
							end = start + p0 + max(k, 0)*poll
						}
						if r.Detected == nil || *r.Detected != detected {
							t.Errorf("detected %v, want %v", r.Detected, detected)
						}
						if r.End == nil || *r.End != end || !r.RolledBack {
							t.Errorf("ended %v (rolled back %v), want a rollback at %v", r.End, r.RolledBack, end)
						}
						if r.PollPhase != phase || r.PollPhaseRandom {
							t.Errorf("result says phase %v (random %v), want %v", r.PollPhase, r.PollPhaseRandom, phase)
						}
					})
				}
			}
		}
	}
}

// Phase 0 is the grid of the scenario's clock, what every run used before
// poll_phase existed: a model that leaves PollPhase at its zero value and
// one that says 0s give the same bytes.
func TestPhaseZeroIsTheClockGrid(t *testing.T) {
	s := parse(t, fmt.Sprintf(phaseDoc, "60s", "60s", "0s"))
	a := fingerprint(run(t, s, 0))
	s.Model.PollPhase = sim.PollPhase{}
	if b := fingerprint(run(t, s, 0)); a != b {
		t.Errorf("poll_phase 0s differs from the zero PollPhase:\n%s\n%s", a, b)
	}
}

// A random phase is uniform over the 60 whole seconds of the minute (chi-
// square over the seeds of 6000 runs), shared by every strategy of a run,
// and drawn from its own stream: the run's other draws do not move.
func TestRandomPhaseUniformAndShared(t *testing.T) {
	s := parse(t, fmt.Sprintf(phaseDoc, "60s", "60s", "random"))
	const n = 6000
	var cells [60]float64
	for i := 0; i < n; i++ {
		m := s.Model
		m.Seed = sweep.Seed(s.Model.Seed, i)
		p := m.RunPhase()
		if p < 0 || p >= time.Minute || p%time.Second != 0 {
			t.Fatalf("seed %d: phase %v is not a whole second in [0, 60s)", m.Seed, p)
		}
		cells[p/time.Second]++
	}
	chi2 := 0.0
	for _, o := range cells {
		e := float64(n) / 60
		chi2 += (o - e) * (o - e) / e
	}
	t.Logf("chi-square %.1f on 59 degrees of freedom, p = %.3f", chi2, (distuv.ChiSquared{K: 59}).Survival(chi2))
	if p := (distuv.ChiSquared{K: 59}).Survival(chi2); p < 0.001 {
		t.Errorf("chi-square %.1f on 59 degrees of freedom (p = %.2g): phases are not uniform", chi2, p)
	}

	// Every strategy of one run uses the same phase; another seed moves it.
	s.Strategies = append(s.Strategies, sim.Strategy{Name: "AllAtOnce"}, sim.Strategy{Name: "Linear10PercentEvery1Minute"})
	for i := range s.Strategies[1:] {
		st := &s.Strategies[i+1]
		st.Config = mustLookup(t, st.Name)
	}
	seen := map[time.Duration]bool{}
	for seed := uint64(1); seed <= 5; seed++ {
		s.Model.Seed = seed
		rs, err := sim.Compare(&s.Model, s.Strategies)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rs {
			if r.PollPhase != rs[0].PollPhase || !r.PollPhaseRandom {
				t.Errorf("seed %d: %s used phase %v, %s %v", seed, r.Strategy, r.PollPhase, rs[0].Strategy, rs[0].PollPhase)
			}
			if r.Requests != rs[0].Requests {
				t.Errorf("seed %d: %s saw %d requests, %s %d", seed, r.Strategy, r.Requests, rs[0].Strategy, rs[0].Requests)
			}
		}
		seen[rs[0].PollPhase] = true
	}
	if len(seen) < 2 {
		t.Errorf("five seeds drew one phase: %v", seen)
	}

	// Its own stream: a fixed phase equal to the drawn one gives the same run.
	s.Model.Seed = 3
	rnd := run(t, s, 0)
	s.Model.PollPhase = sim.PollPhase{Fixed: rnd.PollPhase}
	fixed := run(t, s, 0)
	if fingerprint(rnd) != fingerprint(fixed) || rnd.Requests != fixed.Requests {
		t.Errorf("random phase %v and the same phase fixed differ", rnd.PollPhase)
	}
}

// PhaseCycle is the minute, or the least common multiple of the minute and
// a whole-second poll interval.
func TestPhaseCycle(t *testing.T) {
	for _, c := range []struct{ poll, want time.Duration }{
		{0, time.Minute}, {time.Minute, time.Minute}, {30 * time.Second, time.Minute},
		{2 * time.Minute, 2 * time.Minute}, {45 * time.Second, 3 * time.Minute}, {1500 * time.Millisecond, time.Minute},
	} {
		if got := sim.PhaseCycle(c.poll); got != c.want {
			t.Errorf("PhaseCycle(%v) = %v, want %v", c.poll, got, c.want)
		}
	}
}

func mustLookup(t *testing.T, name string) strategies.Config {
	t.Helper()
	c, err := strategies.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
