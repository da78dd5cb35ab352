package main

import (
	"io"

	"github.com/shiftsim/shiftsim/importer"
	"github.com/shiftsim/shiftsim/sim"
	"github.com/shiftsim/shiftsim/strategies"
)

func init() {
	register("appspec", "write the Lambda AppSpec (or create-deployment revision) for a scenario's deployment", cmdAppSpec)
}

func cmdAppSpec(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("appspec", "SCENARIO --strategy NAME [flags]", `Writes the Lambda AppSpec that deploys the scenario's target version: version 0.0, one
AWS::Lambda::Function resource (Name, Alias, CurrentVersion, TargetVersion) and the hooks. Names,
versions and hook functions (hooks.*.function) come from the scenario unless given as flags; a
hook the scenario simulates needs its function named. The strategy is checked against the
versions: CodeDeploy rejects CurrentVersion = TargetVersion except for AllAtOnce.
With --revision, prints instead CreateDeployment's revision JSON ({"revisionType": "AppSpecContent",
"appSpecContent": {"content", "sha256"}}, sha256 the hex SHA-256 of the content's bytes); with --cli,
the whole 'aws deploy create-deployment' command (application and group from the scenario's
deployment.application and deployment.deployment_group, or --application and --deployment-group).
'shiftsim import appspec' reads the AppSpec back.`, stdout)
	strategy := fs.StringP("strategy", "s", "", "strategy of the deployment (may be omitted when the scenario lists one)")
	name := fs.String("function-name", "", "function name (default: the scenario's function.name)")
	alias := fs.String("alias", "", "alias (default: the scenario's function.alias)")
	current := fs.String("current-version", "", "version the alias points at (default: versions.current.version)")
	target := fs.String("target-version", "", "version to deploy (default: versions.target.version)")
	before := fs.String("before-hook", "", "BeforeAllowTraffic hook function (default: hooks.BeforeAllowTraffic.function)")
	after := fs.String("after-hook", "", "AfterAllowTraffic hook function (default: hooks.AfterAllowTraffic.function)")
	format := outputFlag(fs, "yaml", "json")
	legacyFormat(fs, format)
	revision := fs.Bool("revision", false, "print the create-deployment --revision JSON holding the AppSpec")
	cli := fs.Bool("cli", false, "print the 'aws deploy create-deployment' command")
	app := fs.String("application", "", "CodeDeploy application (with --cli; default: deployment.application)")
	group := fs.String("deployment-group", "", "CodeDeploy deployment group (with --cli; default: deployment.deployment_group)")
	output := outFlag(fs)
	path, err := scenarioArgs(fs, args, stdout, format, "yaml", "json")
	if err != nil {
		return err
	}
	if *revision && *cli {
		return inputErrf("--revision and --cli: choose one")
	}
	s, st, err := forCodeDeploy(path, *strategy, stderr)
	if err != nil {
		return err
	}
	bh, ah, err := hookFunctions(s, *before, *after, stderr)
	if err != nil {
		return err
	}
	a := strategies.AppSpec{Name: s.Function.Name, Alias: s.Function.Alias,
		CurrentVersion: s.Model.Versions[sim.Current].Name, TargetVersion: s.Model.Versions[sim.Target].Name,
		BeforeAllowTraffic: bh, AfterAllowTraffic: ah}
	for _, o := range []struct{ flag, dst *string }{{name, &a.Name}, {alias, &a.Alias}, {current, &a.CurrentVersion}, {target, &a.TargetVersion}} {
		if *o.flag != "" {
			*o.dst = *o.flag
		}
	}
	if err := a.Validate(&st.Config); err != nil {
		return inputErrf("%v", err)
	}
	content := a.YAML()
	if *format == "json" {
		content = a.JSON()
	}
	switch {
	case *revision:
		content = append(strategies.NewRevision(content).JSON(), '\n')
	case *cli:
		application, group := firstNonEmpty(*app, s.Application), firstNonEmpty(*group, s.DeploymentGroup)
		if application == "" || group == "" {
			return inputErrf("--cli needs --application and --deployment-group, or deployment.application and deployment.deployment_group in the scenario")
		}
		content = importer.CreateDeploymentCLI(application, group, strategies.CodeDeployName(st.Config), content)
	}
	return writeOut(*output, content, stdout)
}
