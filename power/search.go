package power

import (
	"fmt"
	"time"

	"github.com/shiftsim/shiftsim/faults"
	"github.com/shiftsim/shiftsim/sim"
	"github.com/shiftsim/shiftsim/strategies"
)

// MaxSearchInterval bounds the search for the shortest interval, in
// minutes: a canary longer than a day is not a canary any more.
const MaxSearchInterval = 24 * 60

// Search is the answer to "which plan stops a target failing at ErrorRate
// with probability Detect?" for one strategy of the model: the shortest
// interval at its percentage, and the smallest percentage at its interval,
// each with the probability it reaches and the false-rollback probability
// of the same alarm on a healthy target (the current version's behaviour).
type Search struct {
	Strategy   string
	Config     strategies.Config
	Power      float64 // the strategy as it is
	FalseAlarm float64 // its false-rollback probability

	// Interval is the shortest interval (minutes) reaching Detect at the
	// strategy's percentage; 0 when none up to MaxSearchInterval does.
	Interval                          int
	IntervalPower, IntervalFalseAlarm float64
	// Percentage is the smallest percentage reaching Detect at the
	// strategy's interval; 0 when none up to 99 does.
	Percentage                            int
	PercentagePower, PercentageFalseAlarm float64
}

// Bad returns m with the target failing every request with probability
// rate (its own faults removed): the version the alarm must catch.
func Bad(m *sim.Model, rate float64) *sim.Model {
	b := *m
	b.Versions[sim.Target].ErrorRate = rate
	b.Faults = targetFree(m.Faults)
	return &b
}

// Healthy returns m with the target behaving exactly like the current
// version (same error rate, latency and timeout, no fault of its own):
// every rollback of it is a false alarm.
func Healthy(m *sim.Model) *sim.Model {
	h := *m
	name := h.Versions[sim.Target].Name
	h.Versions[sim.Target] = h.Versions[sim.Current]
	h.Versions[sim.Target].Name = name
	h.Faults = targetFree(m.Faults)
	return &h
}

// targetFree keeps the faults that do not hit the target.
func targetFree(fs faults.Set) faults.Set {
	var out faults.Set
	for _, f := range fs {
		if !f.Hits(sim.Target) {
			out = append(out, f)
		}
	}
	return out
}

// PowerSearch answers Search for each canary or linear strategy of strats
// (others are skipped), exactly: the model must be Exactable.
func PowerSearch(m *sim.Model, strats []sim.Strategy, detect, errorRate float64) ([]Search, error) {
	if !(detect > 0 && detect < 1) {
		return nil, fmt.Errorf("detect %v: want a probability in (0, 1)", detect)
	}
	if !(errorRate >= 0 && errorRate <= 1) {
		return nil, fmt.Errorf("error rate %v: want a probability in [0, 1]", errorRate)
	}
	bad, good := Bad(m, errorRate), Healthy(m)
	var out []Search
	for _, s := range strats {
		c := s.Config
		if c.Type != strategies.Canary && c.Type != strategies.Linear {
			continue
		}
		// Each plan is judged over its whole length: the horizon is
		// stretched to its end when it would cut it.
		stop := func(model *sim.Model, cfg strategies.Config) (float64, error) {
			mm := *model
			end := mm.DeployStart + cfg.Plan(mm.Linear).End + time.Minute
			for _, h := range mm.Hooks {
				end += h.Duration
			}
			mm.Horizon = max(mm.Horizon, end)
			e, err := NewEngine(&mm)
			if err != nil {
				return 0, err
			}
			r, err := e.Exact(sim.Strategy{Name: cfg.Name, Config: cfg})
			return r.RollbackProbability, err
		}
		r := Search{Strategy: s.Name, Config: c}
		var err error
		if r.Power, err = stop(bad, c); err != nil {
			return nil, err
		}
		if r.FalseAlarm, err = stop(good, c); err != nil {
			return nil, err
		}
		for k := 1; k <= MaxSearchInterval; k++ {
			cfg := c
			cfg.Interval = k
			cfg.Name = planName(cfg)
			if cfg.Validate() != nil {
				break
			}
			p, err := stop(bad, cfg)
			if err != nil {
				return nil, err
			}
			if p >= detect {
				r.Interval, r.IntervalPower = k, p
				if r.IntervalFalseAlarm, err = stop(good, cfg); err != nil {
					return nil, err
				}
				break
			}
		}
		for pct := 1; pct <= strategies.MaxPercentage; pct++ {
			cfg := c
			cfg.Percentage = pct
			cfg.Name = planName(cfg)
			if cfg.Validate() != nil {
				continue
			}
			p, err := stop(bad, cfg)
			if err != nil {
				return nil, err
			}
			if p >= detect {
				r.Percentage, r.PercentagePower = pct, p
				if r.PercentageFalseAlarm, err = stop(good, cfg); err != nil {
					return nil, err
				}
				break
			}
		}
		out = append(out, r)
	}
	return out, nil
}

// planName names a searched plan as SAM names the predefined ones.
func planName(c strategies.Config) string {
	if c.Type == strategies.Canary {
		return fmt.Sprintf("Canary%dPercent%dMinutes", c.Percentage, c.Interval)
	}
	return fmt.Sprintf("Linear%dPercentEvery%dMinutes", c.Percentage, c.Interval)
}
