package strategies

import (
	"reflect"
	"testing"
	"time"
)

// steps builds a step list from alternating (seconds, percent) pairs, so the
// expected tables below read as written by hand.
func steps(secPct ...int) []Step {
	var out []Step
	for i := 0; i < len(secPct); i += 2 {
		out = append(out, Step{At: time.Duration(secPct[i]) * time.Second, Percent: float64(secPct[i+1])})
	}
	return out
}

// TestPredefinedPlans checks every predefined config to the second against a
// table written out by hand from docs/codedeploy.md's schedule: canary p% at 0 and
// 100% at I; linear min(k·p,100)% at (k−1)·I; AllAtOnce 100% at 0. endA and
// endB are AllowTraffic's end under EndAfterLastInterval and EndAtLastShift.
func TestPredefinedPlans(t *testing.T) {
	want := map[string]struct {
		steps      []Step
		endA, endB int // seconds
	}{
		"CodeDeployDefault.LambdaCanary10Percent5Minutes":  {steps(0, 10, 300, 100), 300, 300},
		"CodeDeployDefault.LambdaCanary10Percent10Minutes": {steps(0, 10, 600, 100), 600, 600},
		"CodeDeployDefault.LambdaCanary10Percent15Minutes": {steps(0, 10, 900, 100), 900, 900},
		"CodeDeployDefault.LambdaCanary10Percent30Minutes": {steps(0, 10, 1800, 100), 1800, 1800},
		// The CodeDeploy tutorial: "After 10 minutes, the deployment is complete".
		"CodeDeployDefault.LambdaLinear10PercentEvery1Minute": {steps(
			0, 10, 60, 20, 120, 30, 180, 40, 240, 50, 300, 60, 360, 70, 420, 80, 480, 90, 540, 100), 600, 540},
		"CodeDeployDefault.LambdaLinear10PercentEvery2Minutes": {steps(
			0, 10, 120, 20, 240, 30, 360, 40, 480, 50, 600, 60, 720, 70, 840, 80, 960, 90, 1080, 100), 1200, 1080},
		"CodeDeployDefault.LambdaLinear10PercentEvery3Minutes": {steps(
			0, 10, 180, 20, 360, 30, 540, 40, 720, 50, 900, 60, 1080, 70, 1260, 80, 1440, 90, 1620, 100), 1800, 1620},
		// SAM: "will complete traffic shifting in 100 minutes".
		"CodeDeployDefault.LambdaLinear10PercentEvery10Minutes": {steps(
			0, 10, 600, 20, 1200, 30, 1800, 40, 2400, 50, 3000, 60, 3600, 70, 4200, 80, 4800, 90, 5400, 100), 6000, 5400},
		"CodeDeployDefault.LambdaAllAtOnce": {steps(0, 100), 0, 0},
	}
	pre := Predefined()
	if len(pre) != 9 {
		t.Fatalf("Predefined() has %d configs, want 9", len(pre))
	}
	for _, c := range pre {
		w, ok := want[c.Name]
		if !ok {
			t.Errorf("unexpected predefined config %q", c.Name)
			continue
		}
		for _, m := range []LinearModel{EndAfterLastInterval, EndAtLastShift} {
			end := time.Duration(w.endA) * time.Second
			if m == EndAtLastShift {
				end = time.Duration(w.endB) * time.Second
			}
			got := c.Plan(m)
			if !reflect.DeepEqual(got.Steps, w.steps) || got.End != end {
				t.Errorf("%s.Plan(%v) = %v end %v, want %v end %v", c.Name, m, got.Steps, got.End, w.steps, end)
			}
			if err := got.Validate(); err != nil {
				t.Errorf("%s.Plan(%v).Validate() = %v", c.Name, m, err)
			}
		}
	}
}

func TestCustomPlans(t *testing.T) {
	tests := []struct {
		c          Config
		steps      []Step
		endA, endB int
	}{
		// CD-UG:deployment-configurations-create's example: 25 %, the remaining 75 % 45 minutes later.
		{Config{Name: "Canary25Percent45Minutes", Type: Canary, Percentage: 25, Interval: 45}, steps(0, 25, 2700, 100), 2700, 2700},
		{Config{Type: Linear, Percentage: 30, Interval: 2}, steps(0, 30, 120, 60, 240, 90, 360, 100), 480, 360},
		{Config{Type: Linear, Percentage: 33, Interval: 1}, steps(0, 33, 60, 66, 120, 99, 180, 100), 240, 180},
		{Config{Type: Linear, Percentage: 50, Interval: 1}, steps(0, 50, 60, 100), 120, 60},
		{Config{Type: Linear, Percentage: 99, Interval: 1440}, steps(0, 99, 86400, 100), 172800, 86400},
		// CD-UG:applications-create-lambda: at 25 % "the maximum interval value is 2,880 divided by four, or 720".
		{Config{Type: Linear, Percentage: 25, Interval: 720}, steps(0, 25, 43200, 50, 86400, 75, 129600, 100), 172800, 129600},
		{Config{Type: Canary, Percentage: 1, Interval: 2880}, steps(0, 1, 172800, 100), 172800, 172800},
	}
	for _, tt := range tests {
		for _, m := range []LinearModel{EndAfterLastInterval, EndAtLastShift} {
			end := time.Duration(tt.endA) * time.Second
			if m == EndAtLastShift {
				end = time.Duration(tt.endB) * time.Second
			}
			got := tt.c.Plan(m)
			if !reflect.DeepEqual(got.Steps, tt.steps) || got.End != end {
				t.Errorf("%s.Plan(%v) = %v end %v, want %v end %v", tt.c.describe(), m, got.Steps, got.End, tt.steps, end)
			}
		}
	}
}

func TestLinear1PercentHasHundredSteps(t *testing.T) {
	p := Config{Type: Linear, Percentage: 1, Interval: 28}.Plan(EndAfterLastInterval)
	if len(p.Steps) != 100 || p.Steps[99] != (Step{99 * 28 * time.Minute, 100}) || p.End != 2800*time.Minute {
		t.Errorf("linear 1%%/28min: %d steps, last %v, end %v", len(p.Steps), p.Steps[len(p.Steps)-1], p.End)
	}
}

func TestPlanOfInvalidConfigIsRejected(t *testing.T) {
	p := Config{Type: Linear, Percentage: 0, Interval: 1}.Plan(EndAfterLastInterval)
	if p.Steps != nil || p.Validate() == nil {
		t.Errorf("Plan of an invalid config = %+v, want the zero Plan that fails Validate", p)
	}
}

func TestPercentAt(t *testing.T) {
	p := Plan{Steps: steps(0, 10, 60, 20, 120, 100), End: 180 * time.Second}
	for _, tt := range []struct {
		sec  float64
		want float64
	}{{-1, 0}, {0, 10}, {59.999, 10}, {60, 20}, {119, 20}, {120, 100}, {180, 100}, {1e6, 100}} {
		if got := p.PercentAt(time.Duration(tt.sec * float64(time.Second))); got != tt.want {
			t.Errorf("PercentAt(%vs) = %v, want %v", tt.sec, got, tt.want)
		}
	}
	if got := (Plan{}).PercentAt(time.Hour); got != 0 {
		t.Errorf("empty plan PercentAt = %v, want 0", got)
	}
}

func TestPlanValidate(t *testing.T) {
	tests := []struct {
		p    Plan
		want string
	}{
		{Plan{}, "Steps: empty (a plan needs at least the shift to 100%)"},
		{Plan{Steps: steps(0, 50)}, "Steps[0].Percent: 50, but the last step must shift to 100"},
		{Plan{Steps: steps(-1, 100)}, "Steps[0].At: -1s is negative"},
		{Plan{Steps: steps(0, 20, 60, 10, 120, 100), End: 120 * time.Second}, "Steps[1].Percent: 10 is below the previous step's 20"},
		{Plan{Steps: steps(60, 20, 0, 100), End: 60 * time.Second}, "Steps[1].At: 0s is before the previous step's 1m0s"},
		{Plan{Steps: steps(0, 0, 60, 101), End: time.Minute}, "Steps[0].Percent: 0 is out of range (0, 100]\nSteps[1].Percent: 101 is out of range (0, 100]\nSteps[1].Percent: 101, but the last step must shift to 100"},
		{Plan{Steps: steps(0, 10, 60, 100), End: time.Second}, "End: 1s is before the last step at 1m0s"},
	}
	for _, tt := range tests {
		err := tt.p.Validate()
		if err == nil || err.Error() != tt.want {
			t.Errorf("%+v.Validate() = %v, want %q", tt.p, err, tt.want)
		}
	}
}
