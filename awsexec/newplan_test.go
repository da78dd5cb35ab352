package awsexec

import (
	"strings"
	"testing"

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
