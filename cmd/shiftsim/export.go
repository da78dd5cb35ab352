package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/shiftsim/shiftsim/deploy"
	"github.com/shiftsim/shiftsim/importer"
	"github.com/shiftsim/shiftsim/scenario"
	"github.com/shiftsim/shiftsim/strategies"
)

func init() {
	register("export", "write a strategy as a SAM DeploymentPreference, DeploymentConfig resource or CLI command", cmdExport)
}

// pickStrategy finds NAME among the scenario's strategies (by the name it
// is listed under, its full CodeDeploy name or its SAM short name), else
// among the predefined configurations.
func pickStrategy(s *scenario.Scenario, name string) (strategies.Config, error) {
	if name == "" {
		if len(s.Strategies) == 1 {
			return s.Strategies[0].Config, nil
		}
		var names []string
		for _, st := range s.Strategies {
			names = append(names, st.Name)
		}
		return strategies.Config{}, inputErrf("--strategy is required: the scenario lists %s", strings.Join(names, ", "))
	}
	for _, st := range s.Strategies {
		if st.Name == name || st.Config.Name == name || strategies.CodeDeployName(st.Config) == strategies.CodeDeployName(strategies.Config{Name: name}) {
			return st.Config, nil
		}
	}
	cfg, err := strategies.Lookup(name)
	if err != nil {
		var names []string
		for _, st := range s.Strategies {
			names = append(names, st.Name)
		}
		return strategies.Config{}, inputErrf("--strategy: %v; the scenario lists %s", err, strings.Join(names, ", "))
	}
	cfg.Name = strategies.CodeDeployName(cfg)
	return cfg, nil
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
	format := fs.StringP("format", "f", "sam", "sam, cloudformation, cli or json")
	configName := fs.String("config-name", "", "DeploymentConfigName to create the configuration under")
	functionID := fs.String("function-id", "", "logical ID of the function in the SAM fragment (default: from the function's name)")
	configID := fs.String("config-id", "", "logical ID of the DeploymentConfig resource (default: from its name)")
	before := fs.String("before-hook", "", "PreTraffic (BeforeAllowTraffic) hook function for the SAM fragment")
	after := fs.String("after-hook", "", "PostTraffic (AfterAllowTraffic) hook function for the SAM fragment")
	output := fs.StringP("output", "o", "", "write to this file instead of stdout")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	path, err := oneArg(fs.Args(), "SCENARIO")
	if err != nil {
		return err
	}
	switch *format {
	case "sam", "cloudformation", "cli", "json":
	default:
		return inputErrf("--format %q: want sam, cloudformation, cli or json", *format)
	}
	s, err := loadScenario(path, stderr)
	if err != nil {
		return err
	}
	cfg, err := pickStrategy(s, *strategy)
	if err != nil {
		return err
	}
	if *configName != "" {
		cfg.Name = *configName
		if err := cfg.Validate(); err != nil {
			return inputErrf("--config-name: %v", err)
		}
	}
	e := importer.Export{Config: cfg, Scenario: s.Name, Function: s.Function.Name, Alias: s.Function.Alias,
		BeforeHook: *before, AfterHook: *after, FunctionID: *functionID, ConfigID: *configID, HookModelled: map[string]bool{}}
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
		return inputErrf("--format %s: %v", *format, err)
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

// hookFlags checks hook function names against the hooks the scenario
// simulates: a simulated hook needs its function named (the scenario has
// no key for it), a named hook the scenario does not simulate is warned of.
func hookFlags(s *scenario.Scenario, before, after string, stderr io.Writer) error {
	modelled := map[deploy.Hook]bool{}
	for _, h := range s.Model.Hooks {
		modelled[h.Name] = true
	}
	for _, h := range []struct {
		event deploy.Hook
		fn    string
		flag  string
	}{{deploy.BeforeAllowTraffic, before, "--before-hook"}, {deploy.AfterAllowTraffic, after, "--after-hook"}} {
		switch {
		case modelled[h.event] && h.fn == "":
			return inputErrf("the scenario simulates a %s hook: name its Lambda function with %s FUNCTION", h.event, h.flag)
		case !modelled[h.event] && h.fn != "":
			fmt.Fprintf(stderr, "shiftsim: %s %s: the scenario does not simulate a %s hook; its results do not cover it (warning)\n", h.flag, h.fn, h.event)
		}
	}
	return nil
}
