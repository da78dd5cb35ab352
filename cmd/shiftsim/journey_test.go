package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/shiftsim/shiftsim/deploy"
	"github.com/shiftsim/shiftsim/importer"
	"github.com/shiftsim/shiftsim/internal/awsfake"
	"github.com/shiftsim/shiftsim/scenario"
	"github.com/shiftsim/shiftsim/sim"
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

// The whole journey of issue 10, as a user walks it: import a SAM template
// with hooks and alarms, validate, recommend --write, appspec, and a deploy
// dry run against the fake AWS. Each step takes the previous step's file
// and no hand edit; the AppSpec the dry run would send is the one appspec
// printed (same bytes, same SHA-256).
func TestJourneySAMToDeploy(t *testing.T) {
	for _, tt := range []struct {
		template, budget string
	}{
		// a tight budget: a custom plan (a custom DeploymentConfig is written)
		{"../../examples/sam-orders.yaml", "5"},
		// a loose one: a predefined plan (written by name)
		{"../../../shared/data/deploy/sam-templates/raulnq_aws-lambda-safe-deployments_template.yml", "1000"},
	} {
		t.Run(filepath.Base(tt.template), func(t *testing.T) {
			if _, err := os.Stat(tt.template); err != nil {
				t.Skipf("%s: %v", tt.template, err)
			}
			journey(t, tt.template, tt.budget)
		})
	}
}

func journey(t *testing.T, tmpl, budget string) {
	f := awsEnv(t)
	scen := importTo(t, "sam", tmpl)

	// validate: loads, and says how many guesses are left.
	code, out, errs := runCLI("validate", scen)
	if code != 0 || !strings.Contains(out, "values still marked DEFAULT") {
		t.Fatalf("validate: exit %d\n%s\n%s", code, out, errs)
	}
	s, err := scenario.Load(scen)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Model.Alarms) == 0 || len(s.HookFunctions) != 2 {
		t.Fatalf("import lost alarms or hooks: %d alarms, hooks %v", len(s.Model.Alarms), s.HookFunctions)
	}

	// recommend --write: the plan is appended, under the name recommend gives it.
	written := filepath.Join(t.TempDir(), "recommended.yaml")
	code, out, errs = runCLI("recommend", scen, "--max-failed", budget, "--runs", "10", "--quiet", "--output", "json", "--write", written)
	if code != 0 {
		t.Fatalf("recommend: exit %d\n%s", code, errs)
	}
	var doc struct {
		Recommended *struct {
			Strategy   string `json:"strategy"`
			Predefined bool   `json:"predefined"`
		} `json:"recommended"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || doc.Recommended == nil {
		t.Fatalf("recommend JSON: %v\n%s", err, out)
	}
	name := doc.Recommended.Strategy
	t.Logf("recommended %s (predefined %v)", name, doc.Recommended.Predefined)
	w, err := scenario.Load(written)
	if err != nil {
		t.Fatalf("the written scenario does not load: %v", err)
	}
	if got := w.Strategies[len(w.Strategies)-1]; !slices.ContainsFunc(w.Strategies, func(st sim.Strategy) bool { return st.Name == name }) {
		t.Fatalf("%s not in deployment.strategies (last %s)", name, got.Name)
	}
	data, _ := os.ReadFile(written)
	if !doc.Recommended.Predefined && !strings.Contains(string(data), "DeploymentConfigName: "+name) {
		t.Errorf("custom plan %s not written as a custom config:\n%s", name, data)
	}
	orig, _ := os.ReadFile(scen)
	if !strings.HasPrefix(string(data), string(orig[:strings.Index(string(orig), "\nname:")])) {
		t.Errorf("the header comments are not kept")
	}

	// appspec: by the recommended name, hooks from the scenario, no flags.
	code, spec, errs := runCLI("appspec", written, "--strategy", name)
	if code != 0 {
		t.Fatalf("appspec: exit %d: %s", code, errs)
	}
	a, _, err := importer.ParseAppSpec("appspec.yaml", []byte(spec))
	if err != nil || a.Name != s.Function.Name || a.Alias != s.Function.Alias ||
		a.BeforeAllowTraffic != s.HookFunctions[deploy.BeforeAllowTraffic] || a.AfterAllowTraffic != s.HookFunctions[deploy.AfterAllowTraffic] {
		t.Fatalf("appspec %+v %v\n%s", a, err, spec)
	}
	// export takes the name too.
	if code, _, errs := runCLI("export", written, "--strategy", name); code != 0 {
		t.Fatalf("export: exit %d: %s", code, errs)
	}

	// deploy, dry run, against the fake: the account holds what the
	// scenario names (the user has put the real names in).
	fn, alias := s.Function.Name, s.Function.Alias
	f.PutFunction(fn, awsfake.Version{Version: "1"}, awsfake.Version{Version: "2"})
	f.SetAlias(fn, alias, "1", nil)
	var alarms []string
	for _, al := range s.Model.Alarms {
		f.AddAlarm(al.Name, awsfake.OK)
		alarms = append(alarms, al.Name)
	}
	for _, h := range s.HookFunctions {
		f.SetHook(h, awsfake.Hook{})
	}
	f.AddDeploymentGroup(s.Application, awsfake.DeploymentGroup{Name: s.DeploymentGroup, Alarms: alarms, AutoRollback: true})
	code, out, errs = runCLI("deploy", written, "--strategy", name, "--endpoint-url", f.URL)
	if code != 0 || strings.Contains(out, "would stop here") {
		t.Fatalf("deploy dry run: exit %d\n%s\n%s", code, out, errs)
	}
	if !strings.Contains(out, "GetDeploymentGroup ApplicationName="+s.Application+" DeploymentGroupName="+s.DeploymentGroup) {
		t.Errorf("the dry run does not use the scenario's application and group:\n%s", out)
	}
	sum := sha256.Sum256([]byte(spec))
	if !strings.Contains(out, hex.EncodeToString(sum[:])) || !strings.Contains(out, "CreateDeployment ") {
		t.Errorf("the dry run's CreateDeployment does not carry appspec's bytes (sha256 %x):\n%s", sum, out)
	}
	if n := len(f.MutatingCalls()); n != 0 {
		t.Errorf("the dry run made %d mutating calls", n)
	}
}

// import --into: a DEFAULT application stand-in does not replace the
// user's real name; a missing group is filled, marked DEFAULT.
func TestImportIntoKeepsCodeDeployNames(t *testing.T) {
	scen := writeTemp(t, "m.yaml", `name: t
traffic: {rate: 1}
versions: {current: {version: "1", latency: {median: 50ms, p99: 200ms}}, target: {version: "2"}}
deployment:
  application: real-app
  strategies: [AllAtOnce]
`)
	code, out, errs := runCLI("import", "sam", "../../examples/sam-orders.yaml", "--into", scen)
	if code != 0 || !strings.Contains(out, "  application: real-app\n") || !strings.Contains(out, "  deployment_group: OrdersFunctionDeploymentGroup # DEFAULT:") ||
		!strings.Contains(out, "function: CodeDeployHook_orders_pre") {
		t.Errorf("exit %d: %s\n%s", code, errs, out)
	}
}

// Issue 10: a custom plan recommend prints is found by export, appspec and
// run by its name, even before --write adds it to the scenario.
func TestRecommendedNameResolves(t *testing.T) {
	code, out, errs := runCLI("export", "../../scenarios/bad-canary.yaml", "--strategy", "Canary5Percent5Minutes")
	if code != 0 || !strings.Contains(out, "DeploymentConfigName: Canary5Percent5Minutes") || !strings.Contains(out, "CanaryPercentage: 5 ") {
		t.Errorf("export: exit %d: %s\n%s", code, errs, out)
	}
	if code, _, errs := runCLI("appspec", "../../scenarios/bad-canary.yaml", "--strategy", "Linear20PercentEvery1Minute"); code != 0 {
		t.Errorf("appspec: exit %d: %s", code, errs)
	}
	if code, out, errs := runCLI("run", "../../scenarios/bad-canary.yaml", "--strategy", "Canary5Percent5Minutes"); code != 0 || !strings.Contains(out, "Canary5Percent5Minutes") {
		t.Errorf("run: exit %d: %s\n%s", code, errs, out)
	}
}
