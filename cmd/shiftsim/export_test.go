package main

import (
	"strings"
	"testing"

	"github.com/shiftsim/shiftsim/importer"
	"github.com/shiftsim/shiftsim/strategies"
)

// Each export form of a custom strategy reads back, through the matching
// import, as the same configuration.
func TestExportRoundTrip(t *testing.T) {
	scen := writeTemp(t, "s.yaml", hooked)
	want := strategies.Config{Name: "Canary25Percent45Minutes", Type: strategies.Canary, Percentage: 25, Interval: 45}
	for _, format := range []string{"sam", "cloudformation", "cli", "json"} {
		code, out, errs := runCLI("export", scen, "--strategy", "Canary25Percent45Minutes", "--format", format)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", format, code, errs)
		}
		file := writeTemp(t, "exported."+format, out)
		code, scenOut, errs := runCLI("import", "deployment-config", file)
		if code != 0 {
			t.Fatalf("%s: import exit %d: %s\n%s", format, code, errs, out)
		}
		d, err := importer.DeploymentConfigs(file, []byte(out), importer.Options{})
		if err != nil || len(d.Strategies) != 1 {
			t.Fatalf("%s: %v %+v", format, err, d)
		}
		if got, err := strategies.FromDeploymentConfig(*d.Strategies[0].Custom); err != nil || got != want {
			t.Errorf("%s: %+v %v", format, got, err)
		}
		if !strings.Contains(scenOut, "DeploymentConfigName: Canary25Percent45Minutes") {
			t.Errorf("%s: %s", format, scenOut)
		}
	}
}

func TestExportSAM(t *testing.T) {
	code, out, errs := runCLI("export", "../../scenarios/bad-canary.yaml", "-s", "Canary10Percent5Minutes")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"AutoPublishAlias: live", "Type: Canary10Percent5Minutes # CodeDeployDefault.LambdaCanary10Percent5Minutes", "- orders-live-v2-errors"} {
		if !strings.Contains(out, want) {
			t.Errorf("lacks %q:\n%s", want, out)
		}
	}
	scen := writeTemp(t, "s.yaml", hooked)
	_, out, _ = runCLI("export", scen, "-s", "Canary25Percent45Minutes", "--before-hook", "CodeDeployHook_pre")
	if !strings.Contains(out, "Type: !Ref Canary25Percent45MinutesConfig") || !strings.Contains(out, "PreTraffic: CodeDeployHook_pre") {
		t.Errorf("custom:\n%s", out)
	}
}

func TestExportErrors(t *testing.T) {
	cases := []struct {
		args []string
		err  string
	}{
		{[]string{"export", "../../scenarios/bad-canary.yaml", "-s", "Canary10Percent5Minutes", "-f", "cli"}, "CodeDeployDefault.LambdaCanary10Percent5Minutes is predefined: CodeDeploy has it already"},
		{[]string{"export", "../../scenarios/bad-canary.yaml", "-s", "Canary10Percent5Minutes", "-f", "yaml"}, `--output "yaml": want sam, cloudformation, cli or json`},
		{[]string{"export", "../../scenarios/bad-canary.yaml", "-s", "Canary10Percent5Minute"}, "did you mean Canary10Percent5Minutes?"},
		{[]string{"export", "../../scenarios/bad-canary.yaml", "-s", "AllAtOnce", "--config-name", "CodeDeployDefault.Mine"}, "--config-name: Name: the prefix CodeDeployDefault. is reserved"},
	}
	for _, c := range cases {
		code, _, errs := runCLI(c.args...)
		if code != 2 || !strings.Contains(errs, c.err) {
			t.Errorf("%v: exit %d %q, want 2 and %q", c.args, code, errs, c.err)
		}
	}
	code, out, errs := runCLI("export", "../../scenarios/bad-canary.yaml", "-s", "Canary10Percent5Minutes", "--config-name", "MyCanary", "-f", "cli")
	if code != 0 || !strings.Contains(out, "--deployment-config-name MyCanary") || !strings.Contains(out, "canaryPercentage=10,canaryInterval=5") {
		t.Errorf("exit %d: %s%s", code, out, errs)
	}
}
