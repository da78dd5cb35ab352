package strategies

import (
	"errors"
	"fmt"
	"time"
)

// LinearModel chooses when a linear config's AllowTraffic ends, a point on
// which AWS is inconsistent (docs/codedeploy.md, "The
// schedule"). The weight steps are the same in both models.
type LinearModel uint8

const (
	// EndAfterLastInterval (model A, the default) lets the final increment's
	// interval elapse after the shift to 100 %: AllowTraffic ends at n·I.
	// It matches SAM ("Linear10PercentEvery10Minutes ... will complete traffic
	// shifting in 100 minutes") and the CodeDeploy tutorial
	// (Linear10PercentEvery1Minute: "After 10 minutes, the deployment is complete").
	EndAfterLastInterval LinearModel = iota
	// EndAtLastShift (model B) ends AllowTraffic at the shift to 100 %, (n−1)·I.
	EndAtLastShift
)

func (m LinearModel) String() string {
	switch m {
	case EndAfterLastInterval:
		return "EndAfterLastInterval"
	case EndAtLastShift:
		return "EndAtLastShift"
	}
	return fmt.Sprintf("LinearModel(%d)", uint8(m))
}

// Step is one traffic shift: At after AllowTraffic begins, the target version
// gets Percent % of the alias's traffic. Percent is a float because not every
// plan moves in whole percents (an AppConfig GrowthFactor of 12.5 gives 12.5,
// 25, 50, 100); CodeDeploy's steps are always whole.
type Step struct {
	At      time.Duration
	Percent float64
}

// Plan is the traffic schedule of one AllowTraffic lifecycle event.
type Plan struct {
	Steps []Step        // in time order; the last one is 100 %
	End   time.Duration // when AllowTraffic completes, relative to its start
}

// Plan returns c's schedule (docs/codedeploy.md, "The schedule"):
//   - Canary: Percentage % at 0, 100 % at Interval, end at Interval;
//   - Linear: min(k·p, 100) % at (k−1)·I for k = 1..n, n = ceil(100/p),
//     end at n·I (EndAfterLastInterval) or (n−1)·I (EndAtLastShift);
//   - AllAtOnce: 100 % at 0, end at 0;
//   - AppConfig: DeploymentStrategy.Plan(c.Timing), the bake included;
//   - Argo Rollouts: Rollout.Schedule with nobody promoting (the zero Plan
//     when the rollout would wait for a user).
//   - ECS LINEAR, CANARY, BLUE_GREEN: see ecsPlan, the bake included.
//
// Plan is defined for a valid c only; for an invalid one it returns the zero
// Plan, which Plan.Validate rejects.
func (c Config) Plan(m LinearModel) Plan {
	if c.Validate() != nil {
		return Plan{}
	}
	iv := time.Duration(c.Interval) * time.Minute
	switch c.Type {
	case AppConfig:
		return c.AppConfig.Plan(c.Timing)
	case ArgoCanary, ArgoBlueGreen:
		p, _ := c.Rollout.Schedule(-1)
		return p
	case ECSLinear, ECSCanary, ECSBlueGreen:
		return c.ecsPlan()
	case FlaggerType:
		return c.Flagger.Schedule()
	case Canary:
		return Plan{Steps: []Step{{0, float64(c.Percentage)}, {iv, 100}}, End: iv}
	case Linear:
		n := increments(c.Percentage)
		steps := make([]Step, n)
		for k := 1; k <= n; k++ {
			steps[k-1] = Step{At: time.Duration(k-1) * iv, Percent: float64(min(k*c.Percentage, 100))}
		}
		end := time.Duration(n) * iv
		if m == EndAtLastShift {
			end = steps[n-1].At
		}
		return Plan{Steps: steps, End: end}
	default: // AllAtOnce
		return Plan{Steps: []Step{{0, 100}}, End: 0}
	}
}

// PercentAt returns the target's weight t after AllowTraffic begins: the
// Percent of the last step at or before t, 0 before the first step.
func (p Plan) PercentAt(t time.Duration) float64 {
	pct := 0.0
	for _, s := range p.Steps {
		if s.At > t {
			break
		}
		pct = s.Percent
	}
	return pct
}

// Validate checks what the deploy controller relies on: at least one step,
// times >= 0 and nondecreasing, percents in 1..100 and nondecreasing, the last
// step at 100 %, and End no earlier than the last step.
func (p Plan) Validate() error {
	if len(p.Steps) == 0 {
		return errors.New("Steps: empty (a plan needs at least the shift to 100%)")
	}
	var errs []error
	for i, s := range p.Steps {
		if s.At < 0 {
			errs = append(errs, fmt.Errorf("Steps[%d].At: %v is negative", i, s.At))
		}
		if !(s.Percent > 0 && s.Percent <= 100) {
			errs = append(errs, fmt.Errorf("Steps[%d].Percent: %v is out of range (0, 100]", i, s.Percent))
		}
		if i == 0 {
			continue
		}
		if prev := p.Steps[i-1]; s.At < prev.At {
			errs = append(errs, fmt.Errorf("Steps[%d].At: %v is before the previous step's %v", i, s.At, prev.At))
		} else if s.Percent < prev.Percent {
			errs = append(errs, fmt.Errorf("Steps[%d].Percent: %v is below the previous step's %v", i, s.Percent, prev.Percent))
		}
	}
	last := p.Steps[len(p.Steps)-1]
	if last.Percent != 100 {
		errs = append(errs, fmt.Errorf("Steps[%d].Percent: %v, but the last step must shift to 100", len(p.Steps)-1, last.Percent))
	}
	if p.End < last.At {
		errs = append(errs, fmt.Errorf("End: %v is before the last step at %v", p.End, last.At))
	}
	return errors.Join(errs...)
}

// BakeNote is what the timeline adds to the shift to 100 % of a plan that
// keeps watching its alarms after it: "; final bake: alarms watched for 10
// min" for an AppConfig strategy, "; bake: alarms watched for 15 min" for
// an ECS plan, "" otherwise.
func (c Config) BakeNote() string {
	switch {
	case c.Type == AppConfig && c.AppConfig.FinalBakeTimeInMinutes > 0:
		return fmt.Sprintf("; final bake: alarms watched for %d min", c.AppConfig.FinalBakeTimeInMinutes)
	case c.Type.IsECS() && c.ECS.Bake > 0:
		return fmt.Sprintf("; bake: alarms watched for %d min", c.ECS.Bake)
	}
	return ""
}
