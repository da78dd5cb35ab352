package awsexec

import (
	"fmt"
	"strings"

	"github.com/shiftsim/shiftsim/deploy"
)

// Spec is one deployment as a scenario describes it: the input of NewPlan.
// awsexec reads no scenario files; scenario.Scenario.DeploySpec fills one.
type Spec = deploy.Spec

// Overrides are the command line's choices: each non-empty field replaces
// the Spec's.
type Overrides struct {
	// Executor is ExecAlias, ExecCodeDeploy, or "" or "auto": the codedeploy
	// executor when an application or deployment group is known, else alias.
	Executor                         string
	Function, Alias, Current, Target string
	Application, DeploymentGroup     string
	// DryRun lets the codedeploy executor go without its application and
	// group, so that the plan still shows: placeholders stand in.
	DryRun bool
}

// Placeholders for a dry run's unknown application and deployment group.
const (
	PlaceholderApplication     = "APPLICATION"
	PlaceholderDeploymentGroup = "DEPLOYMENT_GROUP"
)

// NewPlan is the plan to carry out s with the overrides o, validated.
// Notes say what the caller should tell the user (placeholders used).
func NewPlan(s Spec, o Overrides) (Plan, []string, error) {
	or := func(a, b string) string {
		if a != "" {
			return a
		}
		return b
	}
	p := Plan{
		Function: or(o.Function, s.Function), Alias: or(o.Alias, s.Alias),
		Current: or(o.Current, s.Current), Target: or(o.Target, s.Target),
		Strategy: s.Strategy, Config: s.Config, Schedule: s.Config.Plan(s.Linear),
		Alarms: append([]string(nil), s.Alarms...), BeforeHook: s.BeforeHook, AfterHook: s.AfterHook,
		HookTimeout: s.HookTimeout, AutoRollback: s.AutoRollback, MetricDelay: s.MetricDelay, PromoteAfter: s.PromoteAfter,
		Application: or(o.Application, s.Application), DeploymentGroup: or(o.DeploymentGroup, s.DeploymentGroup),
	}
	if s.Config.Argo() && s.Config.Rollout != nil { // the schedule if every analysis passes as early as it can
		promote := s.PromoteAfter
		if promote == 0 {
			promote = -1
		}
		p.Schedule, _ = s.Config.Rollout.Schedule(promote)
	}
	var notes []string
	switch o.Executor {
	case "", "auto":
		p.Executor = ExecAlias
		if p.Application != "" || p.DeploymentGroup != "" {
			if p.Config.CodeDeploy() {
				p.Executor = ExecCodeDeploy
			} else {
				notes = append(notes, fmt.Sprintf("strategy %s is a %s plan, which CodeDeploy cannot run: the alias executor runs it (the CodeDeploy application and deployment group are not used)", p.Strategy, p.Config.Type))
			}
		}
	default:
		p.Executor = o.Executor
	}
	if !p.Config.LifecycleHooks() && (p.BeforeHook != "" || p.AfterHook != "") {
		notes = append(notes, fmt.Sprintf("strategy %s is a %s plan, which has no lifecycle hooks (the simulator runs none either): the hook functions %s are not invoked",
			p.Strategy, p.Config.Type, strings.Join(nonEmpty(p.BeforeHook, p.AfterHook), " and ")))
		p.BeforeHook, p.AfterHook = "", ""
	}
	if p.Executor == ExecCodeDeploy && o.DryRun && (p.Application == "" || p.DeploymentGroup == "") {
		p.Application, p.DeploymentGroup = or(p.Application, PlaceholderApplication), or(p.DeploymentGroup, PlaceholderDeploymentGroup)
		notes = append(notes, "no CodeDeploy application or deployment group (deployment.application and deployment.deployment_group, or --application and --deployment-group): the dry run shows placeholders (a run with --yes needs both)")
	}
	if err := p.Validate(); err != nil {
		return Plan{}, notes, err
	}
	return p, notes, nil
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
