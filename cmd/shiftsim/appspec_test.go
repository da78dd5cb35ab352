package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"

	"github.com/shiftsim/shiftsim/importer"
	"github.com/shiftsim/shiftsim/strategies"
)

const hooked = `name: t
function: {name: orders, alias: live}
traffic: {rate: 10}
versions:
  current: {version: "7", error_rate: 0.001, latency: {median: 50ms, p99: 160ms}}
  target: {version: "8", error_rate: 0.001}
hooks:
  BeforeAllowTraffic: {duration: 30s, catch_probability: 0.5}
deployment:
  strategies:
    - Canary10Percent5Minutes
    - DeploymentConfigName: Canary25Percent45Minutes
      ComputePlatform: Lambda
      TrafficRoutingConfig: {Type: TimeBasedCanary, TimeBasedCanary: {CanaryPercentage: 25, CanaryInterval: 45}}
`

// The contract: appspec SCENARIO --strategy NAME prints a Lambda AppSpec
// (YAML) that reads back with the scenario's function, alias and versions.
func TestAppSpecContract(t *testing.T) {
	code, out, errs := runCLI("appspec", "../../scenarios/bad-canary.yaml", "--strategy", "Canary10Percent5Minutes")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	a, notes, err := importer.ParseAppSpec("appspec.yml", []byte(out))
	if err != nil || len(notes) > 0 {
		t.Fatalf("%v %v\n%s", err, notes, out)
	}
	if a.Name != "orders" || a.Alias != "live" || a.CurrentVersion != "1" || a.TargetVersion != "2" || a.BeforeAllowTraffic != "" {
		t.Errorf("%+v", a)
	}
	if !strings.HasPrefix(out, "version: 0.0\nResources:\n  - orders:\n      Type: AWS::Lambda::Function\n") {
		t.Errorf("not AWS's shape:\n%s", out)
	}
}

func TestAppSpecFlags(t *testing.T) {
	scen := writeTemp(t, "s.yaml", hooked)
	// A hook the scenario simulates needs its function named.
	if code, _, errs := runCLI("appspec", scen, "-s", "Canary10Percent5Minutes"); code != 2 || !strings.Contains(errs, "the scenario simulates a BeforeAllowTraffic hook but names no function for it: set hooks.BeforeAllowTraffic.function in the scenario, or pass --before-hook FUNCTION") {
		t.Errorf("exit %d: %s", code, errs)
	}
	code, out, errs := runCLI("appspec", scen, "-s", "Canary25Percent45Minutes", "--before-hook", "CodeDeployHook_pre", "--after-hook", "CodeDeployHook_post", "--format", "json", "--alias", "blue")
	if code != 0 || !strings.Contains(errs, "--after-hook CodeDeployHook_post: the scenario does not simulate a AfterAllowTraffic hook") {
		t.Fatalf("exit %d: %s", code, errs)
	}
	a, _, err := importer.ParseAppSpec("appspec.json", []byte(out))
	if err != nil || a.Alias != "blue" || a.BeforeAllowTraffic != "CodeDeployHook_pre" || a.AfterAllowTraffic != "CodeDeployHook_post" || a.TargetVersion != "8" {
		t.Errorf("%+v %v\n%s", a, err, out)
	}
	// CodeDeploy rejects CurrentVersion = TargetVersion except for AllAtOnce.
	if code, _, errs := runCLI("appspec", scen, "-s", "Canary10Percent5Minutes", "--before-hook", "h", "--target-version", "7"); code != 2 || !strings.Contains(errs, "TargetVersion: equals CurrentVersion (7)") {
		t.Errorf("exit %d: %s", code, errs)
	}
	if code, _, errs := runCLI("appspec", scen, "-s", "AllAtOnce", "--before-hook", "h", "--target-version", "7"); code != 0 {
		t.Errorf("AllAtOnce to the same version: exit %d: %s", code, errs)
	}
	if code, _, errs := runCLI("appspec", scen, "-s", "Canary10Percent5Minutes", "--before-hook", "h", "--current-version", "$LATEST"); code != 2 || !strings.Contains(errs, `CurrentVersion: "$LATEST" is not a published version number`) {
		t.Errorf("exit %d: %s", code, errs)
	}
	if code, _, errs := runCLI("appspec", scen, "--before-hook", "h"); code != 2 || !strings.Contains(errs, "--strategy is required") {
		t.Errorf("exit %d: %s", code, errs)
	}
}

// --revision wraps the exact AppSpec bytes with their hex SHA-256
// (docs/appspec.md); --cli gives the whole create-deployment command.
func TestAppSpecRevision(t *testing.T) {
	scen := writeTemp(t, "s.yaml", hooked)
	_, plain, _ := runCLI("appspec", scen, "-s", "Canary25Percent45Minutes", "--before-hook", "CodeDeployHook_pre")
	code, out, errs := runCLI("appspec", scen, "-s", "Canary25Percent45Minutes", "--before-hook", "CodeDeployHook_pre", "--revision")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var r strategies.Revision
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(plain))
	if r.RevisionType != "AppSpecContent" || r.AppSpecContent.Content != plain || r.AppSpecContent.Sha256 != hex.EncodeToString(sum[:]) {
		t.Errorf("revision %+v, want the AppSpec and %x", r, sum)
	}
	if code, _, errs := runCLI("appspec", scen, "-s", "Canary25Percent45Minutes", "--before-hook", "h", "--cli"); code != 2 || !strings.Contains(errs, "--cli needs --application and --deployment-group") {
		t.Errorf("exit %d: %s", code, errs)
	}
	code, out, _ = runCLI("appspec", scen, "-s", "Canary10Percent5Minutes", "--before-hook", "h", "--cli", "--application", "app", "--deployment-group", "dg")
	if code != 0 || !strings.HasPrefix(out, "aws deploy create-deployment \\\n    --application-name app \\\n    --deployment-group-name dg \\\n    --deployment-config-name CodeDeployDefault.LambdaCanary10Percent5Minutes \\\n    --revision '{\"revisionType\":\"AppSpecContent\"") {
		t.Errorf("exit %d:\n%s", code, out)
	}
}
