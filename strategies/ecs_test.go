package strategies

import (
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

func ptr[T any](v T) *T { return &v }

func ecs(strategy string, lin *ECSLinearConfiguration, can *ECSCanaryConfiguration, bake *int) ECSService {
	return ECSService{DeploymentConfiguration: &ECSDeploymentConfiguration{Strategy: strategy, LinearConfiguration: lin, CanaryConfiguration: can, BakeTimeInMinutes: bake}}
}

// The schedules follow from ECS's rules in closed form (docs/plans.md).
func TestECSPlanClosedForm(t *testing.T) {
	m := func(n int) time.Duration { return time.Duration(n) * time.Minute }
	for _, c := range []struct {
		name     string
		in       ECSService
		percents []float64
		every    time.Duration // between shifts (LINEAR)
		full     time.Duration // time of the shift to 100 %
		end      time.Duration
		gen      string
	}{
		// LINEAR with ECS's defaults (10 %, 6 min): 10 shifts, 9 step bakes → 100 % at 54 min, then the bake.
		{"linear defaults", ecs("LINEAR", nil, nil, ptr(30)),
			[]float64{10, 20, 30, 40, 50, 60, 70, 80, 90, 100}, m(6), m(54), m(84), "ECS.Linear10PercentEvery6MinutesBake30Minutes"},
		// p = 11 does not divide 100: 11, 22, …, 99, then the rest; 9 step bakes (CloudFormation's floor(100/11)).
		{"linear 11", ecs("LINEAR", &ECSLinearConfiguration{StepPercent: ptr(11.0), StepBakeTimeInMinutes: ptr(5)}, nil, ptr(0)),
			[]float64{11, 22, 33, 44, 55, 66, 77, 88, 99, 100}, m(5), m(45), m(45), "ECS.Linear11PercentEvery5MinutesBake0Minutes"},
		// 0.1-steps stay exact: 33.3, 66.6, 99.9, 100.
		{"linear 33.3", ecs("LINEAR", &ECSLinearConfiguration{StepPercent: ptr(33.3), StepBakeTimeInMinutes: ptr(1)}, nil, ptr(2)),
			[]float64{33.3, 66.6, 99.9, 100}, m(1), m(3), m(5), "ECS.Linear33.3PercentEvery1MinuteBake2Minutes"},
		{"linear 100", ecs("LINEAR", &ECSLinearConfiguration{StepPercent: ptr(100.0)}, nil, ptr(10)),
			[]float64{100}, 0, 0, m(10), "ECS.Linear100PercentEvery6MinutesBake10Minutes"},
		// CANARY with ECS's defaults: 5 % for 10 minutes, then 100 %, then the bake.
		{"canary defaults", ecs("CANARY", nil, nil, ptr(15)),
			[]float64{5, 100}, m(10), m(10), m(25), "ECS.Canary5Percent10MinutesBake15Minutes"},
		{"canary 0.1", ecs("CANARY", nil, &ECSCanaryConfiguration{CanaryPercent: ptr(0.1), CanaryBakeTimeInMinutes: ptr(1)}, ptr(1)),
			[]float64{0.1, 100}, m(1), m(1), m(2), "ECS.Canary0.1Percent1MinuteBake1Minute"},
		{"canary 100", ecs("CANARY", nil, &ECSCanaryConfiguration{CanaryPercent: ptr(100.0)}, ptr(3)),
			[]float64{100}, 0, 0, m(3), "ECS.Canary100Percent10MinutesBake3Minutes"},
		{"blue/green", ecs("BLUE_GREEN", nil, nil, ptr(20)),
			[]float64{100}, 0, 0, m(20), "ECS.BlueGreenBake20Minutes"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := FromECS(c.in)
			if err != nil {
				t.Fatal(err)
			}
			p := cfg.Plan(EndAfterLastInterval)
			if err := p.Validate(); err != nil {
				t.Fatal(err)
			}
			var got []float64
			for i, s := range p.Steps {
				got = append(got, s.Percent)
				if want := time.Duration(i) * c.every; s.At != want {
					t.Errorf("step %d at %v, want %v", i, s.At, want)
				}
			}
			if !reflect.DeepEqual(got, c.percents) {
				t.Errorf("percents %v, want %v", got, c.percents)
			}
			if full := p.Steps[len(p.Steps)-1].At; full != c.full || p.End != c.end {
				t.Errorf("100%% at %v, end %v; want %v, %v", full, p.End, c.full, c.end)
			}
			if cfg.Name != c.gen {
				t.Errorf("name %q, want %q", cfg.Name, c.gen)
			}
			back, ok := ParseECSName(cfg.Name)
			if !ok || !reflect.DeepEqual(back, cfg) {
				t.Errorf("ParseECSName(%q) = %+v, %v; want %+v", cfg.Name, back, ok, cfg)
			}
			if r, err := Resolve(cfg.Name); err != nil || !reflect.DeepEqual(r, cfg) {
				t.Errorf("Resolve(%q) = %+v, %v", cfg.Name, r, err)
			}
			if cfg.LifecycleHooks() || cfg.Family() != "ECS" {
				t.Errorf("family %s, hooks %v", cfg.Family(), cfg.LifecycleHooks())
			}
		})
	}
}

// A BLUE_GREEN test-traffic phase keeps production on the current version
// for its length; the shift to 100 % and the bake follow.
func TestECSBlueGreenTestTraffic(t *testing.T) {
	in := ecs("BLUE_GREEN", nil, nil, ptr(15))
	in.TestTrafficTimeInMinutes = ptr(5)
	c, err := FromECS(in)
	if err != nil {
		t.Fatal(err)
	}
	p := c.Plan(EndAfterLastInterval)
	want := Plan{Steps: []Step{{5 * time.Minute, 100}}, End: 20 * time.Minute}
	if !reflect.DeepEqual(p, want) {
		t.Errorf("plan %+v, want %+v", p, want)
	}
	if p.PercentAt(4*time.Minute+59*time.Second) != 0 || p.PercentAt(5*time.Minute) != 100 {
		t.Error("production moves before the test traffic ends")
	}
	if c.Name != "ECS.BlueGreenTest5MinutesBake15Minutes" {
		t.Errorf("name %q", c.Name)
	}
}

// Every refusal names the ECS field and what it accepts.
func TestECSErrors(t *testing.T) {
	for _, c := range []struct {
		in   ECSService
		want []string
	}{
		{ECSService{}, []string{"deploymentConfiguration: missing"}},
		{ecs("", nil, nil, ptr(1)), []string{"deploymentConfiguration.strategy: missing"}},
		{ecs("ROLLING", nil, nil, ptr(1)), []string{"ROLLING replaces tasks"}},
		{ecs("linear", nil, nil, ptr(1)), []string{`"linear" is not an ECS deployment strategy (did you mean LINEAR?)`}},
		{ecs("blue-green", nil, nil, ptr(1)), []string{"did you mean BLUE_GREEN?"}},
		{ecs("LINEAR", nil, nil, nil), []string{"deploymentConfiguration.bakeTimeInMinutes: missing (required"}},
		{ecs("LINEAR", nil, &ECSCanaryConfiguration{}, ptr(1)), []string{"deploymentConfiguration.canaryConfiguration: must be absent for strategy LINEAR"}},
		{ecs("BLUE_GREEN", &ECSLinearConfiguration{}, nil, ptr(1)), []string{"deploymentConfiguration.linearConfiguration: must be absent"}},
		{ecs("LINEAR", &ECSLinearConfiguration{StepPercent: ptr(2.9)}, nil, ptr(1)),
			[]string{"deploymentConfiguration.linearConfiguration.stepPercent: 2.9 is below the minimum 3: want 3 to 100"}},
		{ecs("LINEAR", &ECSLinearConfiguration{StepPercent: ptr(10.05)}, nil, ptr(1)),
			[]string{"deploymentConfiguration.linearConfiguration.stepPercent: 10.05 is not a multiple of 0.1"}},
		{ecs("LINEAR", &ECSLinearConfiguration{StepBakeTimeInMinutes: ptr(1441)}, nil, ptr(1)),
			[]string{"deploymentConfiguration.linearConfiguration.stepBakeTimeInMinutes: 1441 is above the maximum 1440: want 0 to 1440"}},
		{ecs("LINEAR", &ECSLinearConfiguration{StepBakeTimeInMinutes: ptr(-1)}, nil, ptr(1441)),
			[]string{"stepBakeTimeInMinutes: -1 is below", "deploymentConfiguration.bakeTimeInMinutes: 1441 is above the maximum 1440"}},
		{ecs("CANARY", nil, &ECSCanaryConfiguration{CanaryPercent: ptr(0.0)}, ptr(1)),
			[]string{"deploymentConfiguration.canaryConfiguration.canaryPercent: 0 is below the minimum 0.1: want 0.1 to 100"}},
		{ecs("CANARY", nil, &ECSCanaryConfiguration{CanaryPercent: ptr(100.1)}, ptr(1)), []string{"canaryPercent: 100.1 is above the maximum 100"}},
		{ecs("CANARY", nil, &ECSCanaryConfiguration{CanaryBakeTimeInMinutes: ptr(1440)}, ptr(541)),
			[]string{"541 + canaryBakeTimeInMinutes 1440 = 1981 minutes exceeds CloudFormation's limit of 33 hours (1980 minutes"}},
		// 10 % with 220-minute step bakes: 9 × 220 = 1980 fits with no bake, not with 1.
		{ecs("LINEAR", &ECSLinearConfiguration{StepBakeTimeInMinutes: ptr(220)}, nil, ptr(1)),
			[]string{"1 + stepBakeTimeInMinutes 220 × 9 step bakes = 1981 minutes exceeds CloudFormation's limit of 33 hours"}},
		{ECSService{Name: "ECS.Canary5Percent10MinutesBake10Minutes", DeploymentConfiguration: &ECSDeploymentConfiguration{Strategy: "CANARY", BakeTimeInMinutes: ptr(11)}},
			[]string{"name: ECS.Canary5Percent10MinutesBake10Minutes reads as a plan's parameters", "name it ECS.Canary5Percent10MinutesBake11Minutes"}},
		{ECSService{TestTrafficTimeInMinutes: ptr(5), DeploymentConfiguration: &ECSDeploymentConfiguration{Strategy: "CANARY", BakeTimeInMinutes: ptr(1)}},
			[]string{"testTrafficTimeInMinutes: only a BLUE_GREEN deployment has a test-traffic phase, not CANARY"}},
		{ECSService{TestTrafficTimeInMinutes: ptr(1441), DeploymentConfiguration: &ECSDeploymentConfiguration{Strategy: "BLUE_GREEN", BakeTimeInMinutes: ptr(1)}},
			[]string{"testTrafficTimeInMinutes: 1441 is above the maximum 1440"}},
	} {
		_, err := FromECS(c.in)
		if err == nil {
			t.Errorf("%+v: accepted", c.want)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("error %q\nlacks %q", err, w)
			}
		}
	}
	// The boundaries themselves are accepted.
	for _, in := range []ECSService{
		ecs("LINEAR", &ECSLinearConfiguration{StepPercent: ptr(3.0), StepBakeTimeInMinutes: ptr(0)}, nil, ptr(0)),
		ecs("LINEAR", &ECSLinearConfiguration{StepBakeTimeInMinutes: ptr(220)}, nil, ptr(0)),
		ecs("CANARY", nil, &ECSCanaryConfiguration{CanaryBakeTimeInMinutes: ptr(1440)}, ptr(540)),
		ecs("BLUE_GREEN", nil, nil, ptr(1440)),
	} {
		if _, err := FromECS(in); err != nil {
			t.Errorf("%+v: %v", in.DeploymentConfiguration, err)
		}
	}
}

func TestParseECSNameRefuses(t *testing.T) {
	for _, n := range []string{"ECS.", "ECS.Linear", "ECS.Linear10PercentEvery6Minutes", "ECS.Linear2PercentEvery6MinutesBake1Minute",
		"ECS.Linear10PercentEvery6MinutesBake1Minutes", "ECS.Canary5Percent10MinutesBake10Minutesx", "ECS.BlueGreenTest0MinutesBake1Minute",
		"ECS.Linear10.0PercentEvery6MinutesBake10Minutes", "ECS.Linear1e1PercentEvery6MinutesBake10Minutes", "ECS.BlueGreenBake1441Minutes"} {
		if c, ok := ParseECSName(n); ok {
			t.Errorf("ParseECSName(%q) = %+v", n, c)
		}
	}
}

// FuzzFromECS: any ECS input is refused with a message naming a field, or
// gives a valid plan whose shape is ECS's: shifts of the step percent with
// step bakes between them, 100 % last, End the deployment bake after it,
// within CloudFormation's 33 hours; its generated name reads back to it.
func FuzzFromECS(f *testing.F) {
	f.Add("", "LINEAR", true, 10.0, 6, false, 0.0, 0, true, 30, false, 0)
	f.Add("x", "LINEAR", true, 11.0, 5, false, 0.0, 0, true, 0, false, 0)
	f.Add("", "CANARY", false, 0.0, 0, true, 0.1, 1440, true, 540, false, 0)
	f.Add("", "BLUE_GREEN", false, 0.0, 0, false, 0.0, 0, true, 10, true, 5)
	f.Add("ECS.BlueGreenBake10Minutes", "BLUE_GREEN", false, 0.0, 0, false, 0.0, 0, true, 10, false, 0)
	f.Fuzz(func(t *testing.T, name, strategy string, lin bool, step float64, stepBake int, can bool, cpct float64, cbake int, hasBake bool, bake int, hasTest bool, test int) {
		d := &ECSDeploymentConfiguration{Strategy: strategy}
		if lin {
			d.LinearConfiguration = &ECSLinearConfiguration{StepPercent: &step, StepBakeTimeInMinutes: &stepBake}
		}
		if can {
			d.CanaryConfiguration = &ECSCanaryConfiguration{CanaryPercent: &cpct, CanaryBakeTimeInMinutes: &cbake}
		}
		if hasBake {
			d.BakeTimeInMinutes = &bake
		}
		in := ECSService{Name: name, DeploymentConfiguration: d}
		if hasTest {
			in.TestTrafficTimeInMinutes = &test
		}
		c, err := FromECS(in)
		if err != nil {
			msg := err.Error()
			if i := strings.Index(msg, ": "); i <= 0 || strings.Contains(msg[:i], " ") {
				t.Fatalf("error names no field: %q", msg)
			}
			return
		}
		p := c.Plan(EndAfterLastInterval)
		if err := p.Validate(); err != nil {
			t.Fatalf("%+v: %v", c, err)
		}
		last := p.Steps[len(p.Steps)-1]
		if p.End != last.At+time.Duration(c.ECS.Bake)*time.Minute || p.End > 33*time.Hour+24*time.Hour {
			t.Fatalf("%+v: end %v after %v", c, p.End, last.At)
		}
		for i := 1; i < len(p.Steps); i++ {
			if gap := p.Steps[i].At - p.Steps[i-1].At; gap != time.Duration(c.ECS.StepBake)*time.Minute {
				t.Fatalf("%+v: step %d after %v", c, i, gap)
			}
			if i < len(p.Steps)-1 && p.Steps[i].Percent-p.Steps[i-1].Percent != p.Steps[0].Percent && math.Abs(p.Steps[i].Percent-p.Steps[i-1].Percent-p.Steps[0].Percent) > 1e-9 {
				t.Fatalf("%+v: uneven shift %v", c, p.Steps)
			}
		}
		if c.Type != ECSBlueGreen && last.At > 33*time.Hour {
			t.Fatalf("%+v: beyond CloudFormation's 33 h", c)
		}
		if back, err := FromECS(c.ECSService()); err != nil || !reflect.DeepEqual(back, c) {
			t.Fatalf("%+v: written back and read again: %+v, %v", c, back, err)
		}
		if back, ok := ParseECSName(GeneratedName(c)); !ok || back.ECS != c.ECS || back.Type != c.Type {
			t.Fatalf("%q does not read back: %+v", GeneratedName(c), back)
		}
	})
}
