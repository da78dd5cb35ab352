package report

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Charts is what the plots draw; every number in it comes from the
// simulation or from package sweep.
type Charts struct {
	Scenario string
	Seed     uint64
	Horizon  float64 // seconds
	// RunCount is the number of seeded runs per strategy behind Points and
	// Failed (1 for a single run); the caption of every image states it.
	RunCount int
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
	chartWidth  = 22 * vg.Centimeter
	chartHeight = 10 * vg.Centimeter
	panelHeight = 5 * vg.Centimeter
)

var (
	alarmShade  = color.NRGBA{R: 230, G: 60, B: 60, A: 60}
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
	p.Title.TextStyle.Font.Size = vg.Points(11)
	p.Legend.TextStyle.Font.Size = vg.Points(9)
	p.Legend.Padding = vg.Points(3)
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

// figure is one image before drawing: its panels (one column), each with
// its legend drawn to the right of the data area so that it never covers
// the data nor stretches an axis, and a caption below.
type figure struct {
	name, title string
	plots       []*plot.Plot
	w, panelH   vg.Length
	caption     []string
}

// Caption is the line every image carries: what was simulated, with which
// seed and how many runs, so a chart copied out of the report still says
// where it came from.
func (c Charts) Caption() string {
	runs := "one run per strategy"
	if c.RunCount > 1 {
		runs = strconv.Itoa(c.RunCount) + " runs per strategy"
	}
	return "scenario " + c.Scenario + " · seed " + strconv.FormatUint(c.Seed, 10) + " · " + runs
}

func (c Charts) figure(name, title string, plots []*plot.Plot, panelH vg.Length, notes ...string) figure {
	return figure{name: name, title: title, plots: plots, w: chartWidth, panelH: panelH,
		caption: append([]string{c.Caption()}, notes...)}
}

// captionStyle is the caption's text: small, grey, sans.
func captionStyle() text.Style {
	p := plot.New()
	sans(p)
	st := p.Legend.TextStyle
	st.Font.Size = vg.Points(9)
	st.Color = color.Gray{Y: 70}
	return st
}

// render draws a figure into PNG and SVG.
func render(f figure) (Chart, error) {
	c := Chart{Name: f.name, Title: f.title}
	// The legends leave the plots: each is drawn in a strip on the right
	// as wide as the widest of them, the same for every panel so that the
	// panels' axes stay aligned.
	legends := make([]plot.Legend, len(f.plots))
	var legendW vg.Length
	for i, p := range f.plots {
		legends[i] = p.Legend
		p.Legend = plot.NewLegend()
		if r := legends[i].Rectangle(draw.Canvas{}); r.Size().X > legendW {
			legendW = r.Size().X
		}
	}
	if legendW > 0 {
		legendW += 4 * vg.Millimeter
	}
	cs := captionStyle()
	lineH := cs.Rectangle("Xg").Size().Y * 1.3
	captionH := lineH*vg.Length(len(f.caption)) + 2*vg.Millimeter
	h := f.panelH*vg.Length(len(f.plots)) + captionH
	for _, format := range []string{"png", "svg"} {
		cv, err := draw.NewFormattedCanvas(f.w, h, format)
		if err != nil {
			return c, err
		}
		dc := draw.New(cv)
		dc.SetColor(color.White)
		dc.Fill(dc.Rectangle.Path())
		body := draw.Crop(dc, 0, -legendW, captionH, 0)
		rows := make([][]*plot.Plot, len(f.plots))
		for i, p := range f.plots {
			rows[i] = []*plot.Plot{p}
		}
		t := draw.Tiles{Rows: len(f.plots), Cols: 1, PadY: vg.Millimeter * 2, PadTop: vg.Millimeter,
			PadBottom: vg.Millimeter, PadLeft: vg.Millimeter, PadRight: vg.Millimeter * 2}
		canvases := plot.Align(rows, t, body)
		for i, p := range f.plots {
			p.Draw(canvases[i][0])
			if legendW > 0 {
				data := p.DataCanvas(canvases[i][0])
				strip := draw.Canvas{Canvas: dc.Canvas, Rectangle: vg.Rectangle{
					Min: vg.Point{X: body.Max.X + 2*vg.Millimeter, Y: data.Min.Y},
					Max: vg.Point{X: dc.Max.X, Y: data.Max.Y}}}
				l := legends[i]
				l.Top, l.Left = true, true
				l.Draw(strip)
			}
		}
		for i, line := range f.caption {
			dc.FillText(cs, vg.Point{X: dc.Min.X + 2*vg.Millimeter, Y: dc.Min.Y + captionH - lineH*vg.Length(i+1)}, line)
		}
		var buf bytes.Buffer
		if _, err := cv.WriteTo(&buf); err != nil {
			return c, fmt.Errorf("%s.%s: %w", f.name, format, err)
		}
		if format == "png" {
			c.PNG = buf.Bytes()
		} else {
			c.SVG = buf.Bytes()
		}
	}
	// Put the legends back: a figure may be rendered again.
	for i, p := range f.plots {
		p.Legend = legends[i]
	}
	return c, nil
}

// coincide names the groups of strategies whose series are equal (same
// key), whose lines or points are drawn over each other: "A and B coincide".
func coincide(names, keys []string) []string {
	var out []string
	done := make([]bool, len(keys))
	for i := range keys {
		if done[i] {
			continue
		}
		group := []string{names[i]}
		for j := i + 1; j < len(keys); j++ {
			if !done[j] && keys[j] == keys[i] {
				done[j] = true
				group = append(group, names[j])
			}
		}
		if len(group) > 1 {
			out = append(out, joinAnd(group)+" coincide (drawn over each other)")
		}
	}
	return out
}

func joinAnd(xs []string) string {
	if len(xs) <= 1 {
		return strings.Join(xs, "")
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " and " + xs[len(xs)-1]
}

func xysKey(xys plotter.XYs) string {
	var b strings.Builder
	for _, p := range xys {
		b.WriteString(strconv.FormatFloat(p.X, 'g', -1, 64))
		b.WriteByte(',')
		b.WriteString(strconv.FormatFloat(p.Y, 'g', -1, 64))
		b.WriteByte(';')
	}
	return b.String()
}

// Render draws every chart the data allows: weight, error rate and
// cumulative failures from the runs' timelines and phases; the frontier
// from Points; the distribution of failures when there are many runs.
func (c Charts) Render() ([]Chart, error) {
	var out []Chart
	add := func(f figure, err error) error {
		if err != nil {
			return err
		}
		ch, err := render(f)
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
		st := e.To
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

func (c Charts) weightChart() (figure, error) {
	var plots []*plot.Plot
	for _, r := range c.Runs {
		title := r.Strategy + ": " + r.Status
		if r.RollbackCause != nil {
			title += " (" + *r.RollbackCause + ")"
		}
		p := newPlot(title, "minutes", "% to version "+targetVersion(r))
		p.X.Min, p.X.Max = 0, minutes(c.Horizon)
		for _, s := range alarmSpans(r, c.Horizon) {
			poly, err := plotter.NewPolygon(plotter.XYs{{X: minutes(s.From), Y: 0}, {X: minutes(s.To), Y: 0},
				{X: minutes(s.To), Y: 100}, {X: minutes(s.From), Y: 100}})
			if err != nil {
				return figure{}, err
			}
			poly.Color = alarmShade
			poly.LineStyle.Width = 0
			p.Add(poly)
			p.Legend.Add("alarm in ALARM", poly)
		}
		l, err := plotter.NewLine(weightSteps(r, c.Horizon))
		if err != nil {
			return figure{}, err
		}
		l.Color = targetBlue
		l.Width = vg.Points(2)
		p.Add(l)
		p.Legend.Add("traffic weight", l)
		if at, ok := rollbackAt(r); ok {
			v, err := vline(minutes(at), 0, 100, rollbackRed, true)
			if err != nil {
				return figure{}, err
			}
			p.Add(v)
			p.Legend.Add("rollback", v)
		}
		p.Y.Min, p.Y.Max = 0, 100
		p.Y.Tick.Marker = plot.ConstantTicks{{Value: 0, Label: "0"}, {Value: 50, Label: "50"}, {Value: 100, Label: "100"}}
		plots = append(plots, p)
	}
	return c.figure("weight", "Traffic weight over time, alarm state and rollback", plots, panelHeight), nil
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
func (c Charts) errorRateChart() (figure, error) {
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
				return figure{}, err
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
					return figure{}, err
				}
				l.Color = targetBlue
				l.Width = vg.Points(2)
				p.Add(l)
				if i == 0 {
					p.Legend.Add("version "+targetVersion(r)+" (per weight step)", l)
				}
			}
		}
		p.Y.Min, p.Y.Max = 0, math.Max(p.Y.Max, 0.1)*1.05
		if at, ok := rollbackAt(r); ok {
			v, err := vline(minutes(at), 0, p.Y.Max, rollbackRed, true)
			if err != nil {
				return figure{}, err
			}
			p.Add(v)
			p.Legend.Add("rollback", v)
		}
		plots = append(plots, p)
	}
	return c.figure("error-rate", "Error rate per version over time", plots, panelHeight), nil
}

func color_(i int) color.Color { return plotutil.Color(i) }

// cumulativeChart plots each strategy's cumulative failed target requests
// at the ends of its weight spans (exact there; straight between).
func (c Charts) cumulativeChart() (figure, error) {
	p := newPlot("Cumulative failed requests on the new version (exact at each weight change)", "minutes", "failed requests")
	p.X.Min, p.X.Max = 0, minutes(c.Horizon)
	var finals []float64
	for _, r := range c.Runs {
		var sum int64
		for _, ph := range r.Phases {
			sum += ph.TargetFailed
		}
		finals = append(finals, float64(sum))
	}
	if wide(finals) {
		useLog1p(&p.Y)
		p.Title.Text += " (log scale)"
	}
	names, keys := make([]string, len(c.Runs)), make([]string, len(c.Runs))
	top := 0.0
	for i, r := range c.Runs {
		xys := plotter.XYs{{X: 0, Y: 0}}
		var sum int64
		for _, ph := range r.Phases {
			// Exact at the phase ends; straight in between (the expected
			// path at a constant rate), sampled so that a log axis draws
			// it as a straight line would be, not as an exponential.
			const steps = 20
			for k := 1; k < steps; k++ {
				f := float64(k) / steps
				xys = append(xys, plotter.XY{X: minutes(ph.From + f*(ph.To-ph.From)), Y: float64(sum) + f*float64(ph.TargetFailed)})
			}
			sum += ph.TargetFailed
			xys = append(xys, plotter.XY{X: minutes(ph.To), Y: float64(sum)})
		}
		if last := xys[len(xys)-1]; last.X < minutes(c.Horizon) {
			xys = append(xys, plotter.XY{X: minutes(c.Horizon), Y: last.Y})
		}
		names[i], keys[i] = r.Strategy, xysKey(xys)
		top = math.Max(top, xys[len(xys)-1].Y)
		l, err := strategyLine(xys, i)
		if err != nil {
			return figure{}, err
		}
		p.Add(l)
		p.Legend.Add(r.Strategy, l)
	}
	p.X.Min, p.X.Max = 0, minutes(c.Horizon)
	p.Y.Min, p.Y.Max = 0, fitTop(&p.Y, top)
	return c.figure("cumulative-failed", "Cumulative failed requests per strategy", []*plot.Plot{p}, chartHeight, coincide(names, keys)...), nil
}

type errPoints struct {
	plotter.XYs
	plotter.YErrors
}

// frontierChart plots expected blast radius against planned duration,
// with the Pareto frontier joined, every point labelled with its strategy
// (strategies on the same point share one label) and its 95 % interval
// drawn as a bar.
func (c Charts) frontierChart() (figure, error) {
	p := newPlot("Safety against speed: failed requests on the new version (mean)", "planned duration (minutes)", "failed requests")
	pts := make(plotter.XYs, len(c.Points))
	errs := make(plotter.YErrors, len(c.Points))
	means := make([]float64, len(c.Points))
	names, keys := make([]string, len(c.Points)), make([]string, len(c.Points))
	var front plotter.XYs
	xTop, yTop := 0.0, 0.0
	for i, pt := range c.Points {
		pts[i] = plotter.XY{X: minutes(pt.Planned), Y: pt.Mean}
		errs[i].Low, errs[i].High = pt.Mean-pt.Low, pt.High-pt.Mean
		means[i] = pt.Mean
		names[i], keys[i] = pt.Strategy, xysKey(pts[i:i+1])
		xTop, yTop = math.Max(xTop, pts[i].X), math.Max(yTop, math.Max(pt.High, pt.Mean))
		if pt.OnFrontier {
			front = append(front, pts[i])
		}
	}
	if wide(means) {
		useLog1p(&p.Y)
		p.Title.Text += ", log scale"
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
			return figure{}, err
		}
		l.Color = rollbackRed
		l.Width = vg.Points(1.5)
		l.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
		p.Add(l)
		p.Legend.Add("Pareto frontier", l)
	}
	eb, err := plotter.NewYErrorBars(errPoints{pts, errs})
	if err != nil {
		return figure{}, err
	}
	eb.Color = color.Black
	eb.Width = vg.Points(1.5)
	eb.CapWidth = vg.Points(8)
	p.Add(eb)
	p.Legend.Add("95 % interval of the mean", barThumb(eb.LineStyle))
	for i, pt := range c.Points {
		sc, err := plotter.NewScatter(pts[i : i+1])
		if err != nil {
			return figure{}, err
		}
		sc.GlyphStyle.Color = color_(i)
		sc.GlyphStyle.Radius = vg.Points(5)
		sc.GlyphStyle.Shape = plotutil.Shape(i)
		p.Add(sc)
		p.Legend.Add(pt.Strategy, sc)
	}
	// One label per distinct point, naming every strategy placed there.
	var lx plotter.XYs
	var ls []string
	for i := range pts {
		if j := slices.Index(keys, keys[i]); j < i {
			continue
		}
		var at []string
		for j := range pts {
			if keys[j] == keys[i] {
				at = append(at, names[j])
			}
		}
		lx, ls = append(lx, pts[i]), append(ls, strings.Join(at, " = "))
	}
	labels, err := plotter.NewLabels(plotter.XYLabels{XYs: lx, Labels: ls})
	if err != nil {
		return figure{}, err
	}
	for i := range labels.TextStyle {
		labels.TextStyle[i].Font.Variant = "Sans"
		labels.TextStyle[i].Font.Size = vg.Points(9)
		labels.TextStyle[i].YAlign = draw.YCenter
		// Slanted: neighbours a few minutes apart would print over each
		// other's names if the labels ran horizontally.
		labels.TextStyle[i].Rotation = math.Pi / 6
		labels.TextStyle[i].Handler = p.Title.TextStyle.Handler
	}
	labels.Offset = vg.Point{X: vg.Points(7), Y: vg.Points(4)}
	p.Add(labels)
	p.X.Min, p.X.Max = 0, math.Max(xTop*1.05, 1)
	p.Y.Min, p.Y.Max = 0, fitTop(&p.Y, yTop)
	return c.figure("frontier", "Blast radius against deployment duration, with the frontier", []*plot.Plot{p}, chartHeight, coincide(names, keys)...), nil
}

// barThumb is an interval bar's legend icon: a vertical bar with caps.
type barThumb draw.LineStyle

// Thumbnail draws the icon.
func (b barThumb) Thumbnail(c *draw.Canvas) {
	x, cap := c.Center().X, (c.Max.Y-c.Min.Y)/3
	st := draw.LineStyle(b)
	c.StrokeLine2(st, x, c.Min.Y, x, c.Max.Y)
	c.StrokeLine2(st, x-cap, c.Min.Y, x+cap, c.Min.Y)
	c.StrokeLine2(st, x-cap, c.Max.Y, x+cap, c.Max.Y)
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
func (c Charts) cdfChart() (figure, error) {
	p := newPlot("Distribution of failed requests on the new version over the runs", "failed requests", "share of runs at or below")
	var all []float64
	for _, xs := range c.Failed {
		all = append(all, xs...)
	}
	if wide(all) {
		useLog1p(&p.X)
		p.Title.Text += " (log scale)"
	}
	var names, keys []string
	top := 0.0
	for i, xs := range c.Failed {
		if len(xs) == 0 {
			continue
		}
		sorted := slices.Clone(xs)
		slices.Sort(sorted)
		top = math.Max(top, sorted[len(sorted)-1])
		n := float64(len(sorted))
		xys := plotter.XYs{{X: sorted[0], Y: 0}}
		for j, x := range sorted {
			// A step up at each value; ties collapse to the last.
			if j+1 < len(sorted) && sorted[j+1] == x {
				continue
			}
			xys = append(xys, plotter.XY{X: x, Y: xys[len(xys)-1].Y}, plotter.XY{X: x, Y: float64(j+1) / n})
		}
		l, err := strategyLine(xys, i)
		if err != nil {
			return figure{}, err
		}
		p.Add(l)
		name := fmt.Sprint("strategy ", i+1)
		if i < len(c.Runs) {
			name = c.Runs[i].Strategy
		} else if i < len(c.Points) {
			name = c.Points[i].Strategy
		}
		p.Legend.Add(name, l)
		names, keys = append(names, name), append(keys, xysKey(xys))
	}
	p.X.Min, p.X.Max = 0, fitTop(&p.X, top)
	p.Y.Min, p.Y.Max = 0, 1
	p.Y.Tick.Marker = plot.ConstantTicks{{Value: 0, Label: "0"}, {Value: 0.25, Label: "0.25"},
		{Value: 0.5, Label: "0.5"}, {Value: 0.75, Label: "0.75"}, {Value: 1, Label: "1"}}
	return c.figure("cdf-failed", "Distribution (CDF) of failed requests per strategy", []*plot.Plot{p}, chartHeight, coincide(names, keys)...), nil
}

// log1pScale maps x to log(1+x): a log scale that keeps zero, for counts of
// failed requests that span from none to thousands.
type log1pScale struct{}

func (log1pScale) Normalize(min, max, x float64) float64 {
	lo, hi := math.Log1p(math.Max(min, 0)), math.Log1p(math.Max(max, 0))
	if hi == lo {
		return 0
	}
	return (math.Log1p(math.Max(x, 0)) - lo) / (hi - lo)
}

// log1pTicks labels 0 and the powers of ten, with unlabelled ticks at 2..9
// times each power.
func log1pTicks(min, max float64) []plot.Tick {
	ticks := []plot.Tick{{Value: 0, Label: "0"}}
	for p := 1.0; p <= max*10; p *= 10 {
		for k := 1.0; k < 10; k++ {
			v := k * p
			if v > max*1.01 {
				break
			}
			t := plot.Tick{Value: v}
			if k == 1 {
				t.Label = strconv.FormatFloat(v, 'f', -1, 64)
			}
			ticks = append(ticks, t)
		}
	}
	return ticks
}

// wide reports whether positive values span more than a factor of 20, where
// a linear axis would flatten the small ones into the floor.
func wide(vals []float64) bool {
	lo, hi := math.Inf(1), 0.0
	for _, v := range vals {
		if v > 0 {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	return hi > 20*lo
}

func useLog1p(a *plot.Axis) {
	a.Scale = log1pScale{}
	a.Tick.Marker = plot.TickerFunc(log1pTicks)
}

// fitTop is an axis's top for data reaching top: 5 % above it on a linear
// axis, 2 % above it in log(1+x) on a log one, and never below 1 so that an all-zero series still has an
// axis.
func fitTop(a *plot.Axis, top float64) float64 {
	if _, ok := a.Scale.(log1pScale); ok {
		return math.Max(math.Expm1(math.Log1p(top)*1.02), 1)
	}
	return math.Max(top*1.05, 1)
}

// strategyLine is the line of the i-th strategy, in the colour and dashes
// every chart gives it.
func strategyLine(xys plotter.XYs, i int) (*plotter.Line, error) {
	l, err := plotter.NewLine(xys)
	if err != nil {
		return nil, err
	}
	l.Color = color_(i)
	l.Width = vg.Points(2)
	l.Dashes = plotutil.Dashes(i)
	return l, nil
}
