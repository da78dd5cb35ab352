package strategies

import (
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestPredefinedAppConfigPlans checks AppConfig's four predefined strategies
// to the second against tables written out by hand from docs/plans.md: the
// CDK's parameters, S = ceil(100/G) linear or 1 + ceil(log2(100/G))
// exponential steps, step k at k·D/S (default) or (k−1)·D/S, End = the step to
// 100 % plus FinalBakeTimeInMinutes.
func TestPredefinedAppConfigPlans(t *testing.T) {
	want := map[string]struct {
		atEnd, atStart []Step
		bake           int // seconds
	}{
		// The contract: 10, 20, 40, 80, 100 %.
		"AppConfig.Canary10Percent20Minutes": {
			steps(240, 10, 480, 20, 720, 40, 960, 80, 1200, 100),
			steps(0, 10, 240, 20, 480, 40, 720, 80, 960, 100), 600},
		// "5 steps 6 min apart" under either reading.
		"AppConfig.Linear20PercentEvery6Minutes": {
			steps(360, 20, 720, 40, 1080, 60, 1440, 80, 1800, 100),
			steps(0, 20, 360, 40, 720, 60, 1080, 80, 1440, 100), 1800},
		"AppConfig.AllAtOnce":                     {steps(0, 100), steps(0, 100), 600},
		"AppConfig.Linear50PercentEvery30Seconds": {steps(30, 50, 60, 100), steps(0, 50, 30, 100), 60},
	}
	pre := PredefinedAppConfig()
	if len(pre) != len(want) {
		t.Fatalf("PredefinedAppConfig() has %d strategies, want %d", len(pre), len(want))
	}
	for _, c := range pre {
		w, ok := want[c.Name]
		if !ok {
			t.Errorf("unexpected predefined strategy %q", c.Name)
			continue
		}
		if err := c.Validate(); err != nil {
			t.Errorf("%s.Validate() = %v", c.Name, err)
		}
		for timing, ws := range map[StepTiming][]Step{StepAtIntervalEnd: w.atEnd, StepAtIntervalStart: w.atStart} {
			c.Timing = timing
			p := c.Plan(EndAfterLastInterval)
			end := ws[len(ws)-1].At + time.Duration(w.bake)*time.Second
			if !reflect.DeepEqual(p.Steps, ws) || p.End != end {
				t.Errorf("%s (%v) = %v end %v, want %v end %v", c.Name, timing, p.Steps, p.End, ws, end)
			}
			if err := p.Validate(); err != nil {
				t.Errorf("%s (%v).Validate() = %v", c.Name, timing, err)
			}
		}
		got, err := Resolve(c.Name)
		if err != nil || got != c.withTiming(StepAtIntervalEnd) {
			t.Errorf("Resolve(%q) = %+v, %v", c.Name, got, err)
		}
	}
}

func (c Config) withTiming(t StepTiming) Config { c.Timing = t; return c }

// TestAppConfigClosedForms holds every GrowthFactor on a grid, linear and
// exponential, to the closed forms of docs/plans.md: the step count, the
// exposure of each step, the time of each step and of the full shift, and the
// end of the bake.
func TestAppConfigClosedForms(t *testing.T) {
	for _, g := range []float64{1, 1.5, 2, 3, 7, 10, 12.5, 20, 25, 33.3, 33.333, 40, 50, 60, 99, 99.9, 100} {
		for _, d := range []int{0, 1, 7, 20, 1440} {
			for _, gt := range []GrowthType{"", GrowthLinear, GrowthExponential} {
				s := DeploymentStrategy{GrowthType: gt, GrowthFactor: g, DeploymentDurationInMinutes: d, FinalBakeTimeInMinutes: 13}
				if err := s.Validate(); err != nil {
					t.Fatalf("%+v: %v", s, err)
				}
				var n int
				if gt == GrowthExponential {
					n = 1 + int(math.Ceil(math.Log2(100/g)-1e-12))
				} else {
					n = int(math.Ceil(100/g - 1e-9))
				}
				for _, timing := range []StepTiming{StepAtIntervalEnd, StepAtIntervalStart} {
					p := FromDeploymentStrategy(s).withTiming(timing).Plan(EndAfterLastInterval)
					if len(p.Steps) != n {
						t.Fatalf("%s %v: %d steps, want %d: %v", s.describe(), timing, len(p.Steps), n, p.Steps)
					}
					D := float64(d) * 60
					for i, st := range p.Steps {
						k := float64(i + 1)
						want := math.Min(k*g, 100)
						if gt == GrowthExponential {
							want = math.Min(g*math.Pow(2, k-1), 100)
						}
						if math.Abs(st.Percent-want) > 1e-9 {
							t.Errorf("%s: step %d exposes %v%%, want %v%%", s.describe(), i+1, st.Percent, want)
						}
						at := k * D / float64(n)
						if timing == StepAtIntervalStart {
							at = (k - 1) * D / float64(n)
						}
						if math.Abs(st.At.Seconds()-at) > 1e-9 {
							t.Errorf("%s %v: step %d at %v, want %vs", s.describe(), timing, i+1, st.At, at)
						}
					}
					full := D
					if timing == StepAtIntervalStart {
						full = D * float64(n-1) / float64(n)
					}
					last := p.Steps[n-1]
					if last.Percent != 100 || math.Abs(last.At.Seconds()-full) > 1e-9 || p.End != last.At+13*time.Minute {
						t.Errorf("%s %v: full shift %v at %v, end %v; want 100%% at %vs, end +13m", s.describe(), timing, last.Percent, last.At, p.End, full)
					}
				}
			}
		}
	}
}

func TestAppConfigValidate(t *testing.T) {
	tests := []struct {
		s    DeploymentStrategy
		want string
	}{
		{DeploymentStrategy{GrowthFactor: 0.5}, "GrowthFactor: 0.5 is out of range 1..100 (percent of targets per step)"},
		{DeploymentStrategy{GrowthFactor: 101}, "GrowthFactor: 101 is out of range 1..100 (percent of targets per step)"},
		{DeploymentStrategy{GrowthFactor: math.NaN()}, "GrowthFactor: NaN is out of range 1..100 (percent of targets per step)"},
		{DeploymentStrategy{GrowthType: "exponential", GrowthFactor: 10}, `GrowthType: "exponential" is not an AppConfig growth type (did you mean EXPONENTIAL?)`},
		{DeploymentStrategy{GrowthType: "STEP", GrowthFactor: 10}, `GrowthType: "STEP" is not an AppConfig growth type (want LINEAR or EXPONENTIAL)`},
		{DeploymentStrategy{GrowthFactor: 10, DeploymentDurationInMinutes: 1441}, "DeploymentDurationInMinutes: 1441 is out of range 0..1440"},
		{DeploymentStrategy{GrowthFactor: 10, FinalBakeTimeInMinutes: -1}, "FinalBakeTimeInMinutes: -1 is out of range 0..1440"},
		{DeploymentStrategy{Name: strings.Repeat("x", 65), GrowthFactor: 10}, "Name: 65 characters exceeds AppConfig's limit of 64"},
		{DeploymentStrategy{Name: "AppConfig.Fast", GrowthFactor: 10}, "Name: the prefix AppConfig. is reserved for AppConfig's predefined strategies, and AppConfig.Fast is not one"},
		{DeploymentStrategy{Name: "AppConfig.AllAtOnce", GrowthFactor: 100}, "Name: AppConfig.AllAtOnce is predefined as AppConfig LINEAR 100% over 0 min, bake 10 min, not AppConfig LINEAR 100% over 0 min, bake 0 min"},
	}
	for _, tt := range tests {
		err := tt.s.Validate()
		if err == nil || err.Error() != tt.want {
			t.Errorf("%+v.Validate() = %v, want %q", tt.s, err, tt.want)
		}
		if FromDeploymentStrategy(tt.s).Validate() == nil {
			t.Errorf("Config of %+v validates", tt.s)
		}
	}
}

func TestResolve(t *testing.T) {
	if c, err := Resolve("Canary10Percent5Minutes"); err != nil || c.Type != Canary {
		t.Errorf("Resolve of a CodeDeploy name = %+v, %v", c, err)
	}
	for name, want := range map[string]string{
		"AppConfig.Canary10Percent20Minute": `unknown AppConfig predefined deployment strategy "AppConfig.Canary10Percent20Minute" (did you mean AppConfig.Canary10Percent20Minutes?)`,
		"AppConfig.Nope":                    `unknown AppConfig predefined deployment strategy "AppConfig.Nope" (want one of AppConfig.Linear20PercentEvery6Minutes, AppConfig.Canary10Percent20Minutes, AppConfig.AllAtOnce or AppConfig.Linear50PercentEvery30Seconds)`,
		"Canary10Percent20Minutes":          `unknown Lambda deployment configuration "Canary10Percent20Minutes" (did you mean AppConfig.Canary10Percent20Minutes, Canary10Percent10Minutes or Canary10Percent30Minutes?)`,
	} {
		if _, err := Resolve(name); err == nil || err.Error() != want {
			t.Errorf("Resolve(%q) = %v, want %q", name, err, want)
		}
	}
	// Lookup stays CodeDeploy's: SAM must not take an AppConfig name.
	if _, err := Lookup("AppConfig.AllAtOnce"); err == nil {
		t.Error("Lookup accepts an AppConfig strategy")
	}
	// A CodeDeploy config cannot smuggle the AppConfig type in.
	_, err := FromDeploymentConfig(DeploymentConfig{TrafficRoutingConfig: &TrafficRoutingConfig{Type: "AppConfig"}})
	if err == nil || !strings.Contains(err.Error(), "is not a CodeDeploy traffic routing type") {
		t.Errorf("FromDeploymentConfig with Type AppConfig: %v", err)
	}
}

func TestAppConfigFractionalSteps(t *testing.T) {
	p := FromDeploymentStrategy(DeploymentStrategy{GrowthFactor: 33.3, DeploymentDurationInMinutes: 4}).Plan(EndAfterLastInterval)
	if want := steps(60, 0, 120, 0, 180, 0, 240, 100); len(p.Steps) != 4 || p.Steps[3] != want[3] ||
		p.Steps[0].Percent != 33.3 || p.Steps[1].Percent != 66.6 || p.Steps[2].Percent != 99.9 {
		t.Errorf("33.3%% linear over 4 min: %v", p.Steps)
	}
	p = FromDeploymentStrategy(DeploymentStrategy{GrowthType: GrowthExponential, GrowthFactor: 12.5, DeploymentDurationInMinutes: 8}).Plan(EndAfterLastInterval)
	if !reflect.DeepEqual(p.Steps, []Step{{2 * time.Minute, 12.5}, {4 * time.Minute, 25}, {6 * time.Minute, 50}, {8 * time.Minute, 100}}) {
		t.Errorf("12.5%% exponential over 8 min: %v", p.Steps)
	}
}

// FuzzDeploymentStrategy checks that every strategy either fails Validate or
// gives a valid plan under both timings: nondecreasing, last step 100 % by
// the duration, End the final bake after it.
func FuzzDeploymentStrategy(f *testing.F) {
	for _, s := range predefinedAppConfig {
		f.Add(s.Name, string(s.GrowthType), s.GrowthFactor, s.DeploymentDurationInMinutes, s.FinalBakeTimeInMinutes)
	}
	f.Add("", "EXPONENTIAL", 1.0, 1440, 1440)
	f.Fuzz(func(t *testing.T, name, growth string, g float64, d, bake int) {
		s := DeploymentStrategy{Name: name, GrowthType: GrowthType(growth), GrowthFactor: g, DeploymentDurationInMinutes: d, FinalBakeTimeInMinutes: bake}
		c := FromDeploymentStrategy(s)
		if err := c.Validate(); err != nil {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		for _, timing := range []StepTiming{StepAtIntervalEnd, StepAtIntervalStart} {
			c.Timing = timing
			p := c.Plan(EndAfterLastInterval)
			if err := p.Validate(); err != nil {
				t.Fatalf("%+v %v: %v", s, timing, err)
			}
			last := p.Steps[len(p.Steps)-1]
			if last.At > time.Duration(d)*time.Minute || p.End != last.At+time.Duration(bake)*time.Minute || len(p.Steps) > 100 {
				t.Fatalf("%+v %v: %v end %v", s, timing, p.Steps, p.End)
			}
		}
		if _, err := Resolve(name); err != nil && err.Error() == "" {
			t.Fatal("empty Resolve error")
		}
	})
}
