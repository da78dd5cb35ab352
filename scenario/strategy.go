package scenario

import (
	"fmt"
	"slices"
	"strings"

	"github.com/shiftsim/shiftsim/deploy"
	"github.com/shiftsim/shiftsim/internal/suggest"
	"github.com/shiftsim/shiftsim/sim"
	"github.com/shiftsim/shiftsim/strategies"
)

// Strategy resolves a strategy name as a user can meet it, in this order
// (docs/strategy-names.md):
//
//   - "" : the scenario's only strategy (an error lists them when there are several);
//   - a strategy the scenario lists, by the name it is listed under, its
//     custom DeploymentConfigName, or for a predefined one either of its
//     names (Canary10Percent5Minutes finds CodeDeployDefault.LambdaCanary10Percent5Minutes);
//   - a predefined CodeDeploy configuration, by its full or SAM short name;
//   - a predefined AppConfig strategy (AppConfig.Canary10Percent20Minutes),
//     with the scenario's AppConfig settings;
//   - an ECS plan by the name shiftsim generates for it
//     (ECS.Canary5Percent10MinutesBake10Minutes);
//   - a name in CodeDeploy's pattern, as `recommend` names the custom plans
//     it weighs (Canary5Percent15Minutes, Linear20PercentEvery2Minutes): a
//     custom configuration of that name.
//
// A predefined config resolves with Config.Name its full CodeDeploy name.
// An unknown name is an error naming what was looked at, with the closest
// names.
func (s *Scenario) Strategy(name string) (sim.Strategy, error) {
	if name == "" {
		if len(s.Strategies) == 1 {
			return s.Strategies[0], nil
		}
		return sim.Strategy{}, fmt.Errorf("the scenario lists %s", strings.Join(s.strategyNames(), ", "))
	}
	full := strategies.CodeDeployName(strategies.Config{Name: name})
	for _, st := range s.Strategies {
		if st.Name == name || st.Config.Name == name || strategies.CodeDeployName(st.Config) == full {
			return st, nil
		}
	}
	cfg, err := strategies.Lookup(name)
	if err == nil {
		cfg.Name = strategies.CodeDeployName(cfg)
		return sim.Strategy{Name: name, Config: cfg}, nil
	}
	if strings.HasPrefix(name, strategies.AppConfigPrefix) {
		cfg, err := strategies.Resolve(name)
		if err != nil {
			return sim.Strategy{}, fmt.Errorf("%w; the scenario lists %s", err, strings.Join(s.strategyNames(), ", "))
		}
		cfg.Timing, cfg.InsufficientDataRollsBack = s.AppConfig.Timing, s.AppConfig.InsufficientDataRollsBack
		return sim.Strategy{Name: name, Config: cfg}, nil
	}
	if strings.HasPrefix(name, strategies.ECSPrefix) {
		cfg, err := strategies.Resolve(name)
		if err != nil {
			return sim.Strategy{}, fmt.Errorf("%w; the scenario lists %s", err, strings.Join(s.strategyNames(), ", "))
		}
		return sim.Strategy{Name: name, Config: cfg}, nil
	}
	if strings.HasPrefix(name, strategies.ReservedPrefix) { // Lookup says why (ECS, EC2) and what is close
		return sim.Strategy{}, fmt.Errorf("%w; the scenario lists %s", err, strings.Join(s.strategyNames(), ", "))
	}
	if cfg, ok := strategies.ParseName(name); ok {
		return sim.Strategy{Name: name, Config: cfg}, nil
	}
	known := s.strategyNames()
	for _, c := range strategies.Predefined() {
		known = append(known, strategies.ShortName(c), c.Name)
	}
	msg := fmt.Sprintf("unknown Lambda deployment configuration %q: not a strategy of the scenario (%s), not a predefined CodeDeploy configuration, not a name like Canary5Percent15Minutes or Linear20PercentEvery2Minutes",
		name, strings.Join(s.strategyNames(), ", "))
	if near := suggest.Closest(name, slices.Compact(known), 3); len(near) > 0 {
		msg += fmt.Sprintf(" (did you mean %s?)", suggest.OrList(near))
	}
	return sim.Strategy{}, fmt.Errorf("%s", msg)
}

func (s *Scenario) strategyNames() []string {
	names := make([]string, len(s.Strategies))
	for i, st := range s.Strategies {
		names[i] = st.Name
	}
	return names
}

// HookFunctionsFor gives the Lambda function of each hook for an AppSpec or
// a real deployment: the override if given (a command-line flag), else the
// scenario's hooks.*.function. A hook the scenario simulates needs a
// function: without one the real deployment would skip a check the
// simulation counted on. An override for a hook the scenario does not
// simulate comes with a warning, since the simulated results do not cover
// it (docs/appspec.md).
func (s *Scenario) HookFunctionsFor(before, after string) (b, a string, warnings []string, err error) {
	modelled := map[deploy.Hook]bool{}
	for _, h := range s.Model.Hooks {
		modelled[h.Name] = true
	}
	out := [2]string{before, after}
	for i, h := range []struct {
		event deploy.Hook
		flag  string
	}{{deploy.BeforeAllowTraffic, "--before-hook"}, {deploy.AfterAllowTraffic, "--after-hook"}} {
		switch {
		case out[i] == "":
			out[i] = s.HookFunctions[h.event]
		case !modelled[h.event]:
			warnings = append(warnings, fmt.Sprintf("%s %s: the scenario does not simulate a %s hook; its results do not cover it", h.flag, out[i], h.event))
		}
		if modelled[h.event] && out[i] == "" {
			return "", "", warnings, fmt.Errorf("the scenario simulates a %s hook but names no function for it: set hooks.%s.function in the scenario, or pass %s FUNCTION", h.event, h.event, h.flag)
		}
	}
	return out[0], out[1], warnings, nil
}
