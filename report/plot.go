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
		p.X.Min, p.X.Max = 0, minutes(c.Horizon)
		for _, s := range alarmSpans(r, c.Horizon) {
			poly, err := plotter.NewPolygon(plotter.XYs{{X: minutes(s.From), Y: 0}, {X: minutes(s.To), Y: 0},
				{X: minutes(s.To), Y: 100}, {X: minutes(s.From), Y: 100}})
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
			v, err := vline(minutes(at), 0, 100, rollbackRed, true)
			if err != nil {
				return Chart{}, err
			}
			p.Add(v)
			p.Legend.Add("rollback", v)
		}
		p.Y.Min, p.Y.Max = 0, 100
		headroom(&p.Y, 1.45, plot.ConstantTicks{{Value: 0, Label: "0"}, {Value: 50, Label: "50"}, {Value: 100, Label: "100"}})
		p.Legend.Top, p.Legend.Left = true, true
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
		p.Y.Max = math.Max(p.Y.Max, 0.1)
		if at, ok := rollbackAt(r); ok {
			v, err := vline(minutes(at), 0, p.Y.Max, rollbackRed, true)
			if err != nil {
				return Chart{}, err
			}
			p.Add(v)
			p.Legend.Add("rollback", v)
		}
		headroom(&p.Y, 1.7, nil)
		p.Legend.Top, p.Legend.Left = true, true
		plots = append(plots, p)
	}
	return render("error-rate", "Error rate per version over time", plots, chartWidth, panelHeight*vg.Length(len(plots)))
}

func color_(i int) color.Color { return plotutil.Color(i) }

// cumulativeChart plots each strategy's cumulative failed target requests
// at the ends of its weight spans (exact there; straight between).
func (c Charts) cumulativeChart() (Chart, error) {
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
	p.Y.Min = 0
	p.Y.Max = math.Max(p.Y.Max, 1)
	headroom(&p.Y, 1+0.1*float64(len(c.Runs)), nil)
	p.Legend.Top, p.Legend.Left = true, true
	return render("cumulative-failed", "Cumulative failed requests per strategy", []*plot.Plot{p}, chartWidth, chartHeight)
}

type errPoints struct {
	plotter.XYs
	plotter.YErrors
}

// frontierChart plots expected blast radius against planned duration,
// with the Pareto frontier joined.
func (c Charts) frontierChart() (Chart, error) {
	p := newPlot("Safety against speed: failed requests on the new version (mean)", "planned duration (minutes)", "failed requests")
	pts := make(plotter.XYs, len(c.Points))
	errs := make(plotter.YErrors, len(c.Points))
	means := make([]float64, len(c.Points))
	var front plotter.XYs
	for i, pt := range c.Points {
		pts[i] = plotter.XY{X: minutes(pt.Planned), Y: pt.Mean}
		errs[i].Low, errs[i].High = pt.Mean-pt.Low, pt.High-pt.Mean
		means[i] = pt.Mean
		if pt.OnFrontier {
			front = append(front, pts[i])
		}
	}
	if wide(means) {
		// gonum centres an axis label on the data midpoint, which a log
		// scale puts near the top: a short label keeps the plot whole.
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
			return Chart{}, err
		}
		l.Color = rollbackRed
		l.Width = vg.Points(1.5)
		l.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
		p.Add(l)
		p.Legend.Add("Pareto frontier (bars: 95 % interval)", l)
	}
	eb, err := plotter.NewYErrorBars(errPoints{pts, errs})
	if err != nil {
		return Chart{}, err
	}
	eb.Color = currentGrey
	p.Add(eb)
	// A glyph and a legend entry per strategy: text labels beside the
	// points would print over each other.
	for i, pt := range c.Points {
		sc, err := plotter.NewScatter(pts[i : i+1])
		if err != nil {
			return Chart{}, err
		}
		sc.GlyphStyle.Color = color_(i)
		sc.GlyphStyle.Radius = vg.Points(4)
		sc.GlyphStyle.Shape = plotutil.Shape(i)
		p.Add(sc)
		p.Legend.Add(pt.Strategy, sc)
	}
	p.X.Min = 0
	p.Y.Min = 0
	p.X.Max = math.Max(p.X.Max*1.05, 1)
	p.Y.Max = math.Max(p.Y.Max, 1)
	headroom(&p.Y, 1+0.1*float64(len(c.Points)+1), nil)
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
	p := newPlot("Distribution of failed requests on the new version over the runs", "failed requests", "share of runs at or below")
	var all []float64
	for _, xs := range c.Failed {
		all = append(all, xs...)
	}
	if wide(all) {
		useLog1p(&p.X)
		p.Title.Text += " (log scale)"
	}
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
	p.X.Min = 0
	p.X.Max = math.Max(p.X.Max, 1)
	p.Y.Min, p.Y.Max = 0, 1
	headroom(&p.Y, 1+0.1*float64(len(c.Failed)), plot.ConstantTicks{{Value: 0, Label: "0"}, {Value: 0.25, Label: "0.25"},
		{Value: 0.5, Label: "0.5"}, {Value: 0.75, Label: "0.75"}, {Value: 1, Label: "1"}})
	p.Legend.Top, p.Legend.Left = true, true
	return render("cdf-failed", "Distribution (CDF) of failed requests per strategy", []*plot.Plot{p}, chartWidth, chartHeight)
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

// headroom raises an axis's maximum so a legend in the top corner does not
// cover the data; ticks stay within the data's range.
func headroom(a *plot.Axis, factor float64, ticks plot.Ticker) {
	top := a.Max
	if a.Scale != nil {
		if _, ok := a.Scale.(log1pScale); ok {
			a.Max = math.Expm1(math.Log1p(top) * factor)
			return
		}
	}
	a.Max = top * factor
	if ticks == nil {
		ticks = plot.DefaultTicks{}
	}
	a.Tick.Marker = plot.TickerFunc(func(min, max float64) []plot.Tick {
		var out []plot.Tick
		for _, t := range ticks.Ticks(min, top) {
			if t.Value <= top*1.0001 {
				out = append(out, t)
			}
		}
		return out
	})
}
