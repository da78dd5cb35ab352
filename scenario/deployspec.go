package scenario

import (
	"fmt"

	"github.com/shiftsim/shiftsim/deploy"
	"github.com/shiftsim/shiftsim/sim"
)

// DeploySpec is the deployment of st on AWS as the scenario describes it:
// function, alias and versions, the alarms it watches (all the scenario's,
// or an ECS plan's deploymentConfiguration.alarms), the hook functions
// (hooks.*.function; before and after override them, as HookFunctionsFor
// says), hook timeout, auto-rollback, and CodeDeploy's application and
// deployment group. A plan without lifecycle hooks (AppConfig's, the
// peers') takes before and after as given, and awsexec.NewPlan says it runs
// none. Warnings are for people; an error is the user's (a simulated hook
// with no function).
func (s *Scenario) DeploySpec(st sim.Strategy, before, after string) (deploy.Spec, []string, error) {
	var warnings []string
	if st.Config.LifecycleHooks() {
		var err error
		if before, after, warnings, err = s.HookFunctionsFor(before, after); err != nil {
			return deploy.Spec{}, warnings, err
		}
	}
	m := &s.Model
	if st.Config.LifecycleHooks() {
		// hooks.*.timeout is a what-if: CodeDeploy's wait for a hook's report
		// is fixed at 1 h, and both executors wait as CodeDeploy does.
		for _, h := range m.Hooks {
			if h.Timeout > 0 && h.Timeout < deploy.DefaultHookTimeout {
				warnings = append(warnings, fmt.Sprintf("hooks.%s.timeout %v is simulated only: on AWS, CodeDeploy waits up to %v for a hook to report (a fixed limit), and so does this deployment", h.Name, h.Timeout, deploy.DefaultHookTimeout))
			}
		}
	}
	spec := deploy.Spec{Function: m.Function, Alias: m.Alias,
		Current: m.Versions[sim.Current].Name, Target: m.Versions[sim.Target].Name,
		Strategy: st.Name, Config: st.Config, Linear: m.Linear, BeforeHook: before, AfterHook: after,
		HookTimeout: m.HookTimeout, MetricDelay: m.MetricDelay, PromoteAfter: m.PromoteAfter,
		Application: s.Application, DeploymentGroup: s.DeploymentGroup}
	all := make([]string, len(m.Alarms))
	for i, a := range m.Alarms {
		all[i] = a.Name
	}
	// The plan's own alarms (an ECS plan's deploymentConfiguration.alarms)
	// and whether they roll back.
	idx, rollback := st.Config.Alarms(all, m.AutoRollback)
	for _, i := range idx {
		spec.Alarms = append(spec.Alarms, all[i])
	}
	spec.AutoRollback = rollback
	return spec, warnings, nil
}
