package importer

import (
	"strings"
	"testing"

	"github.com/shiftsim/shiftsim/scenario"
	"github.com/shiftsim/shiftsim/strategies"
)

const userScenario = `# My checkout scenario: keep this comment
name: checkout
traffic: {rate: 20}  # measured on Monday
versions:
  current: {version: "4", latency: {median: 40ms, p99: 150ms}}
  target: {version: "5", error_rate: 0.01}   # the suspicious release
deployment:
  # what we use today
  strategies: [Linear10PercentEvery1Minute]
  application: shop
`

// A recommended custom plan is appended as a custom configuration, a
// predefined one by name; comments, order and other keys stay; the result
// loads and its new strategy resolves by the recommended name.
func TestWithStrategy(t *testing.T) {
	custom := strategies.Config{Name: "Canary5Percent15Minutes", Type: strategies.Canary, Percentage: 5, Interval: 15}
	out, err := WithStrategy("s.yaml", []byte(userScenario), custom, "recommended by shiftsim recommend")
	if err != nil {
		t.Fatal(err)
	}
	text := string(out)
	for _, want := range []string{"# My checkout scenario: keep this comment", "# measured on Monday", "# the suspicious release", "# what we use today",
		"- Linear10PercentEvery1Minute\n", "DeploymentConfigName: Canary5Percent15Minutes", "CanaryPercentage: 5", "CanaryInterval: 15",
		"# recommended by shiftsim recommend", "application: shop"} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q in\n%s", want, text)
		}
	}
	if strings.Index(text, "name: checkout") > strings.Index(text, "traffic:") || strings.Index(text, "strategies:") > strings.Index(text, "application: shop") {
		t.Errorf("order changed:\n%s", text)
	}
	s, err := scenario.Parse("s.yaml", out)
	if err != nil {
		t.Fatalf("%v\n%s", err, text)
	}
	if len(s.Strategies) != 2 {
		t.Fatalf("strategies %+v", s.Strategies)
	}
	st, err := s.Strategy("Canary5Percent15Minutes")
	if err != nil || st.Config != custom || st.Name != "Canary5Percent15Minutes" {
		t.Errorf("%+v %v", st, err)
	}

	pre := strategies.Config{Name: "Canary10Percent5Minutes", Type: strategies.Canary, Percentage: 10, Interval: 5}
	out, err = WithStrategy("s.yaml", out, pre, "recommended")
	if err != nil || !strings.Contains(string(out), "- Canary10Percent5Minutes # recommended\n") {
		t.Fatalf("%v\n%s", err, out)
	}
	// Once more: already listed, nothing added.
	again, err := WithStrategy("s.yaml", out, pre, "recommended")
	if err != nil || string(again) != string(out) {
		t.Errorf("re-adding changed the file: %v\n%s", err, again)
	}
}
