package report

import (
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"strings"
)

// Page is what the HTML report shows: the comparison (one run or many),
// its charts, and the timeline of one run of every strategy.
type Page struct {
	Single *Compared     // one run per strategy; nil when Runs is set
	Runs   *ComparedRuns // many runs per strategy
	Charts []Chart
	// Timelines is one run of every strategy with its timeline (run 0).
	Timelines []Result
	// Scenario describes what was simulated (versions, faults, alarms,
	// hooks), one labelled line each, in the order given; the page adds the
	// traffic the runs met, counted from Timelines.
	Scenario []SummaryItem
}

// SummaryItem is one labelled line of the scenario summary.
type SummaryItem struct{ Label, Text string }

// trafficLine says how much traffic run 0 met: requests to both versions
// over the simulated horizon, as counted by the simulation.
func trafficLine(rs []Result, horizonS float64) string {
	if len(rs) == 0 || horizonS <= 0 {
		return ""
	}
	var n int64
	for _, v := range rs[0].Versions {
		n += v.Requests
	}
	return fmt.Sprintf("%d requests in %s of virtual time (%.1f per second on average; run 0 of %s)",
		n, horizon(horizonS), float64(n)/horizonS, rs[0].Strategy)
}

// singleVerdicts are one line per strategy of a single run: how it ended,
// when (from the deployment start, as the table counts) and why, and what
// the new version's users paid.
func singleVerdicts(doc Compared) []string {
	out := make([]string, 0, len(doc.Results))
	for _, r := range doc.Results {
		v := r.Strategy + ": " + r.Status
		switch {
		case r.RolledBack && r.End != nil:
			v += ", rolled back at " + Since(*r.End, r.DeploymentStart)
			if r.RollbackCause != nil {
				v += " (" + *r.RollbackCause + ")"
			}
		case r.FullShift != nil:
			v += ", all traffic on the new version at " + Since(*r.FullShift, r.DeploymentStart)
		}
		v += fmt.Sprintf("; %d failed requests on the new version", r.TargetFailedRequests)
		out = append(out, v)
	}
	return out
}

type pageChart struct {
	Name, Title string
	Src         template.URL
}

// pageData is what the page template shows, for a comparison and for a
// replay alike.
type pageData struct {
	Title, Summary, Note string
	Table                template.HTML
	Charts               []pageChart
	Timelines            []pageTimeline
	Verdicts             []string
	Columns              []Column
	Scenario             []SummaryItem
}

type pageTimeline struct {
	Strategy, Summary string
	Lines             []string
}

// pageCharts embeds each chart's SVG in the page as a data URL.
func pageCharts(charts []Chart) []pageChart {
	var out []pageChart
	for _, c := range charts {
		out = append(out, pageChart{Name: c.Name, Title: c.Title,
			Src: template.URL("data:image/svg+xml;base64," + base64.StdEncoding.EncodeToString(c.SVG))})
	}
	return out
}

// pageTimelines is each run's timeline as the page shows it: times since
// the deployment started, the status and rollback cause as its summary.
func pageTimelines(runs []Result) []pageTimeline {
	var out []pageTimeline
	for _, r := range runs {
		t := pageTimeline{Strategy: r.Strategy, Summary: r.StatusWords()}
		if r.RollbackCause != nil {
			t.Summary += ", rolled back: " + *r.RollbackCause
		}
		for _, e := range r.Timeline {
			t.Lines = append(t.Lines, Since(e.At, r.DeploymentStart)+" "+e.Text+e.native())
		}
		out = append(out, t)
	}
	return out
}

// HTML writes the report as one self-contained page: styles, charts (SVG
// data URIs) and tables inline, no external resource, so it can be opened
// from disk or mailed. A small script marks the body with data-rendered
// ("yes" once every chart has loaded) and data-errors (any script or
// resource error), so a headless browser can check the page.
func HTML(w io.Writer, p Page) error {
	var table strings.Builder
	var title, summary, note string
	var data0 struct{ Verdicts []string }
	var horizonS float64
	var cols []Column
	switch {
	case p.Runs != nil:
		title = p.Runs.Scenario
		summary = runsTitle(*p.Runs)
		note = strings.ReplaceAll(runsNote, "%%", "%")
		data0.Verdicts = verdicts(*p.Runs)
		horizonS = p.Runs.Horizon
		g := runsGrid(*p.Runs)
		cols = columnsOf(g.head, RunsColumns)
		if err := g.html(&table, "results"); err != nil {
			return err
		}
	case p.Single != nil:
		title = p.Single.Scenario
		summary = "scenario " + p.Single.Scenario + "  seed " + raw(float64(p.Single.Seed)) + "  horizon " + horizon(p.Single.Horizon) + "  one run per strategy"
		note = singleNote
		data0.Verdicts = singleVerdicts(*p.Single)
		horizonS = p.Single.Horizon
		if line := TwinLine(*p.Single); line != "" {
			note = line + "\n" + note
		}
		g := singleGrid(*p.Single)
		cols = columnsOf(g.head, SingleColumns)
		if err := g.html(&table, "results"); err != nil {
			return err
		}
	}
	data := pageData{Title: title, Summary: summary, Note: note, Table: template.HTML(table.String()), Verdicts: data0.Verdicts, Columns: cols}
	if t := trafficLine(p.Timelines, horizonS); t != "" {
		data.Scenario = append(data.Scenario, SummaryItem{"traffic", t})
	}
	data.Scenario = append(data.Scenario, p.Scenario...)
	data.Charts, data.Timelines = pageCharts(p.Charts), pageTimelines(p.Timelines)
	return pageTemplate.Execute(w, data)
}

var pageTemplate = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>shiftsim: {{.Title}}</title>
<style>
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 1.5em auto; max-width: 110em; padding: 0 1em; color: #222; line-height: 1.4; }
h1 { font-size: 1.5em; overflow-wrap: anywhere; } h2 { font-size: 1.2em; margin-top: 2em; }
.summary { color: #555; font-family: ui-monospace, monospace; overflow-wrap: anywhere; }
.verdicts { font-size: 1.05em; padding-left: 1.2em; } .verdicts li { margin: 0.2em 0; overflow-wrap: anywhere; }
dl.scenario { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 0.2em 1em; margin: 0; }
dl.scenario dt { font-weight: 600; } dl.scenario dd { margin: 0; overflow-wrap: anywhere; }
.scroll { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; font-size: 0.85em; width: 100%; }
th, td { border-bottom: 1px solid #ddd; padding: 0.3em 0.45em; text-align: left; vertical-align: top; }
th { background: #f4f4f4; font-weight: 600; }
td { overflow-wrap: break-word; }
td.num { text-align: right; font-variant-numeric: tabular-nums; overflow-wrap: normal; }
dd { overflow-wrap: anywhere; }
figure { margin: 1.5em 0; }
figure img { display: block; width: 100%; max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #555; font-size: 0.9em; }
pre { background: #f8f8f8; padding: 0.8em; overflow-x: auto; font-size: 0.85em; white-space: pre-wrap; overflow-wrap: anywhere; }
.note { color: #555; font-size: 0.9em; white-space: pre-line; }
@media (max-width: 40em) { body { padding: 0 0.5em; } table { font-size: 0.75em; } th, td { padding: 0.25em 0.3em; } }
</style>
<script>
window.addEventListener("error", function (e) {
  var what = e.message || ("failed to load " + ((e.target && (e.target.src || e.target.href)) || "a resource")).slice(0, 80);
  var prev = document.body.getAttribute("data-errors");
  document.body.setAttribute("data-errors", (prev ? prev + "; " : "") + what);
}, true);
window.addEventListener("load", function () {
  var imgs = document.querySelectorAll("img.chart"), ok = 0;
  for (var i = 0; i < imgs.length; i++) { if (imgs[i].complete && imgs[i].naturalWidth > 0) { ok++; } }
  document.body.setAttribute("data-charts", ok + "/" + imgs.length);
  document.body.setAttribute("data-tables", String(document.querySelectorAll("table").length));
  document.body.setAttribute("data-rendered", ok === imgs.length ? "yes" : "no");
  // Layout facts for a headless check: how far the page and the widest
  // table scroll sideways (0: they fit), and the narrowest chart's share of
  // its figure's width (1: full width).
  var page = document.documentElement.scrollWidth - document.documentElement.clientWidth, table = 0, fill = 1;
  var boxes = document.querySelectorAll(".scroll");
  for (var j = 0; j < boxes.length; j++) { table = Math.max(table, boxes[j].scrollWidth - boxes[j].clientWidth); }
  for (var k = 0; k < imgs.length; k++) { fill = Math.min(fill, imgs[k].clientWidth / imgs[k].parentNode.clientWidth); }
  // A number is never split inside itself: a cell without a space that
  // takes more than one line is broken.
  var broken = 0, cells = document.querySelectorAll("td.num"), r = document.createRange();
  for (var c = 0; c < cells.length; c++) {
    r.selectNodeContents(cells[c]);
    if (cells[c].textContent.indexOf(" ") < 0 && r.getClientRects().length > 1) { broken++; }
  }
  document.body.setAttribute("data-broken-numbers", String(broken));
  document.body.setAttribute("data-viewport", String(window.innerWidth));
  document.body.setAttribute("data-page-overflow", String(Math.max(page, 0)));
  document.body.setAttribute("data-table-overflow", String(Math.max(table, 0)));
  document.body.setAttribute("data-chart-fill", fill.toFixed(2));
});
</script>
</head>
<body>
<h1>shiftsim: {{.Title}}</h1>
<p class="summary">{{.Summary}}</p>
{{if .Verdicts}}<h2>Verdict</h2>
<ul class="verdicts">
{{range .Verdicts}}<li>{{.}}</li>
{{end}}</ul>
{{end}}{{if .Scenario}}<h2>Scenario</h2>
<dl class="scenario">
{{range .Scenario}}<dt>{{.Label}}</dt><dd>{{.Text}}</dd>
{{end}}</dl>
{{end}}<h2>Strategies</h2>
<div class="scroll">{{.Table}}</div>
<p class="note">{{.Note}}</p>
{{if .Columns}}<details class="columns"><summary>What each column means</summary>
<dl>{{range .Columns}}<dt>{{.Name}}</dt><dd>{{.Meaning}}</dd>
{{end}}</dl>
</details>
{{end}}{{range .Charts}}<figure id="{{.Name}}">
<img class="chart" alt="{{.Title}}" src="{{.Src}}">
<figcaption>{{.Title}}</figcaption>
</figure>
{{end}}{{if .Timelines}}<h2>Timelines (one run of each strategy)</h2>
{{range .Timelines}}<details>
<summary>{{.Strategy}}: {{.Summary}}</summary>
<pre>{{range .Lines}}{{.}}
{{end}}</pre>
</details>
{{end}}{{end}}<p class="note">Made by shiftsim from a deterministic simulation: the same scenario and seed give the same page.</p>
</body>
</html>
`))
