package scenario

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/shiftsim/shiftsim/strategies"
)

// indentBy puts prefix before every non-empty line of s but the first,
// which gets first.
func indentBy(s, first, prefix string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		switch {
		case i == 0:
			lines[i] = first + l
		case l != "":
			lines[i] = prefix + l
		}
	}
	return strings.Join(lines, "\n") + "\n"
}

const roundTripHead = `name: round-trip
function: {name: orders, alias: live}
traffic: {rate: 10}
versions:
  current: {version: "1", error_rate: 0.001, latency: {median: 40ms, p99: 200ms}}
  target: {version: "2", error_rate: 0.01}
`

// The Argo Rollouts and Flagger plans recommend answers with, in their own
// YAML, read back as the same plans: parse → emit → parse, for every
// Argo and Flagger strategy of the examples and of this package's tests.
func TestPeersYAMLRoundTrip(t *testing.T) {
	var docs []string
	for _, f := range []string{"../examples/argo.yaml", "../examples/flagger.yaml"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, string(b))
	}
	docs = append(docs, flaggerDoc, argoScenario)
	n := 0
	for _, src := range docs {
		s, err := Parse("src.yaml", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range s.Strategies {
			var doc string
			switch c := st.Config; {
			case c.Argo():
				doc = roundTripHead + "analysisTemplates:\n"
				for _, m := range c.Rollout.TemplatesYAML() {
					doc += indentBy(m, "  - ", "    ")
				}
				doc += "deployment:\n  strategies:\n" + indentBy(c.Rollout.StrategyYAML(), "    - name: "+st.Name+"\n      ", "      ")
			case c.Type == strategies.FlaggerType:
				doc = roundTripHead + "deployment:\n  strategies:\n    - name: " + st.Name + "\n      analysis:\n" +
					indentBy(c.Flagger.AnalysisYAML(), "        ", "        ")
			default:
				continue
			}
			back, err := Parse("emitted.yaml", []byte(doc))
			if err != nil {
				t.Fatalf("%s: the emitted YAML does not load: %v\n%s", st.Name, err, doc)
			}
			got := back.Strategies[0].Config
			if !reflect.DeepEqual(got.Rollout, st.Config.Rollout) || !reflect.DeepEqual(got.Flagger, st.Config.Flagger) || got.Type != st.Config.Type {
				t.Errorf("%s: read back as\n%+v\nwant\n%+v\nfrom\n%s", st.Name, got, st.Config, doc)
			}
			n++
		}
	}
	if n < 5 {
		t.Fatalf("only %d plans round-tripped", n)
	}
}
