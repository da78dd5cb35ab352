package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shiftsim/shiftsim/importer"
)

// importTo runs `shiftsim import KIND SRC` and writes the scenario it
// prints to a temporary file.
func importTo(t *testing.T, kind, src string) string {
	t.Helper()
	code, out, errs := runCLI("import", kind, src)
	if code != 0 {
		t.Fatalf("import %s %s: exit %d: %s", kind, src, code, errs)
	}
	p := filepath.Join(t.TempDir(), "imported.yaml")
	if err := os.WriteFile(p, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// The contract of issue 10: `appspec FILE` works on a scenario imported
// from a SAM template with hooks, without hook flags, and lists both hooks
// with the functions the template names.
func TestAppSpecOfImportedSAMContract(t *testing.T) {
	for _, tt := range []struct {
		template  string
		pre, post string
	}{
		{"../../examples/sam-orders.yaml", "CodeDeployHook_orders_pre", "CodeDeployHook_orders_post"},
		{"../../../shared/data/deploy/sam-templates/aws-samples_sessions-with-aws-sam_safe-deploy_template.yaml", "CodeDeployHook_preTrafficHook1", "CodeDeployHook_postTrafficHook1"},
	} {
		t.Run(filepath.Base(tt.template), func(t *testing.T) {
			if _, err := os.Stat(tt.template); err != nil {
				t.Skipf("%s: %v", tt.template, err)
			}
			scen := importTo(t, "sam", tt.template)
			code, out, errs := runCLI("appspec", scen)
			if code != 0 {
				t.Fatalf("appspec: exit %d: %s", code, errs)
			}
			a, notes, err := importer.ParseAppSpec("appspec.yaml", []byte(out))
			if err != nil || len(notes) > 0 {
				t.Fatalf("%v %v\n%s", err, notes, out)
			}
			if a.BeforeAllowTraffic != tt.pre || a.AfterAllowTraffic != tt.post {
				t.Errorf("hooks %q, %q; want %q, %q\n%s", a.BeforeAllowTraffic, a.AfterAllowTraffic, tt.pre, tt.post, out)
			}
			if !strings.Contains(out, "Hooks:\n  - BeforeAllowTraffic: \""+tt.pre+"\"\n  - AfterAllowTraffic: \""+tt.post+"\"\n") {
				t.Errorf("hooks not in AWS's order and shape:\n%s", out)
			}
			// The flags still override the scenario.
			code, out, _ = runCLI("appspec", scen, "--before-hook", "CodeDeployHook_other")
			if code != 0 || !strings.Contains(out, `BeforeAllowTraffic: "CodeDeployHook_other"`) || !strings.Contains(out, tt.post) {
				t.Errorf("--before-hook does not override: exit %d\n%s", code, out)
			}
		})
	}
}

// The function's real name where the template gives one; otherwise the
// logical ID, marked DEFAULT so that validate counts it.
func TestImportedSAMNames(t *testing.T) {
	scen := importTo(t, "sam", "../../examples/sam-orders.yaml")
	data, _ := os.ReadFile(scen)
	for _, want := range []string{
		"  name: orders # ", "function: CodeDeployHook_orders_pre # ", "function: CodeDeployHook_orders_post # ",
		"  application: ServerlessDeploymentApplication # DEFAULT: ", "  deployment_group: OrdersFunctionDeploymentGroup # DEFAULT: ",
	} {
		if !strings.Contains(string(data), want) {
			t.Errorf("imported scenario lacks %q:\n%s", want, data)
		}
	}
	noName := writeTemp(t, "t.yaml", `Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      AutoPublishAlias: live
      DeploymentPreference: {Type: Linear10PercentEvery1Minute}
`)
	code, out, errs := runCLI("import", "sam", noName)
	if code != 0 || !strings.Contains(out, "  name: Fn # DEFAULT: Fn has no FunctionName") {
		t.Errorf("exit %d: %s\n%s", code, errs, out)
	}
}

// validate counts the DEFAULTs left and warns when no alarm watches the
// deployment.
func TestValidateDefaultsAndAlarms(t *testing.T) {
	scen := importTo(t, "sam", "../../examples/sam-orders.yaml")
	code, out, errs := runCLI("validate", scen)
	if code != 0 || !strings.Contains(out, "values still marked DEFAULT (lines ") || strings.Contains(errs, "alarms: none") {
		t.Errorf("exit %d:\n%s\n%s", code, out, errs)
	}
	noAlarms := writeTemp(t, "s.yaml", `name: t
traffic: {rate: 1}
versions: {current: {version: "1", latency: {median: 50ms, p99: 200ms}}, target: {version: "2"}}
alarms: []
deployment: {strategies: [AllAtOnce]}
`)
	code, out, errs = runCLI("validate", noAlarms)
	if code != 0 || !strings.Contains(errs, "alarms: none: CodeDeploy would watch nothing") || strings.Contains(out, "DEFAULT") {
		t.Errorf("exit %d:\n%s\n%s", code, out, errs)
	}
}
