package report

import (
	"fmt"
	"io"
	"time"

	"github.com/shiftsim/shiftsim/sim"
)

// Formats lists the --output values of compare, in the order --help shows.
var Formats = []string{"table", "json", "csv", "markdown", "html"}

func horizon(s float64) string { return sim.Clock(time.Duration(s * float64(time.Second))) }

// Markdown writes one row per strategy as a Markdown table, for a pull
// request or a wiki page.
func Markdown(w io.Writer, doc Compared) error {
	fmt.Fprintf(w, "**%s** · seed %d · horizon %s · one run per strategy\n\n", doc.Scenario, doc.Seed, horizon(doc.Horizon))
	if err := singleGrid(doc).markdown(w); err != nil {
		return err
	}
	if line := TwinLine(doc); line != "" {
		fmt.Fprintf(w, "\n%s\n", line)
	}
	_, err := fmt.Fprintln(w, "\n"+singleNote)
	return err
}

// CSV writes the contract's fields, one row per strategy, with times in
// seconds and an empty cell for a time that did not happen.
func CSV(w io.Writer, doc Compared) error { return singleCSV(doc).csv(w) }

func runsTitle(doc ComparedRuns) string {
	return fmt.Sprintf("scenario %s  seed %d  horizon %s  %d runs per strategy", doc.Scenario, doc.Seed, horizon(doc.Horizon), doc.Runs)
}

// verdicts are the one-line verdicts every report of many runs opens with.
func verdicts(doc ComparedRuns) []string {
	out := make([]string, 0, len(doc.Results))
	for _, r := range doc.Results {
		out = append(out, r.Strategy+": "+r.Verdict)
	}
	return out
}

const runsNote = `Run i of every strategy uses the same seed (run 0 the scenario's), so strategies meet the same traffic.
A false rollback is a rollback of the healthy twin: the same runs with the target behaving exactly like the
current version. 'caused' counts the target's failures beyond the current version's own failure rate.
Intervals are 95 %%: Wilson for probabilities, Student's t for means. 'detected after' counts from the
deployment start. 'planned' is the deployment's length when nothing stops it; 'frontier' marks the
strategies that no other beats on both planned time and mean target failures.
`

// TableRuns writes one row per strategy of many runs, for people.
func TableRuns(w io.Writer, doc ComparedRuns) error {
	fmt.Fprintf(w, "%s\n\n", runsTitle(doc))
	for _, v := range verdicts(doc) {
		fmt.Fprintln(w, v)
	}
	fmt.Fprintln(w)
	if err := runsGrid(doc).text(w); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\n"+runsNote)
	return err
}

// MarkdownRuns writes TableRuns as Markdown.
func MarkdownRuns(w io.Writer, doc ComparedRuns) error {
	fmt.Fprintf(w, "**%s** · seed %d · horizon %s · %d runs per strategy\n\n", doc.Scenario, doc.Seed, horizon(doc.Horizon), doc.Runs)
	for _, v := range verdicts(doc) {
		fmt.Fprintf(w, "- %s\n", v)
	}
	fmt.Fprintln(w)
	if err := runsGrid(doc).markdown(w); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\n"+runsNote)
	return err
}

// CSVRuns writes every distribution of many runs, one row per strategy,
// in columns named metric_stat (requests_mean, detected_s_p95, ...).
func CSVRuns(w io.Writer, doc ComparedRuns) error { return runsCSV(doc).csv(w) }
