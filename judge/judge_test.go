package judge

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"sort"
	"strings"
	"testing"
)

// The two-sample example of R's ?wilcox.test: Hollander & Wolfe (1973), 69f,
// permeability constants of the human chorioamnion at term (x) and between
// 12 and 26 weeks' gestational age (y).
var (
	hwX = []float64{0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46}
	hwY = []float64{1.15, 0.88, 0.90, 0.74, 1.21}
)

func near(got, want, tol float64) bool {
	if math.IsInf(want, 0) || math.IsNaN(want) {
		return got == want || (math.IsNaN(got) && math.IsNaN(want))
	}
	return math.Abs(got-want) <= tol
}

// TestRPrintedOutputs holds Test to the numbers R prints for its documented
// examples (rounded as R prints them: p-values to 4 significant digits).
func TestRPrintedOutputs(t *testing.T) {
	tests := []struct {
		name    string
		x, y    []float64
		o       Options
		w, p    float64
		ptol    float64
		exact   bool
		warning bool
	}{
		// wilcox.test(x, y, alternative = "g"): W = 35, p-value = 0.1272
		{"H&W exact greater", hwX, hwY, Options{Alternative: Greater, Exact: true, Correct: true}, 35, 0.1272, 5e-5, true, false},
		// wilcox.test(x, y, alternative = "greater", exact = FALSE, correct = FALSE): W = 35, p-value = 0.1103
		{"H&W large-sample", hwX, hwY, Options{Alternative: Greater, Correct: false}, 35, 0.1103, 5e-5, false, false},
		// x <- c(1,5,9,24,56,21,3,7,21,4); y <- c(12,15,5,9,9,14,56,22,3,7,32,5); wilcox.test(x, y):
		// "Wilcoxon rank sum test with continuity correction", W = 51.5, p-value = 0.5966 (and a ties warning).
		{"ties", []float64{1, 5, 9, 24, 56, 21, 3, 7, 21, 4}, []float64{12, 15, 5, 9, 9, 14, 56, 22, 3, 7, 32, 5},
			Options{Exact: true, Correct: true}, 51.5, 0.5966, 5e-5, false, true},
		// the same x with y <- c(1233,4356,987,39999,1111,200000): W = 0, p-value = 0.001364
		{"ties 2", []float64{1, 5, 9, 24, 56, 21, 3, 7, 21, 4}, []float64{1233, 4356, 987, 39999, 1111, 200000},
			Options{Exact: true, Correct: true}, 0, 0.001364, 5e-7, false, true},
	}
	for _, tt := range tests {
		r, err := Test(tt.x, tt.y, tt.o)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if r.W != tt.w || !near(r.PValue, tt.p, tt.ptol) || r.Exact != tt.exact || (len(r.Warnings) > 0) != tt.warning {
			t.Errorf("%s: W %v p %v exact %v warnings %v; want W %v p %v exact %v", tt.name, r.W, r.PValue, r.Exact, r.Warnings, tt.w, tt.p, tt.exact)
		}
	}
}

// TestExactInterval checks the exact interval and estimate of the H&W data:
// the estimate is the median of the 50 differences x−y, 0.305, which SAS's
// Hodges–Lehmann estimate for the same data confirms (−0.305 for y − x);
// the two-sided 95 % bounds are the 9th smallest and 9th largest difference
// (qwilcox(0.025, 10, 5) = 9, worked out by enumerating the 3003 orderings
// in TestExactDistribution's brute force).
func TestExactInterval(t *testing.T) {
	r, err := Test(hwX, hwY, Options{Exact: true, Correct: true})
	if err != nil {
		t.Fatal(err)
	}
	var d []float64
	for _, a := range hwX {
		for _, b := range hwY {
			d = append(d, a-b)
		}
	}
	sort.Float64s(d)
	if !near(r.Estimate, 0.305, 1e-12) || r.CILow != d[8] || r.CIHigh != d[41] || !near(r.CILow, -0.15, 1e-12) || !near(r.CIHigh, 0.76, 1e-12) {
		t.Errorf("exact: estimate %v interval [%v, %v]; want 0.305, [-0.15, 0.76]", r.Estimate, r.CILow, r.CIHigh)
	}
	// Exact two-sided p-value: twice the one-sided 0.1272 (SAS prints 0.2544).
	if !near(r.PValue, 0.2544, 5e-5) {
		t.Errorf("exact two-sided p %v, want 0.2544", r.PValue)
	}
	g, _ := Test(hwX, hwY, Options{Alternative: Greater, Exact: true})
	l, _ := Test(hwX, hwY, Options{Alternative: Less, Exact: true})
	if !math.IsInf(g.CIHigh, 1) || !math.IsInf(l.CILow, -1) || g.CILow < r.CILow || l.CIHigh > r.CIHigh {
		t.Errorf("one-sided intervals: greater [%v, %v], less [%v, %v]", g.CILow, g.CIHigh, l.CILow, l.CIHigh)
	}
}

// TestExactDistribution holds the counting recursion to a brute force over
// every ordering, for all sizes up to 6 × 6: the slow twin.
func TestExactDistribution(t *testing.T) {
	for m := 1; m <= 6; m++ {
		for n := 1; n <= 6; n++ {
			want := make([]float64, m*n+1)
			// Each subset of positions 0..m+n-1 of size m is one ordering;
			// U = Σ over x positions of the y's before it.
			for mask := 0; mask < 1<<(m+n); mask++ {
				if popcount(mask) != m {
					continue
				}
				u, ys := 0, 0
				for p := 0; p < m+n; p++ {
					if mask&(1<<p) != 0 {
						u += ys
					} else {
						ys++
					}
				}
				want[u]++
			}
			d := newDist(m, n)
			for k := range want {
				if d.counts[k] != want[k] {
					t.Fatalf("m=%d n=%d: count[%d] = %v, want %v", m, n, k, d.counts[k], want[k])
				}
			}
			// cdf and quantile agree with each other.
			for _, p := range []float64{0.01, 0.025, 0.05, 0.5, 0.95, 0.975} {
				q := d.quantile(p)
				if d.cdf(float64(q)) < p-1e-9 || (q > 0 && d.cdf(float64(q-1)) >= p+1e-9) {
					t.Errorf("m=%d n=%d: quantile(%v) = %d, cdf %v / %v", m, n, p, q, d.cdf(float64(q-1)), d.cdf(float64(q)))
				}
			}
		}
	}
}

func popcount(x int) int {
	n := 0
	for ; x != 0; x &= x - 1 {
		n++
	}
	return n
}

// TestNormalApproximationClosedForm checks the p-value against the formula
// written out by hand for the H&W data: no ties, E[W] = 25, Var = 10·5·16/12,
// z = (35 − 25 − ½)/σ, two-sided p = 2·(1 − Φ(z)).
func TestNormalApproximationClosedForm(t *testing.T) {
	r, _ := Test(hwX, hwY, Options{Correct: true})
	z := (35 - 25 - 0.5) / math.Sqrt(10*5*16/12.0)
	want := math.Erfc(z / math.Sqrt2)
	if !near(r.PValue, want, 1e-14) {
		t.Errorf("p %v, want %v", r.PValue, want)
	}
	// Symmetry: swapping the samples mirrors W, the interval and the estimate.
	s, _ := Test(hwY, hwX, Options{Correct: true})
	if s.W != 50-r.W || !near(s.PValue, r.PValue, 1e-15) || !near(s.CILow, -r.CIHigh, 2e-4) || !near(s.CIHigh, -r.CILow, 2e-4) {
		t.Errorf("swapped: W %v p %v [%v, %v] vs [%v, %v]", s.W, s.PValue, s.CILow, s.CIHigh, r.CILow, r.CIHigh)
	}
	// The interval contains the estimate and covers the exact interval's ends
	// within the root finder's tolerance (1e-4).
	if !(r.CILow <= r.Estimate && r.Estimate <= r.CIHigh) || !near(r.CILow, -0.15, 2e-4) || !near(r.CIHigh, 0.76, 2e-4) {
		t.Errorf("asymptotic interval [%v, %v] estimate %v", r.CILow, r.CIHigh, r.Estimate)
	}
}

func loadJSON(t *testing.T, path string) []float64 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var v []float64
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestKayentaTieOut reproduces Kayenta's MannWhitneySuite "tie out
// intermediate variables": heavily tied error rates, 95 % interval, with R's
// values as Kayenta recorded them. The interval comes out inverted (low >
// high) and is kept as computed. Bit-for-bit agreement shows the root finder
// follows R's steps exactly.
func TestKayentaTieOut(t *testing.T) {
	x := loadJSON(t, "testdata/kayenta_ties_experiment.txt")
	y := loadJSON(t, "testdata/kayenta_ties_control.txt")
	lo, hi, est, err := kayentaInterval(x, y, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	const e = 1e-15
	if !near(lo, 3.521755377702165e-5, e) || !near(hi, 2.02456461662334e-5, e) || !near(est, 2.6279243045155653e-5, e) {
		t.Errorf("interval [%v, %v] estimate %v; R: [3.521755377702165e-05, 2.02456461662334e-05] 2.6279243045155653e-05", lo, hi, est)
	}
	// wilcox.test's own interval is the same; its estimate drops the correction.
	r, err := Test(x, y, Options{Correct: true})
	if err != nil || r.CILow != lo || r.CIHigh != hi || r.Estimate == est {
		t.Errorf("Test: [%v, %v] estimate %v, %v", r.CILow, r.CIHigh, r.Estimate, err)
	}
}

func TestZeroinFindsKnownRoots(t *testing.T) {
	for _, tt := range []struct {
		f    func(float64) float64
		a, b float64
		want float64
	}{
		{func(x float64) float64 { return x*x - 2 }, 0, 2, math.Sqrt2},
		{math.Cos, 0, 3, math.Pi / 2},
		{func(x float64) float64 { return x*x*x - x - 1 }, 1, 2, 1.324717957244746},
	} {
		got, ok := Zeroin(tt.f, tt.a, tt.b, tt.f(tt.a), tt.f(tt.b), 1e-10, 1000)
		if !ok || !near(got, tt.want, 1e-9) {
			t.Errorf("root %v (ok %v), want %v", got, ok, tt.want)
		}
	}
}

func TestClassify(t *testing.T) {
	base := []float64{10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21}
	shifted := func(d float64) []float64 {
		out := make([]float64, len(base))
		for i, v := range base {
			out[i] = v + d
		}
		return out
	}
	m := DefaultMetric(MeanRatio)
	src := rand.NewPCG(1, 2)
	for _, tt := range []struct {
		name string
		x    []float64
		m    func(Metric) Metric
		want Class
		crit bool
	}{
		{"same", base, nil, Pass, false},
		{"much higher", shifted(20), nil, High, false},
		{"much lower", shifted(-9), nil, Low, false},
		{"higher but direction decrease", shifted(20), func(m Metric) Metric { m.Direction = Decrease; return m }, Pass, false},
		{"higher, critical", shifted(20), func(m Metric) Metric { m.Critical = true; return m }, High, true},
		{"higher below the allowed increase", shifted(20), func(m Metric) Metric { m.AllowedIncrease = 3; return m }, Pass, false},
		{"slightly higher", shifted(1), nil, Pass, false},
		{"no data", nil, nil, Nodata, false},
		{"no data, must have data", nil, func(m Metric) Metric { m.MustHaveData = true; return m }, NodataFailMetric, false},
		{"no data, replace", []float64{math.NaN()}, func(m Metric) Metric { m.ReplaceNaN = true; m.MustHaveData = true; return m }, Low, false},
	} {
		mm := m
		if tt.m != nil {
			mm = tt.m(m)
		}
		c := Classify(tt.x, base, mm, src)
		if c.Class != tt.want || c.Critical != tt.crit {
			t.Errorf("%s: %s critical %v (%s), want %s critical %v", tt.name, c.Class, c.Critical, c.Reason, tt.want, tt.crit)
		}
	}
	// Two constant samples get Kayenta's noise, seeded: the result repeats.
	a := Classify([]float64{5, 5, 5, 5, 5}, []float64{1, 1, 1, 1, 1}, m, rand.NewPCG(7, 7))
	b := Classify([]float64{5, 5, 5, 5, 5}, []float64{1, 1, 1, 1, 1}, m, rand.NewPCG(7, 7))
	if a.Class != High || a != b {
		t.Errorf("constant samples: %+v vs %+v", a, b)
	}
	if c := Classify([]float64{3, 3}, []float64{3, 3, 3}, m, nil); c.Class != Pass {
		t.Errorf("all equal: %s", c.Class)
	}
}

// TestOutliers checks R type-7 quantiles and Kayenta's reduced-sensitivity
// fences on a sample with one far outlier.
func TestOutliers(t *testing.T) {
	s := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	// R: quantile(1:10, c(.01, .25, .75, .99)) = 1.09 3.25 7.75 9.91
	for p, want := range map[float64]float64{0.01: 1.09, 0.25: 3.25, 0.75: 7.75, 0.99: 9.91, 0: 1, 1: 10} {
		if got := Quantile7(s, p); !near(got, want, 1e-12) {
			t.Errorf("Quantile7(%v) = %v, want %v", p, got, want)
		}
	}
	v := append([]float64{1000}, s...)
	got := removeOutliers(v, 3)
	if len(got) != 10 || got[0] != 1 {
		t.Errorf("removeOutliers kept %v", got)
	}
	if got := removeOutliers(s, 3); len(got) != 10 {
		t.Errorf("removeOutliers dropped inliers: %v", got)
	}
}

func TestParseSample(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want []float64
		err  string
	}{
		{"[1, 2.5, null]", []float64{1, 2.5, math.NaN()}, ""},
		{"1\n\n# comment\n2.5\nNaN\n", []float64{1, 2.5, math.NaN()}, ""},
		{"1\nx\n", nil, `f:2: "x" is not a number`},
		{"[1,\n 2,\n \"a\"]", nil, "f:3: want a JSON array of numbers"},
	} {
		got, err := ParseSample("f", []byte(tt.in))
		if tt.err != "" {
			if err == nil || !strings.HasPrefix(err.Error(), tt.err) {
				t.Errorf("%q: error %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || len(got) != len(tt.want) {
			t.Fatalf("%q: %v %v", tt.in, got, err)
		}
		for i := range got {
			if !(got[i] == tt.want[i] || math.IsNaN(got[i]) && math.IsNaN(tt.want[i])) {
				t.Errorf("%q: %v", tt.in, got)
			}
		}
	}
}

// FuzzParseSample: any input parses or fails with a file:line message, and
// a parsed sample never panics the test or the classifier.
func FuzzParseSample(f *testing.F) {
	f.Add([]byte("[1, 2, null]"))
	f.Add([]byte("1\n2\n# c\n"))
	f.Add([]byte("[1e400]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := ParseSample("f", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f:") {
				t.Fatalf("error without file:line: %v", err)
			}
			return
		}
		if len(v) > 0 && len(v) < 50 {
			_, _ = Test(v, []float64{1, 2, 3}, Options{Correct: true, Exact: true})
			_ = Classify(v, []float64{1, 2, 3}, DefaultMetric(MeanRatio), rand.NewPCG(1, 1))
		}
	})
}

func TestScore(t *testing.T) {
	r := func(name string, c Class, groups ...string) MetricResult {
		return MetricResult{Name: name, Class: c, Groups: groups}
	}
	// Two groups, latency weighted 60: latency 1 of 2 pass (50), errors 2 of 2 (100):
	// 50·0.6 + 100·0.4 = 70.
	s := ScoreMetrics([]MetricResult{r("p50", Pass, "latency"), r("p99", High, "latency"), r("5xx", Pass, "errors"), r("4xx", Pass, "errors")},
		map[string]float64{"latency": 60})
	if s.Summary != 70 || len(s.Groups) != 2 || s.Groups[0].Name != "errors" || s.Groups[0].Weight != 40 || s.Groups[1].Score != 50 {
		t.Errorf("weighted: %+v", s)
	}
	// Unweighted groups share equally; 2 of 3 pass → 66.67 rounded.
	s = ScoreMetrics([]MetricResult{r("a", Pass, "g"), r("b", Pass, "g"), r("c", Low, "g")}, nil)
	if s.Summary != 66.67 {
		t.Errorf("rounding: %v", s.Summary)
	}
	// NodataFailMetric counts against the group, Nodata is left out; a group with only Nodata counts as 100.
	s = ScoreMetrics([]MetricResult{r("a", Pass, "x"), r("b", NodataFailMetric, "x"), r("c", Nodata, "y"), r("d", Pass, "x"), r("e", Pass, "z")}, nil)
	if want := math.Round((100*2.0/3+100+100)/3*100) / 100; s.Summary != want || !s.Groups[1].NoData {
		t.Errorf("nodata: %v want %v %+v", s.Summary, want, s.Groups)
	}
	// A critical failure forces 0; a muted one is ignored.
	crit := MetricResult{Name: "p99", Class: High, Critical: true, Groups: []string{"latency"}}
	if s := ScoreMetrics([]MetricResult{r("a", Pass, "latency"), crit}, nil); s.Summary != 0 || s.Reason == "" {
		t.Errorf("critical: %+v", s)
	}
	crit.Muted = true
	if s := ScoreMetrics([]MetricResult{r("a", Pass, "latency"), crit}, nil); s.Summary != 100 {
		t.Errorf("muted: %+v", s)
	}
	// Nodata in half of the metrics forces 0.
	if s := ScoreMetrics([]MetricResult{r("a", Pass, "g"), r("b", Nodata, "g")}, nil); s.Summary != 0 {
		t.Errorf("half nodata: %+v", s)
	}
	th := Thresholds{Pass: 95, Marginal: 75}
	for score, want := range map[float64]Verdict{100: VerdictPass, 95: VerdictPass, 94.99: VerdictMarginal, 75: VerdictMarginal, 74.9: VerdictFail} {
		if got := th.Classify(score); got != want {
			t.Errorf("Classify(%v) = %s, want %s", score, got, want)
		}
	}
	for _, tt := range []struct {
		scores    []float64
		inclusive bool
		pass      bool
		n         int
	}{
		{[]float64{80, 90, 96}, false, true, 3},
		{[]float64{80, 75, 96}, false, false, 2}, // an intermediate score at marginal stops it (strictly above needed)
		{[]float64{80, 75, 96}, true, true, 3},   // unless marginal counts ("meet or exceed")
		{[]float64{80, 90, 94}, false, false, 3},
	} {
		if pass, n := th.Judgements(tt.scores, tt.inclusive); pass != tt.pass || n != tt.n {
			t.Errorf("Judgements(%v, %v) = %v after %d, want %v after %d", tt.scores, tt.inclusive, pass, n, tt.pass, tt.n)
		}
	}
}

// TestWindow: the gate's score over a window: equal versions score 100, a
// slower canary 50 (latency High), a slower and failing one 0; a canary
// without requests is Nodata in both metrics, which Kayenta scores 0.
func TestWindow(t *testing.T) {
	src := rand.New(rand.NewPCG(5, 6))
	lat := func(n int, scale float64) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = scale * math.Exp(0.3*src.NormFloat64())
		}
		return v
	}
	rate := func(n int, p float64) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = p * (0.8 + 0.4*src.Float64())
		}
		return v
	}
	w := DefaultWindow()
	noise := rand.NewPCG(1, 2)
	for _, tt := range []struct {
		name                 string
		cl, bl, ce, be       []float64
		want                 float64
		wantLat, wantErrRate Class
	}{
		{"equal", lat(400, 100), lat(400, 100), rate(10, 0.01), rate(10, 0.01), 100, Pass, Pass},
		{"slower", lat(400, 150), lat(400, 100), rate(10, 0.01), rate(10, 0.01), 50, High, Pass},
		{"slower and failing", lat(400, 150), lat(400, 100), rate(10, 0.05), rate(10, 0.01), 0, High, High},
		{"faster is no regression", lat(400, 50), lat(400, 100), rate(10, 0.001), rate(10, 0.01), 100, Pass, Pass},
		{"no canary data", nil, lat(400, 100), []float64{math.NaN()}, rate(10, 0.01), 0, Nodata, Nodata},
	} {
		r := w.Judge(tt.cl, tt.bl, tt.ce, tt.be, noise)
		if r.Score.Summary != tt.want || r.Latency.Class != tt.wantLat || r.ErrorRate.Class != tt.wantErrRate {
			t.Errorf("%s: score %v (%s), latency %s, error rate %s; want %v, %s, %s", tt.name, r.Score.Summary, r.Score.Reason,
				r.Latency.Class, r.ErrorRate.Class, tt.want, tt.wantLat, tt.wantErrRate)
		}
	}
}

// TestWindowNoData: a judgement with no data in half of its metrics.
// Kayenta's scorer (ScoringHelper, spinnaker/kayenta PR #326) forces the
// score to 0 — even when the other metric passes, since one of two is half;
// NodataPass leaves that rule out and scores by Kayenta's group rule alone:
// a group with nothing but Nodata counts as 100, so a canary without data
// scores 100, one with latency data only scores its latency group (100
// Pass, 50 High averaged with the empty group's 100), and a canary that
// fails the metric with data still fails it.
func TestWindowNoData(t *testing.T) {
	src := rand.New(rand.NewPCG(7, 8))
	lat := func(n int, scale float64) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = scale * math.Exp(0.3*src.NormFloat64())
		}
		return v
	}
	base, nan := lat(400, 100), []float64{math.NaN(), math.NaN()}
	baseRate := []float64{0.01, 0.012, 0.009}
	for _, tt := range []struct {
		name             string
		cl               []float64
		ce               []float64
		fail, pass       float64
		wantLat, wantErr Class
	}{
		{"no canary data", nil, nan, 0, 100, Nodata, Nodata},
		{"latency only, equal", lat(400, 100), nan, 0, 100, Pass, Nodata},
		{"latency only, slower", lat(400, 150), nan, 0, 50, High, Nodata},
		{"both metrics, equal", lat(400, 100), []float64{0.011, 0.01, 0.009}, 100, 100, Pass, Pass},
	} {
		for _, pass := range []bool{false, true} {
			w := DefaultWindow()
			w.NodataPass = pass
			r := w.Judge(tt.cl, base, tt.ce, baseRate, rand.NewPCG(1, 2))
			want := tt.fail
			if pass {
				want = tt.pass
			}
			if r.Score.Summary != want || r.Latency.Class != tt.wantLat || r.ErrorRate.Class != tt.wantErr {
				t.Errorf("%s, NodataPass %v: score %v (%q), latency %s, error rate %s; want %v, %s, %s", tt.name, pass,
					r.Score.Summary, r.Score.Reason, r.Latency.Class, r.ErrorRate.Class, want, tt.wantLat, tt.wantErr)
			}
			if forced := r.Score.Reason != ""; forced != (!pass && tt.fail == 0) {
				t.Errorf("%s, NodataPass %v: reason %q", tt.name, pass, r.Score.Reason)
			}
		}
	}
}
