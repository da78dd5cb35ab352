package sweep

import (
	"fmt"
	"strings"

	"github.com/shiftsim/shiftsim/sim"
)

// Vary is one varied parameter: a key of the scenario by its YAML path, as
// the scenario's own error messages name keys (traffic.rate,
// faults[0].error_rate, alarms[1].Threshold), and the values to try, as
// YAML text. The scenario decodes each value into its key with its own
// strict decoder (scenario.ParseWith): a sweep edits the model, never the
// file's text.
type Vary struct {
	Path   string
	Values []string
}

// ParseVary reads "PATH=V1,V2,...".
func ParseVary(s string) (Vary, error) {
	path, vals, ok := strings.Cut(s, "=")
	if !ok || strings.TrimSpace(path) == "" || strings.TrimSpace(vals) == "" {
		return Vary{}, fmt.Errorf("%q: want PATH=VALUE,VALUE,... (e.g. traffic.rate=10,100,1000)", s)
	}
	v := Vary{Path: strings.TrimSpace(path)}
	for _, x := range strings.Split(vals, ",") {
		x = strings.TrimSpace(x)
		if x == "" {
			return Vary{}, fmt.Errorf("%q: empty value", s)
		}
		v.Values = append(v.Values, x)
	}
	return v, nil
}

// Setting is one value given to one path.
type Setting struct{ Path, Value string }

// Grid is every combination of the varied values, the first path varying
// slowest.
func Grid(vs []Vary) [][]Setting {
	out := [][]Setting{nil}
	for _, v := range vs {
		var next [][]Setting
		for _, combo := range out {
			for _, x := range v.Values {
				c := append(append([]Setting(nil), combo...), Setting{v.Path, x})
				next = append(next, c)
			}
		}
		out = next
	}
	return out
}

// Label is a combination in the form PATH=VALUE PATH=VALUE.
func Label(c []Setting) string {
	parts := make([]string, len(c))
	for i, s := range c {
		parts[i] = s.Path + "=" + s.Value
	}
	return strings.Join(parts, " ")
}

// GridPoint is one combination of a sweep's grid: its settings, and the
// model and strategies they give.
type GridPoint struct {
	Settings   []Setting
	Model      *sim.Model
	Strategies []sim.Strategy
}

// RunGrid runs the multi-run comparison (Run) at every point of a grid,
// one point after the other, each on every core. opts applies to every
// point; its Progress counts over the whole grid.
func RunGrid(grid []GridPoint, opts Options) ([]*Replicated, error) {
	runs := max(opts.Runs, 1)
	total := 0
	for _, g := range grid {
		total += runs * len(g.Strategies)
	}
	out := make([]*Replicated, len(grid))
	done := 0
	for i, g := range grid {
		o := opts
		if opts.Progress != nil {
			base := done
			o.Progress = func(n, _ int) { opts.Progress(base+n, total) }
		}
		rep, err := Run(g.Model, g.Strategies, o)
		if err != nil {
			return nil, fmt.Errorf("with %s: %w", Label(g.Settings), err)
		}
		out[i] = rep
		done += runs * len(g.Strategies)
	}
	return out, nil
}
