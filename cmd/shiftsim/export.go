package main

import (
	"fmt"
	"io"

	"github.com/shiftsim/shiftsim/deploy"
	"github.com/shiftsim/shiftsim/importer"
	"github.com/shiftsim/shiftsim/scenario"
	"github.com/shiftsim/shiftsim/sim"
)

func init() {
	register("export", "write a strategy as a SAM DeploymentPreference, DeploymentConfig resource or CLI command", cmdExport)
}

// pickStrategy resolves --strategy NAME with the one resolver,
// scenario.Strategy: a strategy of the scenario, a predefined configuration
// or a recommended plan's name (docs/strategy-names.md).
func pickStrategy(s *scenario.Scenario, name string) (sim.Strategy, error) {
	st, err := s.Strategy(name)
	if err != nil {
		if name == "" {
			return sim.Strategy{}, inputErrf("--strategy is required: %v", err)
		}
		return sim.Strategy{}, inputErrf("--strategy %s: %v", name, err)
	}
	return st, nil
}

// codeDeployOnly refuses a plan CodeDeploy cannot express, for the commands
// that hand a strategy to CodeDeploy (export, appspec).
func codeDeployOnly(st sim.Strategy) error {
	if !st.Config.CodeDeploy() {
		return inputErrf("--strategy %s: a %s plan has no CodeDeploy form; it can be simulated (run, compare) and deployed with 'shiftsim deploy' (the alias executor runs it), not exported to CodeDeploy", st.Name, st.Config.Type)
	}
	return nil
}

// forCodeDeploy loads the scenario and resolves the strategy for the
// commands that hand it to CodeDeploy (export, appspec).
func forCodeDeploy(path, strategy string, stderr io.Writer) (*scenario.Scenario, sim.Strategy, error) {
	s, err := loadScenario(path, stderr)
	if err != nil {
		return nil, sim.Strategy{}, err
	}
	st, err := pickStrategy(s, strategy)
	if err != nil {
		return nil, sim.Strategy{}, err
	}
	return s, st, codeDeployOnly(st)
}

func cmdExport(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("export", "SCENARIO --strategy NAME [flags]", `Writes one strategy of a scenario in the form AWS takes it:
  sam             a SAM template fragment: the function's AutoPublishAlias and DeploymentPreference
                  (Type is the short name of a predefined config; a custom config comes with its
                  AWS::CodeDeploy::DeploymentConfig resource and Type: !Ref to it), with the
                  scenario's alarm names
  cloudformation  the AWS::CodeDeploy::DeploymentConfig resource (custom configs only)
  cli             the 'aws deploy create-deployment-config' command (custom configs only)
  json            CreateDeploymentConfig's input, for 'aws deploy create-deployment-config
                  --cli-input-json file://FILE' (custom configs only)
Each form reads back with 'shiftsim import sam' or 'shiftsim import deployment-config'.
NAME is a strategy of the scenario or a predefined configuration; --config-name exports a copy of
it under another name.`, stdout)
	strategy := fs.StringP("strategy", "s", "", "strategy to export (may be omitted when the scenario lists one)")
	format := outputFlag(fs, "sam", "cloudformation", "cli", "json")
	legacyFormat(fs, format)
	configName := fs.String("config-name", "", "DeploymentConfigName to create the configuration under")
	functionID := fs.String("function-id", "", "logical ID of the function in the SAM fragment (default: from the function's name)")
	configID := fs.String("config-id", "", "logical ID of the DeploymentConfig resource (default: from its name)")
	before := fs.String("before-hook", "", "PreTraffic (BeforeAllowTraffic) hook function for the SAM fragment")
	after := fs.String("after-hook", "", "PostTraffic (AfterAllowTraffic) hook function for the SAM fragment")
	output := outFlag(fs)
	path, err := scenarioArgs(fs, args, stdout, format, "sam", "cloudformation", "cli", "json")
	if err != nil {
		return err
	}
	s, st, err := forCodeDeploy(path, *strategy, stderr)
	if err != nil {
		return err
	}
	cfg := st.Config
	if *configName != "" {
		cfg.Name = *configName
		if err := cfg.Validate(); err != nil {
			return inputErrf("--config-name: %v", err)
		}
	}
	bh, ah := *before, *after
	if bh == "" {
		bh = s.HookFunctions[deploy.BeforeAllowTraffic]
	}
	if ah == "" {
		ah = s.HookFunctions[deploy.AfterAllowTraffic]
	}
	e := importer.Export{Config: cfg, Scenario: s.Name, Function: s.Function.Name, Alias: s.Function.Alias,
		BeforeHook: bh, AfterHook: ah, FunctionID: *functionID, ConfigID: *configID, HookModelled: map[string]bool{}}
	for _, a := range s.Model.Alarms {
		e.Alarms = append(e.Alarms, a.Name)
	}
	for _, h := range s.Model.Hooks {
		e.HookModelled[string(h.Name)] = true
	}
	var out []byte
	switch *format {
	case "sam":
		out, err = e.SAM()
	case "cloudformation":
		out, err = e.CloudFormation()
	case "cli":
		out, err = e.CLI()
	case "json":
		out, err = e.JSON()
	}
	if err != nil {
		return inputErrf("--output %s: %v", *format, err)
	}
	return writeOut(*output, out, stdout)
}

func writeOut(path string, data []byte, stdout io.Writer) error {
	if path == "" {
		_, err := stdout.Write(data)
		return err
	}
	return writeFileAtomic(path, data)
}

// hookFunctions resolves the hook functions (scenario.HookFunctionsFor)
// and prints its warnings.
func hookFunctions(s *scenario.Scenario, before, after string, stderr io.Writer) (string, string, error) {
	b, a, warnings, err := s.HookFunctionsFor(before, after)
	for _, w := range warnings {
		fmt.Fprintf(stderr, "shiftsim: %s (warning)\n", w)
	}
	if err != nil {
		return "", "", inputErrf("%v", err)
	}
	return b, a, nil
}
