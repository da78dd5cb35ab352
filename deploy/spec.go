package deploy

import (
	"time"

	"github.com/shiftsim/shiftsim/strategies"
)

// Spec is one deployment of a Lambda alias as a scenario describes it, in
// AWS's names: what an AWS executor needs to carry it out
// (awsexec.NewPlan makes its plan of it, command-line overrides applied).
// The scenario fills it (scenario.Scenario.DeploySpec); the controller does
// not read it. It lives here, below both, so that neither the scenario
// loader nor the executor imports the other.
type Spec struct {
	Function, Alias string
	Current, Target string // published version numbers
	Strategy        string // the name the user chose
	Config          strategies.Config
	Linear          strategies.LinearModel
	Alarms          []string // the alarm names CodeDeploy (or the alias executor) watches
	// BeforeHook and AfterHook name the hook functions; "" for none.
	BeforeHook, AfterHook string
	HookTimeout           time.Duration
	AutoRollback          bool
	// MetricDelay and PromoteAfter are the scenario's monitoring.metric_delay
	// and deployment.argo_promote_after (gated plans).
	MetricDelay, PromoteAfter time.Duration
	// Application and DeploymentGroup are CodeDeploy's names, where known.
	Application, DeploymentGroup string
}
