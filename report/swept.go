package report

import (
	"fmt"
	"io"
)

// Swept is the document of `shiftsim sweep`: the multi-run comparison at
// every combination of the varied scenario values.
type Swept struct {
	Scenario string       `json:"scenario"`
	Seed     uint64       `json:"seed"`
	Runs     int          `json:"runs"`
	Vary     []VaryValues `json:"vary"`
	Points   []SweptPoint `json:"points"`
}

// VaryValues is one varied path and its values, as given.
type VaryValues struct {
	Path   string   `json:"path"`
	Values []string `json:"values"`
}

// SweptPoint is one combination of values and its comparison.
type SweptPoint struct {
	Values        map[string]string `json:"values"`
	HealthyTarget bool              `json:"healthy_target"`
	Horizon       float64           `json:"horizon_s"`
	Results       []RunsResult      `json:"results"`
}

func sweptGrid(doc Swept, machine bool) *grid {
	g := &grid{}
	for _, v := range doc.Vary {
		g.head = append(g.head, v.Path)
		g.right = append(g.right, true)
	}
	if machine {
		g.head = append(g.head, "strategy", "rollback_probability", "rollback_ci95_low", "rollback_ci95_high",
			"fault_at_full_probability", "false_rollback_probability", "time_to_detect_p50_s", "never_detected_fraction",
			"target_failed_mean", "target_failed_p95", "failed_mean")
	} else {
		g.head = append(g.head, "strategy", "P(rollback) [95% CI]", "P(reached 100% undetected)", "P(false rollback)",
			"detected after p50", "target failed mean", "p95", "all failed mean")
		g.right = append(g.right, false, true, true, true, true, true, true, true)
	}
	for _, p := range doc.Points {
		for _, r := range p.Results {
			var row []string
			for _, v := range doc.Vary {
				row = append(row, p.Values[v.Path])
			}
			tf := r.TargetFailedRequests
			if machine {
				pr := func(x *Prob) string {
					if x == nil {
						return ""
					}
					return raw(x.P)
				}
				row = append(row, r.Strategy, raw(r.RollbackProbability), raw(r.RollbackCI95[0]), raw(r.RollbackCI95[1]),
					pr(r.FaultAtFull), pr(r.FalseRollback), rawPtr(r.TimeToDetect.P50), raw(r.TimeToDetect.NullFraction),
					rawPtr(tf.Mean), rawPtr(tf.P95), rawPtr(r.FailedRequests.Mean))
			} else {
				pr := func(x *Prob) string {
					if x == nil {
						return "-"
					}
					return percent(x.P)
				}
				detect := "never"
				if r.TimeToDetect.P50 != nil {
					detect = durPtr(r.TimeToDetect.P50)
					if nf := r.TimeToDetect.NullFraction; nf > 0 {
						detect += fmt.Sprintf(" (%s never)", percent(nf))
					}
				}
				row = append(row, r.Strategy, probCell(r.RollbackProbability, r.RollbackCI95), pr(r.FaultAtFull),
					pr(r.FalseRollback), detect, fixed(tf.Mean, 1), fixed(tf.P95, 0), fixed(r.FailedRequests.Mean, 1))
			}
			g.add(row...)
		}
	}
	return g
}

func sweptTitle(doc Swept) string {
	return fmt.Sprintf("scenario %s  seed %d  %d runs per strategy and combination", doc.Scenario, doc.Seed, doc.Runs)
}

// SweptTable writes one row per combination and strategy, for people.
func SweptTable(w io.Writer, doc Swept) error {
	fmt.Fprintf(w, "%s\n\n", sweptTitle(doc))
	if err := sweptGrid(doc, false).text(w); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\n"+sweptNote)
	return err
}

const sweptNote = `Run i of every strategy uses the same seed (run 0 the scenario's), at every combination of values.
Intervals are 95 %%: Wilson for probabilities. 'detected after' counts from the deployment start.
`

// SweptMarkdown writes SweptTable as Markdown.
func SweptMarkdown(w io.Writer, doc Swept) error {
	fmt.Fprintf(w, "**%s** · seed %d · %d runs per strategy and combination\n\n", doc.Scenario, doc.Seed, doc.Runs)
	if err := sweptGrid(doc, false).markdown(w); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\n"+sweptNote)
	return err
}

// SweptCSV writes one row per combination and strategy, raw.
func SweptCSV(w io.Writer, doc Swept) error { return sweptGrid(doc, true).csv(w) }
