package scenario

import (
	"bytes"
	"encoding/json"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"

	"github.com/shiftsim/shiftsim/scenarios"
)

var updateReference = flag.Bool("update-reference", false, "rewrite docs/scenario.md from scenario.Keys")

// TestKeyDocs holds the documentation to the decoder: every key the loader
// reads is documented, and every documented key is read.
func TestKeyDocs(t *testing.T) {
	keys := Keys()
	if len(keys) < 100 {
		t.Fatalf("Keys found %d keys: the walk of File went wrong", len(keys))
	}
	seen := map[string]bool{}
	for _, k := range keys {
		seen[k.Path] = true
		if k.Doc == "" {
			t.Errorf("%s (%s): no entry in keyDocs (scenario/keydocs.go)", k.Path, k.Type)
		}
	}
	for p := range keyDocs {
		if !seen[p] {
			t.Errorf("keyDocs documents %s, which the loader does not read", p)
		}
	}
	for p := range required {
		if !seen[p] {
			t.Errorf("required names %s, which the loader does not read", p)
		}
	}
	for _, want := range []string{"alarms[].evaluation_range", "traffic.replay.format", "traffic.replay.lenient", "traffic.replay.reorder", "lambda.scaling_burst", "monitoring.poll_phase"} {
		if !seen[want] {
			t.Errorf("%s missing from Keys", want)
		}
	}
}

// TestReference regenerates docs/scenario.md and fails if the committed
// file differs (go test ./scenario -run TestReference -update-reference
// rewrites it).
func TestReference(t *testing.T) {
	const path = "../docs/scenario.md"
	got := Reference()
	if *updateReference {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(want) != got {
		t.Errorf("docs/scenario.md is not what scenario.Reference generates: run go test ./scenario -run TestReference -update-reference and review the diff")
	}
}

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(JSONSchema()))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("scenario.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("scenario.schema.json")
	if err != nil {
		t.Fatalf("the generated JSON Schema does not compile: %v", err)
	}
	return s
}

// asJSON reads a YAML document as the JSON value an editor's YAML language
// server checks against the schema.
func asJSON(t *testing.T, name string, data []byte) any {
	t.Helper()
	var v any
	if err := yaml.Unmarshal(data, &v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	j, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(j))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return doc
}

// TestSchemaBuiltins validates every built-in scenario (which the loader
// accepts) against the JSON Schema, with a maintained validator
// (santhosh-tekuri/jsonschema), and checks that the schema refuses what the
// loader refuses for the same reason: an unknown key, a missing required
// key, a duration without a unit.
func TestSchemaBuiltins(t *testing.T) {
	s := compileSchema(t)
	names, err := fs.Glob(scenarios.FS, "*.yaml")
	if err != nil || len(names) == 0 {
		t.Fatalf("no built-in scenarios: %v", err)
	}
	for _, name := range names {
		data, err := fs.ReadFile(scenarios.FS, name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ParseFS(scenarios.Tree, scenarios.Dir+"/"+name, data); err != nil {
			t.Errorf("%s: the loader refuses a built-in scenario: %v", name, err)
			continue
		}
		if err := s.Validate(asJSON(t, name, data)); err != nil {
			t.Errorf("%s: the loader accepts it, the JSON Schema does not: %v", name, err)
		}
	}
	// The examples the README shows, every family's plans among them (a
	// Flagger entry was refused by the schema the loader accepts).
	examples, _ := filepath.Glob("../examples/*.yaml")
	for _, f := range examples {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Parse(f, data); err != nil {
			continue // not a scenario (an AppSpec, a SAM template)
		}
		if err := s.Validate(asJSON(t, f, data)); err != nil {
			t.Errorf("%s: the loader accepts it, the JSON Schema does not: %v", f, err)
		}
	}
	const minimal = "versions:\n  current: {version: \"1\", latency: {median: 50ms, p99: 200ms}}\n  target: {version: \"2\"}\ntraffic: {rate: 10}\ndeployment: {strategies: [AllAtOnce]}\n"
	if _, err := Parse("minimal.yaml", []byte(minimal)); err != nil {
		t.Fatalf("the loader refuses the minimal scenario: %v", err)
	}
	if err := s.Validate(asJSON(t, "minimal", []byte(minimal))); err != nil {
		t.Errorf("the JSON Schema refuses the minimal scenario: %v", err)
	}
	bad := map[string]string{
		"unknown top-level key": minimal + "traffik: {rate: 1}\n",
		"unknown nested key":    strings.Replace(minimal, "{rate: 10}", "{rate: 10, rat: 3}", 1),
		"missing versions":      "traffic: {rate: 1}\ndeployment: {strategies: [AllAtOnce]}\n",
		"duration without unit": minimal + "horizon: 90\n",
		"object for a number":   strings.Replace(minimal, "{rate: 10}", "{rate: {x: 1}}", 1),
	}
	for _, e := range []struct{ key, inline string }{
		{"deployment.linear_model", "linear_model"},
		{"deployment.appconfig_step_timing", "appconfig_step_timing"},
		{"lambda.architecture", ""},
	} {
		for _, w := range enums[e.key] {
			text := strings.Replace(minimal, "{strategies: [AllAtOnce]}", "{strategies: [AllAtOnce], "+e.inline+": "+w+"}", 1)
			if e.inline == "" {
				text = minimal + "lambda: {architecture: " + w + "}\n"
			}
			if _, err := Parse("enum.yaml", []byte(text)); err != nil {
				t.Errorf("%s: %s: the schema offers it, the loader refuses it: %v", e.key, w, err)
			}
			if err := s.Validate(asJSON(t, w, []byte(text))); err != nil {
				t.Errorf("%s: %s: the schema refuses its own word: %v", e.key, w, err)
			}
		}
	}
	bad["word not in enum"] = strings.Replace(minimal, "{strategies: [AllAtOnce]}", "{strategies: [AllAtOnce], linear_model: end_at_the_end}", 1)
	for what, text := range bad {
		if _, err := Parse("bad.yaml", []byte(text)); err == nil {
			t.Errorf("%s: the loader accepts it", what)
		}
		if err := s.Validate(asJSON(t, what, []byte(text))); err == nil {
			t.Errorf("%s: the JSON Schema accepts what the loader refuses", what)
		}
	}
}

// A strategy entry is one of several shapes: a key that one shape demands
// (an ECS plan's deploymentConfiguration) is documented with when it is
// required, never with a bare "Required." that would make every entry need it.
func TestReferenceRequiredSaysWhen(t *testing.T) {
	ref := Reference()
	for _, k := range Keys() {
		rest, ok := strings.CutPrefix(k.Path, "deployment.strategies[].")
		if !ok || strings.Contains(rest, ".") || !k.Required {
			continue
		}
		var line string
		for _, l := range strings.Split(ref, "\n") {
			if strings.HasPrefix(l, "| `"+k.Path+"` |") {
				line = l
			}
		}
		if strings.HasSuffix(line, " Required. |") || !strings.Contains(line, "Required in an ECS plan only") {
			t.Errorf("%s: %s", k.Path, line)
		}
	}
	if !strings.Contains(ref, "| `deployment.strategies[].deploymentConfiguration` |") {
		t.Error("deploymentConfiguration is not documented")
	}
}
