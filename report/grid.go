package report

import (
	"encoding/csv"
	"fmt"
	"html"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/shiftsim/shiftsim/sim"
)

// grid is a table of text cells that every tabular format renders the
// same way: aligned text, Markdown, CSV, HTML.
type grid struct {
	head  []string
	rows  [][]string
	right []bool // right-align column i (Markdown and HTML; text stays left)
	// drop lists the columns to leave out first when a terminal is too
	// narrow (default: from the last to the second).
	drop []int
	// color gives a cell's ANSI colour on a terminal that allows it, or "".
	color func(col int, cell string) string
}

func (g *grid) add(cells ...string) { g.rows = append(g.rows, cells) }

func mdCell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

func (g *grid) markdown(w io.Writer) error {
	var b strings.Builder
	b.WriteString("|")
	for _, h := range g.head {
		b.WriteString(" " + mdCell(h) + " |")
	}
	b.WriteString("\n|")
	for i := range g.head {
		if i < len(g.right) && g.right[i] {
			b.WriteString(" ---: |")
		} else {
			b.WriteString(" --- |")
		}
	}
	b.WriteString("\n")
	for _, r := range g.rows {
		b.WriteString("|")
		for _, c := range r {
			b.WriteString(" " + mdCell(c) + " |")
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func (g *grid) csv(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(g.head); err != nil {
		return err
	}
	if err := cw.WriteAll(g.rows); err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

func (g *grid) html(w io.Writer, class string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "<table class=%q>\n<thead><tr>", class)
	for _, h := range g.head {
		b.WriteString("<th>" + html.EscapeString(h) + "</th>")
	}
	b.WriteString("</tr></thead>\n<tbody>\n")
	for _, r := range g.rows {
		b.WriteString("<tr>")
		for i, c := range r {
			if i < len(g.right) && g.right[i] {
				b.WriteString(`<td class="num">` + html.EscapeString(c) + "</td>")
			} else {
				b.WriteString("<td>" + html.EscapeString(c) + "</td>")
			}
		}
		b.WriteString("</tr>\n")
	}
	b.WriteString("</tbody>\n</table>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// Cell formats shared by the formats.

func dur(s float64) string { return sim.Clock(time.Duration(s * float64(time.Second))) }

func durPtr(p *float64) string {
	if p == nil {
		return "-"
	}
	return dur(*p)
}

func rawPtr(p *float64) string {
	if p == nil {
		return ""
	}
	return raw(*p)
}

// raw is a number for machines: shortest exact decimal.
func raw(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

// fixed is a number for people with d decimals.
func fixed(p *float64, d int) string {
	if p == nil {
		return "-"
	}
	return strconv.FormatFloat(*p, 'f', d, 64)
}

func percent(p float64) string { return strconv.FormatFloat(100*p, 'f', 2, 64) + "%" }

// fromStart is a virtual time counted from the deployment start (all the
// people's tables count from there), "-" for one that did not happen.
func fromStart(p *float64, start float64) string {
	if p == nil {
		return "-"
	}
	if *p < start {
		return "-" + dur(start-*p)
	}
	return dur(*p - start)
}

// Since is t counted from origin: t+1m00s, or t-5m00s for what came before.
func Since(t, origin float64) string {
	if t < origin {
		return "t-" + dur(origin-t)
	}
	return "t+" + dur(t-origin)
}

func causeOf(c *string) string {
	if c == nil {
		return "-"
	}
	return *c
}

// singleGrid is the people's table of one run per strategy.
func singleGrid(doc Compared) *grid {
	g := &grid{head: []string{"strategy", "status", "rollback cause", "full shift", "detected", "ended",
		"target reqs", "target failed", "all failed", "failed %"},
		right: []bool{false, false, false, true, true, true, true, true, true, true}}
	// Rollback cause and the counts of both versions go first when a
	// terminal is narrow; the times and the target's counts stay.
	g.drop = []int{2, 8, 9, 6}
	g.color = func(col int, cell string) string {
		if col == 1 {
			return statusColor(cell)
		}
		return ""
	}
	for _, r := range doc.Results {
		cause := causeOf(r.RollbackCause)
		if r.RollbackCause == nil && r.StopCause != nil {
			cause = "none: " + *r.StopCause + " stopped it"
		}
		g.add(r.Strategy, r.StatusWords(), cause, fromStart(r.FullShift, r.DeploymentStart),
			fromStart(r.Detected, r.DeploymentStart), fromStart(r.End, r.DeploymentStart),
			strconv.FormatInt(r.TargetRequests, 10), strconv.FormatInt(r.TargetFailedRequests, 10),
			strconv.FormatInt(r.FailedRequests, 10), pct(r.FailedRequests, r.Requests))
	}
	return g
}

// singleCSV is the contract's fields of one run per strategy, raw.
func singleCSV(doc Compared) *grid {
	g := &grid{head: []string{"strategy", "config", "status", "rolled_back", "rollback_cause", "deployment_start_s",
		"full_shift_s", "end_s", "detected_s", "requests", "target_requests", "failed_requests", "target_failed_requests"}}
	for _, r := range doc.Results {
		cause := ""
		if r.RollbackCause != nil {
			cause = *r.RollbackCause
		}
		g.add(r.Strategy, r.Config, r.Status, strconv.FormatBool(r.RolledBack), cause, raw(r.DeploymentStart),
			rawPtr(r.FullShift), rawPtr(r.End), rawPtr(r.Detected), strconv.FormatInt(r.Requests, 10),
			strconv.FormatInt(r.TargetRequests, 10), strconv.FormatInt(r.FailedRequests, 10),
			strconv.FormatInt(r.TargetFailedRequests, 10))
	}
	return g
}

func probCell(p float64, ci [2]float64) string {
	return fmt.Sprintf("%s [%s, %s]", percent(p), percent(ci[0]), percent(ci[1]))
}

// runsGrid is the people's table of many runs per strategy.
func runsGrid(doc ComparedRuns) *grid {
	head := []string{"strategy", "P(rollback) [95% CI]", "P(false rollback) [95% CI]"}
	if !doc.HealthyTarget {
		head = append(head, "P(reached 100% undetected)")
	}
	head = append(head, "detected after p50 [p5, p95]", "target failed mean [95% CI]", "p50", "p95",
		"caused mean", "all failed mean", "planned", "frontier")
	g := &grid{head: head}
	for i := range head {
		g.right = append(g.right, i > 0 && i < len(head)-1)
	}
	// On a narrow terminal the rollback probability, the target's failures
	// and the planned time stay longest.
	at := func(name string) int {
		for i, h := range head {
			if h == name {
				return i
			}
		}
		return -1
	}
	for _, name := range []string{"p50", "caused mean", "all failed mean", "p95", "frontier", "P(reached 100% undetected)",
		"P(false rollback) [95% CI]", "detected after p50 [p5, p95]", "planned"} {
		if i := at(name); i > 0 {
			g.drop = append(g.drop, i)
		}
	}
	g.color = func(col int, cell string) string {
		if head[col] == "frontier" && cell == "yes" {
			return colorGreen
		}
		return ""
	}
	cell := func(p *Prob) string {
		if p == nil {
			return "-"
		}
		return probCell(p.P, [2]float64{p.CI95Low, p.CI95High})
	}
	for _, r := range doc.Results {
		detect := "never"
		if t := r.TimeToDetect; t.P50 != nil {
			detect = fmt.Sprintf("%s [%s, %s]", durPtr(t.P50), durPtr(t.P5), durPtr(t.P95))
			if t.NullFraction > 0 {
				detect += fmt.Sprintf(" (%s never)", percent(t.NullFraction))
			}
		}
		tf := r.TargetFailedRequests
		front := ""
		if r.OnFrontier {
			front = "yes"
		}
		row := []string{r.Strategy, probCell(r.RollbackProbability, r.RollbackCI95),
			probCell(r.FalseRollbackProbability, r.FalseRollbackCI95)}
		if !doc.HealthyTarget {
			row = append(row, cell(r.FaultAtFull))
		}
		row = append(row, detect, fmt.Sprintf("%s [%s, %s]", fixed(tf.Mean, 1), fixed(tf.CI95Low, 1), fixed(tf.CI95High, 1)),
			fixed(tf.P50, 0), fixed(tf.P95, 0), fixed(r.ExcessTargetFailedRequests.Mean, 1), fixed(r.FailedRequests.Mean, 1),
			dur(r.PlannedDuration), front)
		g.add(row...)
	}
	return g
}

// runsCSV flattens every distribution of many runs per strategy into
// columns named metric_stat, raw.
func runsCSV(doc ComparedRuns) *grid {
	g := &grid{head: []string{"strategy", "config", "runs", "status", "rollback_probability", "rollback_ci95_low",
		"rollback_ci95_high", "fault_at_full_probability", "fault_at_full_ci95_low", "fault_at_full_ci95_high",
		"false_rollback_probability", "false_rollback_ci95_low", "false_rollback_ci95_high", "planned_duration_s", "on_frontier"}}
	stats := []string{"mean", "stddev", "min", "p5", "p50", "p95", "max", "ci95_low", "ci95_high"}
	times := []string{"deployment_start_s", "full_shift_s", "end_s", "detected_s", "time_to_detect_s", "duration_s"}
	counts := []string{"requests", "target_requests", "failed_requests", "target_failed_requests"}
	for _, m := range times {
		for _, s := range stats {
			g.head = append(g.head, m+"_"+s)
		}
		g.head = append(g.head, m+"_null_fraction")
	}
	for _, m := range counts {
		for _, s := range stats {
			g.head = append(g.head, m+"_"+s)
		}
	}
	probCells := func(p *Prob) []string {
		if p == nil {
			return []string{"", "", ""}
		}
		return []string{raw(p.P), raw(p.CI95Low), raw(p.CI95High)}
	}
	distCells := func(d Dist) []string {
		return []string{rawPtr(d.Mean), rawPtr(d.StdDev), rawPtr(d.Min), rawPtr(d.P5), rawPtr(d.P50), rawPtr(d.P95),
			rawPtr(d.Max), rawPtr(d.CI95Low), rawPtr(d.CI95High)}
	}
	for _, r := range doc.Results {
		row := []string{r.Strategy, r.Config, strconv.Itoa(r.Runs), r.Status, raw(r.RollbackProbability),
			raw(r.RollbackCI95[0]), raw(r.RollbackCI95[1])}
		row = append(row, probCells(r.FaultAtFull)...)
		row = append(row, probCells(r.FalseRollback)...)
		row = append(row, raw(r.PlannedDuration), strconv.FormatBool(r.OnFrontier))
		for _, t := range []TimeDist{r.DeploymentStart, r.FullShift, r.End, r.Detected, r.TimeToDetect, r.Duration} {
			row = append(row, distCells(t.Dist)...)
			row = append(row, raw(t.NullFraction))
		}
		for _, d := range []Dist{r.Requests, r.TargetRequests, r.FailedRequests, r.TargetFailedRequests} {
			row = append(row, distCells(d)...)
		}
		g.add(row...)
	}
	return g
}
