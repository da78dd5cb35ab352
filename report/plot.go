package report

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Charts is what the plots draw; every number in it comes from the
// simulation or from package sweep.
type Charts struct {
	Scenario string
	Horizon  float64 // seconds
	// Runs is one run of every strategy (run 0), with its timeline and phases.
	Runs []Result
	// Points places every strategy on the safety/speed plane.
	Points []FrontierPoint
	// Failed holds, per strategy, the target's failed requests of every
	// run; nil or single runs draw no distribution.
	Failed [][]float64
}

// FrontierPoint is one strategy on the safety/speed plane.
type FrontierPoint struct {
	Strategy string
	Planned  float64 // seconds, when nothing stops the deployment
	// Mean is the expected target failed requests; Low and High its 95 %
	// interval (equal to Mean for one run).
	Mean, Low, High float64
	OnFrontier      bool
}

// Chart is one rendered plot in both formats.
type Chart struct {
	Name  string // file base name, e.g. "weight"
	Title string
	PNG   []byte
	SVG   []byte
}

// Sizes of the charts.
var (
	chartWidth  = 18 * vg.Centimeter
	chartHeight = 10 * vg.Centimeter
	panelHeight = 5 * vg.Centimeter
)

var (
	alarmShade  = color.RGBA{R: 230, G: 60, B: 60, A: 50}
	rollbackRed = color.RGBA{R: 200, G: 30, B: 30, A: 255}
	targetBlue  = color.RGBA{R: 30, G: 90, B: 180, A: 255}
	currentGrey = color.RGBA{R: 110, G: 110, B: 110, A: 255}
)

// sans sets every text of p in Liberation Sans, which gonum/plot embeds.
func sans(p *plot.Plot) {
	for _, st := range []*font.Font{&p.Title.TextStyle.Font, &p.X.Label.TextStyle.Font, &p.Y.Label.TextStyle.Font,
		&p.X.Tick.Label.Font, &p.Y.Tick.Label.Font, &p.Legend.TextStyle.Font} {
		st.Variant = "Sans"
	}
}

func newPlot(title, x, y string) *plot.Plot {
	p := plot.New()
	sans(p)
	p.Title.Text = title
	p.X.Label.Text = x
	p.Y.Label.Text = y
	p.Add(plotter.NewGrid())
	return p
}

func minutes(s float64) float64 { return s / 60 }

// render draws a grid of plots (one column) into PNG and SVG.
func render(name, title string, plots []*plot.Plot, w, h vg.Length) (Chart, error) {
	c := Chart{Name: name, Title: title}
	for _, format := range []string{"png", "svg"} {
		cv, err := draw.NewFormattedCanvas(w, h, format)
		if err != nil {
			return c, err
		}
		dc := draw.New(cv)
		if len(plots) == 1 {
			plots[0].Draw(dc)
		} else {
			rows := make([][]*plot.Plot, len(plots))
			for i, p := range plots {
				rows[i] = []*plot.Plot{p}
			}
			t := draw.Tiles{Rows: len(plots), Cols: 1, PadY: vg.Millimeter * 2, PadTop: vg.Millimeter,
				PadBottom: vg.Millimeter, PadLeft: vg.Millimeter, PadRight: vg.Millimeter * 2}
			canvases := plot.Align(rows, t, dc)
			for i, p := range plots {
				p.Draw(canvases[i][0])
			}
		}
		var buf bytes.Buffer
		if _, err := cv.WriteTo(&buf); err != nil {
			return c, fmt.Errorf("%s.%s: %w", name, format, err)
		}
		if format == "png" {
			c.PNG = buf.Bytes()
		} else {
			c.SVG = buf.Bytes()
		}
	}
	return c, nil
}

// Render draws every chart the data allows: weight, error rate and
// cumulative failures from the runs' timelines and phases; the frontier
// from Points; the distribution of failures when there are many runs.
func (c Charts) Render() ([]Chart, error) {
	var out []Chart
	add := func(ch Chart, err error) error {
		if err == nil {
			out = append(out, ch)
		}
		return err
	}
	if len(c.Runs) > 0 {
		if err := add(c.weightChart()); err != nil {
			return nil, err
		}
		if err := add(c.errorRateChart()); err != nil {
			return nil, err
		}
		if err := add(c.cumulativeChart()); err != nil {
			return nil, err
		}
	}
	if len(c.Points) > 0 {
		if err := add(c.frontierChart()); err != nil {
			return nil, err
		}
	}
	if c.manyRuns() {
		if err := add(c.cdfChart()); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (c Charts) manyRuns() bool {
	for _, f := range c.Failed {
		if len(f) > 1 {
			return true
		}
	}
	return false
}

// WritePlots writes every chart as NAME.png and NAME.svg into dir,
// creating it if needed.
func WritePlots(dir string, charts []Chart) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, ch := range charts {
		if err := os.WriteFile(filepath.Join(dir, ch.Name+".png"), ch.PNG, 0o644); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, ch.Name+".svg"), ch.SVG, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// alarmTransition reads the new state of an alarm entry from its canonical
// text, "alarm NAME: OLD -> NEW (reason)".
func alarmTransition(e Entry) string {
	_, after, ok := strings.Cut(e.Text, " -> ")
	if !ok {
		return ""
	}
	state, _, _ := strings.Cut(after, " ")
	return state
}

// span is [From, To) in seconds.
type span struct{ From, To float64 }

// alarmSpans lists when any alarm was in ALARM.
func alarmSpans(r Result, horizon float64) []span {
	in := map[string]float64{}
	var out []span
	var names []string
	for _, e := range r.Timeline {
		if e.Kind != string(kindAlarm) {
			continue
		}
		st := alarmTransition(e)
		if st == "ALARM" {
			if _, ok := in[e.Subject]; !ok {
				in[e.Subject] = e.At
				names = append(names, e.Subject)
			}
		} else if from, ok := in[e.Subject]; ok {
			out = append(out, span{from, e.At})
			delete(in, e.Subject)
		}
	}
	for _, n := range names {
		if from, ok := in[n]; ok {
			out = append(out, span{from, horizon})
		}
	}
	return out
}

const (
	kindWeight   = "weight"
	kindRollback = "rollback"
	kindAlarm    = "alarm"
)

// weightSteps is the target's weight (percent) over time as a step line.
func weightSteps(r Result, horizon float64) plotter.XYs {
	xys := plotter.XYs{{X: 0, Y: 0}}
	w := 0.0
	for _, e := range r.Timeline {
		if e.Weight != w {
			xys = append(xys, plotter.XY{X: minutes(e.At), Y: 100 * w}, plotter.XY{X: minutes(e.At), Y: 100 * e.Weight})
			w = e.Weight
		}
	}
	return append(xys, plotter.XY{X: minutes(horizon), Y: 100 * w})
}

func rollbackAt(r Result) (float64, bool) {
	for _, e := range r.Timeline {
		if e.Kind == kindRollback {
			return e.At, true
		}
	}
	return 0, false
}

func vline(x, lo, hi float64, c color.Color, dashed bool) (*plotter.Line, error) {
	l, err := plotter.NewLine(plotter.XYs{{X: x, Y: lo}, {X: x, Y: hi}})
	if err != nil {
		return nil, err
	}
	l.Color = c
	l.Width = vg.Points(1.5)
	if dashed {
		l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	}
	return l, nil
}

func (c Charts) weightChart() (Chart, error) {
	var plots []*plot.Plot
	for _, r := range c.Runs {
		title := r.Strategy + ": " + r.Status
		if r.RollbackCause != nil {
			title += " (" + *r.RollbackCause + ")"
		}
		p := newPlot(title, "minutes", "% to version "+targetVersion(r))
		p.Y.Min, p.Y.Max = 0, 105
		p.X.Min, p.X.Max = 0, minutes(c.Horizon)
		for _, s := range alarmSpans(r, c.Horizon) {
			poly, err := plotter.NewPolygon(plotter.XYs{{X: minutes(s.From), Y: 0}, {X: minutes(s.To), Y: 0},
				{X: minutes(s.To), Y: 105}, {X: minutes(s.From), Y: 105}})
			if err != nil {
				return Chart{}, err
			}
			poly.Color = alarmShade
			poly.LineStyle.Width = 0
			p.Add(poly)
			p.Legend.Add("alarm in ALARM", poly)
		}
		l, err := plotter.NewLine(weightSteps(r, c.Horizon))
		if err != nil {
			return Chart{}, err
		}
		l.Color = targetBlue
		l.Width = vg.Points(2)
		p.Add(l)
		p.Legend.Add("traffic weight", l)
		if at, ok := rollbackAt(r); ok {
			v, err := vline(minutes(at), 0, 105, rollbackRed, true)
			if err != nil {
				return Chart{}, err
			}
			p.Add(v)
			p.Legend.Add("rollback", v)
		}
		p.Legend.Top = true
		plots = append(plots, p)
	}
	return render("weight", "Traffic weight over time, alarm state and rollback", plots, chartWidth, panelHeight*vg.Length(len(plots)))
}

func targetVersion(r Result) string {
	if len(r.Versions) > 1 {
		return r.Versions[1].Version
	}
	return "2"
}

// errorRateChart shows each version's failed fraction: the target's per
// span of constant weight (exact, from the phases), the current version's
// over the whole run.
func (c Charts) errorRateChart() (Chart, error) {
	var plots []*plot.Plot
	for _, r := range c.Runs {
		p := newPlot(r.Strategy, "minutes", "failed %")
		p.X.Min, p.X.Max = 0, minutes(c.Horizon)
		p.Y.Min = 0
		var target plotter.XYs
		for _, ph := range r.Phases {
			if ph.TargetRequests == 0 {
				continue
			}
			y := 100 * float64(ph.TargetFailed) / float64(ph.TargetRequests)
			target = append(target, plotter.XY{X: minutes(ph.From), Y: y}, plotter.XY{X: minutes(ph.To), Y: y})
		}
		if len(r.Versions) > 0 && r.Versions[0].Requests > 0 {
			v := r.Versions[0]
			y := 100 * float64(v.Failed) / float64(v.Requests)
			l, err := plotter.NewLine(plotter.XYs{{X: 0, Y: y}, {X: minutes(c.Horizon), Y: y}})
			if err != nil {
				return Chart{}, err
			}
			l.Color = currentGrey
			l.Width = vg.Points(1.5)
			l.Dashes = []vg.Length{vg.Points(2), vg.Points(2)}
			p.Add(l)
			p.Legend.Add("version "+v.Version+" (whole run)", l)
		}
		if len(target) > 0 {
			// Disjoint spans: draw each as its own segment.
			for i := 0; i < len(target); i += 2 {
				l, err := plotter.NewLine(target[i : i+2])
				if err != nil {
					return Chart{}, err
				}
				l.Color = targetBlue
				l.Width = vg.Points(2)
				p.Add(l)
				if i == 0 {
					p.Legend.Add("version "+targetVersion(r)+" (per weight step)", l)
				}
			}
		}
		if at, ok := rollbackAt(r); ok {
			hi := math.Max(p.Y.Max, 1)
			v, err := vline(minutes(at), 0, hi, rollbackRed, true)
			if err != nil {
				return Chart{}, err
			}
			p.Add(v)
		}
		p.Legend.Top = true
		plots = append(plots, p)
	}
	return render("error-rate", "Error rate per version over time", plots, chartWidth, panelHeight*vg.Length(len(plots)))
}

func color_(i int) color.Color { return plotutil.Color(i) }

// cumulativeChart plots each strategy's cumulative failed target requests
// at the ends of its weight spans (exact there; straight between).
func (c Charts) cumulativeChart() (Chart, error) {
	p := newPlot("Cumulative failed requests on the new version", "minutes", "failed requests")
	p.X.Min, p.X.Max = 0, minutes(c.Horizon)
	p.Y.Min = 0
	for i, r := range c.Runs {
		xys := plotter.XYs{{X: 0, Y: 0}}
		var sum int64
		for _, ph := range r.Phases {
			sum += ph.TargetFailed
			xys = append(xys, plotter.XY{X: minutes(ph.To), Y: float64(sum)})
		}
		if last := xys[len(xys)-1]; last.X < minutes(c.Horizon) {
			xys = append(xys, plotter.XY{X: minutes(c.Horizon), Y: last.Y})
		}
		l, err := plotter.NewLine(xys)
		if err != nil {
			return Chart{}, err
		}
		l.Color = color_(i)
		l.Width = vg.Points(2)
		l.Dashes = plotutil.Dashes(i)
		p.Add(l)
		p.Legend.Add(r.Strategy, l)
	}
	p.Legend.Top = true
	p.Legend.Left = true
	return render("cumulative-failed", "Cumulative failed requests per strategy", []*plot.Plot{p}, chartWidth, chartHeight)
}

type errPoints struct {
	plotter.XYs
	plotter.YErrors
}

// frontierChart plots expected blast radius against planned duration,
// with the Pareto frontier joined.
func (c Charts) frontierChart() (Chart, error) {
	p := newPlot("Safety against speed", "planned duration (minutes)", "failed requests on the new version (mean)")
	pts := make(plotter.XYs, len(c.Points))
	errs := make(plotter.YErrors, len(c.Points))
	labels := make([]string, len(c.Points))
	var front plotter.XYs
	for i, pt := range c.Points {
		pts[i] = plotter.XY{X: minutes(pt.Planned), Y: pt.Mean}
		errs[i].Low, errs[i].High = pt.Mean-pt.Low, pt.High-pt.Mean
		labels[i] = pt.Strategy
		if pt.OnFrontier {
			front = append(front, pts[i])
		}
	}
	slices.SortFunc(front, func(a, b plotter.XY) int {
		if a.X != b.X {
			return cmpFloat(a.X, b.X)
		}
		return cmpFloat(b.Y, a.Y)
	})
	if len(front) > 0 {
		l, err := plotter.NewLine(front)
		if err != nil {
			return Chart{}, err
		}
		l.Color = rollbackRed
		l.Width = vg.Points(1.5)
		l.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
		p.Add(l)
		p.Legend.Add("Pareto frontier", l)
	}
	sc, err := plotter.NewScatter(pts)
	if err != nil {
		return Chart{}, err
	}
	sc.GlyphStyle.Color = targetBlue
	sc.GlyphStyle.Radius = vg.Points(3.5)
	sc.GlyphStyle.Shape = draw.CircleGlyph{}
	p.Add(sc)
	p.Legend.Add("strategy", sc)
	eb, err := plotter.NewYErrorBars(errPoints{pts, errs})
	if err != nil {
		return Chart{}, err
	}
	eb.Color = targetBlue
	p.Add(eb)
	lb, err := plotter.NewLabels(plotter.XYLabels{XYs: pts, Labels: labels})
	if err != nil {
		return Chart{}, err
	}
	for i := range lb.TextStyle {
		lb.TextStyle[i].Font.Variant = "Sans"
		lb.TextStyle[i].Font.Size = vg.Points(8)
		lb.TextStyle[i].XAlign = draw.XLeft
	}
	lb.Offset = vg.Point{X: vg.Points(5), Y: vg.Points(2)}
	p.Add(lb)
	p.X.Min = 0
	p.Y.Min = 0
	p.X.Max = math.Max(p.X.Max*1.25, 1) // room for the labels
	p.Y.Max = math.Max(p.Y.Max*1.1, 1)
	p.Legend.Top = true
	return render("frontier", "Blast radius against deployment duration, with the frontier", []*plot.Plot{p}, chartWidth, chartHeight)
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// cdfChart draws the empirical distribution of each strategy's failed
// target requests over the runs.
func (c Charts) cdfChart() (Chart, error) {
	p := newPlot("Distribution of failed requests on the new version", "failed requests", "fraction of runs at or below")
	p.Y.Min, p.Y.Max = 0, 1
	p.X.Min = 0
	for i, xs := range c.Failed {
		if len(xs) == 0 {
			continue
		}
		sorted := slices.Clone(xs)
		slices.Sort(sorted)
		n := float64(len(sorted))
		xys := plotter.XYs{{X: sorted[0], Y: 0}}
		for j, x := range sorted {
			// A step up at each value; ties collapse to the last.
			if j+1 < len(sorted) && sorted[j+1] == x {
				continue
			}
			xys = append(xys, plotter.XY{X: x, Y: xys[len(xys)-1].Y}, plotter.XY{X: x, Y: float64(j+1) / n})
		}
		l, err := plotter.NewLine(xys)
		if err != nil {
			return Chart{}, err
		}
		l.Color = color_(i)
		l.Width = vg.Points(2)
		l.Dashes = plotutil.Dashes(i)
		p.Add(l)
		name := fmt.Sprint("strategy ", i+1)
		if i < len(c.Runs) {
			name = c.Runs[i].Strategy
		} else if i < len(c.Points) {
			name = c.Points[i].Strategy
		}
		p.Legend.Add(name, l)
	}
	p.Legend.Top = false
	p.Legend.Left = false
	return render("cdf-failed", "Distribution (CDF) of failed requests per strategy", []*plot.Plot{p}, chartWidth, chartHeight)
}
