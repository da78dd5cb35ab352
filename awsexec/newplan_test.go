package awsexec

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shiftsim/shiftsim/strategies"
)

func TestNewPlan(t *testing.T) {
	canary, _ := strategies.Lookup("Canary10Percent5Minutes")
	spec := Spec{Function: "orders", Alias: "live", Current: "1", Target: "2", Strategy: "Canary10Percent5Minutes", Config: canary,
		Alarms: []string{"orders-errors"}, BeforeHook: "CodeDeployHook_pre", AutoRollback: true}

	// No application or group anywhere: the alias executor, the scenario's names.
	p, notes, err := NewPlan(spec, Overrides{Executor: "auto"})
	if err != nil || len(notes) > 0 || p.Executor != ExecAlias || p.Function != "orders" || p.Target != "2" || p.BeforeHook != "CodeDeployHook_pre" ||
		len(p.Schedule.Steps) != 2 || p.Schedule.Steps[0].Percent != 10 {
		t.Fatalf("%+v %v %v", p, notes, err)
	}
	// The scenario's application and group choose the codedeploy executor; flags win over the scenario.
	withGroup := spec
	withGroup.Application, withGroup.DeploymentGroup = "shop", "orders-dg"
	p, _, err = NewPlan(withGroup, Overrides{Function: "orders-blue", Target: "3", DeploymentGroup: "blue-dg"})
	if err != nil || p.Executor != ExecCodeDeploy || p.Function != "orders-blue" || p.Target != "3" || p.Application != "shop" || p.DeploymentGroup != "blue-dg" {
		t.Fatalf("%+v %v", p, err)
	}
	// codedeploy without the group: a dry run shows placeholders, a real run refuses.
	p, notes, err = NewPlan(spec, Overrides{Executor: ExecCodeDeploy, DryRun: true})
	if err != nil || p.Application != PlaceholderApplication || p.DeploymentGroup != PlaceholderDeploymentGroup || len(notes) != 1 {
		t.Fatalf("%+v %v %v", p, notes, err)
	}
	if _, _, err := NewPlan(spec, Overrides{Executor: ExecCodeDeploy}); err == nil || !strings.Contains(err.Error(), "needs --application and --deployment-group") {
		t.Errorf("real run without a group: %v", err)
	}
	// What Validate refuses, NewPlan refuses.
	if _, _, err := NewPlan(spec, Overrides{Target: "$LATEST"}); err == nil || !strings.Contains(err.Error(), "$LATEST") {
		t.Errorf("$LATEST: %v", err)
	}
	if _, _, err := NewPlan(spec, Overrides{Executor: "lambda"}); err == nil || !strings.Contains(err.Error(), `executor "lambda"`) {
		t.Errorf("unknown executor: %v", err)
	}
}

func TestDeploymentConfigName(t *testing.T) {
	for _, tt := range []struct {
		c    strategies.Config
		want string
	}{
		{strategies.Config{Name: "Canary10Percent5Minutes", Type: strategies.Canary, Percentage: 10, Interval: 5}, "CodeDeployDefault.LambdaCanary10Percent5Minutes"},
		{strategies.Config{Type: strategies.Canary, Percentage: 10, Interval: 5}, "CodeDeployDefault.LambdaCanary10Percent5Minutes"},
		{strategies.Config{Name: "Mine", Type: strategies.Canary, Percentage: 10, Interval: 5}, "Mine"},
		{strategies.Config{Type: strategies.Linear, Percentage: 20, Interval: 1}, "shiftsim-Linear20PercentEvery1Minute"},
	} {
		if got := (Plan{Config: tt.c}).DeploymentConfigName(); got != tt.want {
			t.Errorf("%+v: %s, want %s", tt.c, got, tt.want)
		}
	}
}

// TestNewPlanNotCodeDeploy: a plan CodeDeploy cannot run (an AppConfig
// strategy) goes to the alias executor, even where a CodeDeploy group is
// known; asked of the codedeploy executor it is refused; its hooks (it has
// none, as in the simulator) are dropped with a note.
func TestNewPlanNotCodeDeploy(t *testing.T) {
	ac, err := strategies.Resolve("AppConfig.Canary10Percent20Minutes")
	if err != nil {
		t.Fatal(err)
	}
	spec := Spec{Function: "orders", Alias: "live", Current: "1", Target: "2", Strategy: ac.Name, Config: ac,
		Alarms: []string{"orders-errors"}, BeforeHook: "CodeDeployHook_pre", AutoRollback: true, Application: "shop", DeploymentGroup: "dg"}
	p, notes, err := NewPlan(spec, Overrides{})
	if err != nil || p.Executor != ExecAlias || p.BeforeHook != "" || len(notes) != 2 ||
		!strings.Contains(notes[0], "CodeDeploy cannot run") || !strings.Contains(notes[1], "CodeDeployHook_pre are not invoked") {
		t.Fatalf("%+v %q %v", p, notes, err)
	}
	if got := p.DeploymentConfigName(); got != "AppConfig.Canary10Percent20Minutes" || p.CustomConfig() {
		t.Errorf("config name %s custom %v", got, p.CustomConfig())
	}
	var pcts []float64
	for _, s := range p.Schedule.Steps {
		pcts = append(pcts, s.Percent)
	}
	if fmt.Sprint(pcts) != "[10 20 40 80 100]" || p.Schedule.End != 30*time.Minute {
		t.Errorf("schedule %v end %v", pcts, p.Schedule.End)
	}
	if _, _, err := NewPlan(spec, Overrides{Executor: ExecCodeDeploy}); err == nil || !strings.Contains(err.Error(), "CodeDeploy cannot run it") {
		t.Errorf("codedeploy executor: %v", err)
	}
	p.BeforeHook = "pre"
	if err := p.Validate(); err == nil || !strings.Contains(err.Error(), "no lifecycle hooks") {
		t.Errorf("hooks on an AppConfig plan: %v", err)
	}
}

// TestWeight: the weight sent is the double nearest to the decimal pct/100.
func TestWeight(t *testing.T) {
	for _, tt := range []struct{ pct, want float64 }{
		{10, 0.1}, {12.5, 0.125}, {33.3, 0.333}, {7, 0.07}, {0.5, 0.005}, {99.9, 0.999}, {1e-7, 1e-9},
	} {
		if got := Weight(tt.pct); got != tt.want {
			t.Errorf("Weight(%v) = %v, want %v", tt.pct, got, tt.want)
		}
	}
	if pct := 33.3; pct/100 == 0.333 { // why Weight does not just divide
		t.Errorf("33.3/100 is 0.333 in float64: Weight's decimal shift is not needed")
	}
	p := Plan{Current: "1", Target: "2"}
	for _, pct := range []float64{7, 12.5, 33.3, 99.9} {
		if got := p.targetPercent(p.aliasAt(pct)); got != pct {
			t.Errorf("targetPercent(aliasAt(%v)) = %v", pct, got)
		}
	}
}
