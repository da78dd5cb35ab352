package report

import (
	"encoding/base64"
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
}

type pageChart struct {
	Name, Title string
	Src         template.URL
}

type pageTimeline struct {
	Strategy, Summary string
	Lines             []string
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
	var cols []Column
	switch {
	case p.Runs != nil:
		title = p.Runs.Scenario
		summary = runsTitle(*p.Runs)
		note = strings.ReplaceAll(runsNote, "%%", "%")
		data0.Verdicts = verdicts(*p.Runs)
		g := runsGrid(*p.Runs)
		cols = columnsOf(g.head, RunsColumns)
		if err := g.html(&table, "results"); err != nil {
			return err
		}
	case p.Single != nil:
		title = p.Single.Scenario
		summary = "scenario " + p.Single.Scenario + "  seed " + raw(float64(p.Single.Seed)) + "  horizon " + horizon(p.Single.Horizon) + "  one run per strategy"
		note = singleNote
		if line := TwinLine(*p.Single); line != "" {
			note = line + "\n" + note
		}
		g := singleGrid(*p.Single)
		cols = columnsOf(g.head, SingleColumns)
		if err := g.html(&table, "results"); err != nil {
			return err
		}
	}
	data := struct {
		Title, Summary, Note string
		Table                template.HTML
		Charts               []pageChart
		Timelines            []pageTimeline
		Verdicts             []string
		Columns              []Column
	}{Title: title, Summary: summary, Note: note, Table: template.HTML(table.String()), Verdicts: data0.Verdicts, Columns: cols}
	for _, c := range p.Charts {
		data.Charts = append(data.Charts, pageChart{Name: c.Name, Title: c.Title,
			Src: template.URL("data:image/svg+xml;base64," + base64.StdEncoding.EncodeToString(c.SVG))})
	}
	for _, r := range p.Timelines {
		t := pageTimeline{Strategy: r.Strategy, Summary: r.Status}
		if r.RollbackCause != nil {
			t.Summary += ", rolled back: " + *r.RollbackCause
		}
		for _, e := range r.Timeline {
			t.Lines = append(t.Lines, Since(e.At, r.DeploymentStart)+" "+e.Text)
		}
		data.Timelines = append(data.Timelines, t)
	}
	return pageTemplate.Execute(w, data)
}

var pageTemplate = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>shiftsim: {{.Title}}</title>
<style>
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2em auto; max-width: 72em; padding: 0 1em; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; }
.summary { color: #555; font-family: ui-monospace, monospace; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; font-size: 0.9em; }
th, td { border-bottom: 1px solid #ddd; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }
th { background: #f4f4f4; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
figure { margin: 1.5em 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #555; font-size: 0.9em; }
pre { background: #f8f8f8; padding: 0.8em; overflow-x: auto; font-size: 0.85em; }
.note { color: #555; font-size: 0.9em; white-space: pre-line; }
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
});
</script>
</head>
<body>
<h1>shiftsim: {{.Title}}</h1>
<p class="summary">{{.Summary}}</p>
{{if .Verdicts}}<ul class="verdicts">
{{range .Verdicts}}<li>{{.}}</li>
{{end}}</ul>
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
