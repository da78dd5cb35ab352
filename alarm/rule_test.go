package alarm

import (
	"fmt"
	"math"
	"strings"
	"testing"
)

// awsRow is one row of a table in the CloudWatch User Guide, "How alarm state
// is evaluated when data is missing" (awsdocs/amazon-cloudwatch-user-guide,
// doc_source/AlarmThatSendsEmail.md at b3554970, 2023-05-18; see
// docs/cloudwatch.md). Data points are oldest
// first: 0 is non-breaching, X breaching, - missing. The four states are the
// MISSING, IGNORE, BREACHING and NOT BREACHING columns, as printed.
type awsRow struct {
	points                                   string
	missing, ignore, breaching, notBreaching string
}

const retain = "Retain current state"

// Table 1: Datapoints to Alarm = 3, Evaluation Periods = 3, range 5.
var awsTable1 = []awsRow{
	{"0 - X - X", "OK", "OK", "OK", "OK"},
	{"0 - - - -", "OK", "OK", "OK", "OK"},
	{"- - - - -", "INSUFFICIENT_DATA", retain, "ALARM", "OK"},
	{"0 X X - X", "ALARM", "ALARM", "ALARM", "ALARM"},
	{"- - X - -", "ALARM", retain, "ALARM", "OK"},
}

// Table 2: Datapoints to Alarm = 2, Evaluation Periods = 3, range 5.
var awsTable2 = []awsRow{
	{"0 - X - X", "ALARM", "ALARM", "ALARM", "ALARM"},
	{"0 0 X 0 X", "ALARM", "ALARM", "ALARM", "ALARM"},
	{"0 - X - -", "OK", "OK", "ALARM", "OK"},
	{"- - - - 0", "OK", "OK", "ALARM", "OK"},
	{"- - - X -", "ALARM", retain, "ALARM", "OK"},
}

// pattern turns "0 - X" into datapoints for c and threshold 5: a value that
// breaches for X, one that does not for 0, NaN for -.
func pattern(t testing.TB, s string, c Comparison) []float64 {
	t.Helper()
	hi, lo := 7.0, 3.0
	if c == LessThanThreshold || c == LessThanOrEqualToThreshold {
		hi, lo = lo, hi
	}
	var ps []float64
	for _, f := range strings.Fields(s) {
		switch f {
		case "X":
			ps = append(ps, hi)
		case "0":
			ps = append(ps, lo)
		case "-":
			ps = append(ps, math.NaN())
		default:
			t.Fatalf("bad pattern %q", s)
		}
	}
	return ps
}

var allStates = []State{OK, Alarm, InsufficientData}
var allTreat = []TreatMissing{Missing, Ignore, Breaching, NotBreaching}
var allComparisons = []Comparison{GreaterThanOrEqualToThreshold, GreaterThanThreshold, LessThanThreshold, LessThanOrEqualToThreshold}

func TestAWSTables(t *testing.T) {
	for _, tab := range []struct {
		name string
		m    int
		rows []awsRow
	}{{"table1 (3 of 3)", 3, awsTable1}, {"table2 (2 of 3)", 2, awsTable2}} {
		for _, row := range tab.rows {
			want := map[TreatMissing]string{Missing: row.missing, Ignore: row.ignore, Breaching: row.breaching, NotBreaching: row.notBreaching}
			for _, tm := range allTreat {
				for _, c := range allComparisons {
					for _, prev := range allStates {
						r := Rule{EvaluationPeriods: 3, DatapointsToAlarm: tab.m, Threshold: 5, Comparison: c, TreatMissing: tm}
						if got := r.Normalized().EvaluationRange; got != 5 {
							t.Fatalf("range for N=3 = %d, want 5 (AWS: \"5 is the evaluation range\")", got)
						}
						wantState := want[tm]
						if wantState == retain {
							wantState = prev.String()
						}
						got, why := r.Explain(pattern(t, row.points, c), prev)
						if got.String() != wantState {
							t.Errorf("%s %q %s %s prev=%s: got %s, want %s (%s)", tab.name, row.points, tm, c, prev, got, wantState, why)
						}
						if e := r.Evaluate(pattern(t, row.points, c), prev); e != got {
							t.Errorf("Evaluate and Explain disagree on %q: %s vs %s", row.points, e, got)
						}
					}
				}
			}
		}
	}
}

// TestPremature checks the examples of "Avoiding premature transitions to
// alarm state" (same AWS page): N=3, range 5, M=3 unless stated.
func TestPremature(t *testing.T) {
	for _, tc := range []struct {
		points string
		m      int
		alarm  bool
	}{
		{"- - - - X", 3, false},
		{"- - - X -", 3, false},
		{"- - X - -", 3, true},
		{"- - - X 0", 3, false}, // "false positives are avoided when the next data point is non-breaching"
		{"- - X - 0", 3, false},
		{"- - - - X", 2, false},
		{"- - - X -", 2, true}, // table 2 row 5
		{"- - X - -", 2, true}, // "no matter the value of M"
		{"- - - - X", 1, true}, // one breaching datapoint is enough for M=1
	} {
		for _, tm := range []TreatMissing{Missing, Ignore} {
			r := Rule{EvaluationPeriods: 3, DatapointsToAlarm: tc.m, Threshold: 5, TreatMissing: tm}
			got, why := r.Explain(pattern(t, tc.points, r.Comparison), OK)
			want := OK
			if tc.alarm && (tm == Missing || tc.m == 1) {
				want = Alarm
			}
			if !tc.alarm && tm == Missing && !strings.Contains(tc.points, "0") {
				want = InsufficientData
			}
			if got != want {
				t.Errorf("%q M=%d %s: got %s, want %s (%s)", tc.points, tc.m, tm, got, want, why)
			}
		}
	}
}

// TestHistoricRows checks the 2019 versions of row 5 (`- - - - X`), which
// the 2023 rule still reproduces (docs/cloudwatch.md).
func TestHistoricRows(t *testing.T) {
	for _, m := range []int{2, 3} {
		want := map[TreatMissing]State{Missing: InsufficientData, Breaching: Alarm, NotBreaching: OK}
		for tm, w := range want {
			r := Rule{EvaluationPeriods: 3, DatapointsToAlarm: m, Threshold: 5, TreatMissing: tm}
			if got := r.Evaluate(pattern(t, "- - - - X", r.Comparison), OK); got != w {
				t.Errorf("M=%d %s: got %s, want %s", m, tm, got, w)
			}
		}
		r := Rule{EvaluationPeriods: 3, DatapointsToAlarm: m, Threshold: 5, TreatMissing: Ignore}
		for _, prev := range allStates {
			if got := r.Evaluate(pattern(t, "- - - - X", r.Comparison), prev); got != prev {
				t.Errorf("M=%d ignore prev=%s: got %s", m, prev, got)
			}
		}
	}
}

func TestMOfN(t *testing.T) {
	for _, tc := range []struct {
		n, m   int
		points string
		want   State
	}{
		{1, 1, "X", Alarm},
		{1, 1, "0", OK},
		{1, 1, "X 0", OK}, // only the newest counts
		{2, 2, "X X", Alarm},
		{2, 2, "X 0", OK},
		{2, 1, "X 0", Alarm},
		{3, 2, "X 0 X", Alarm},
		{3, 2, "X 0 0", OK},
		{3, 2, "X X 0 0 0", OK}, // older breaches outside N
		{5, 3, "X 0 X 0 X", Alarm},
		{5, 3, "0 X 0 X 0", OK},
		{5, 4, "X X X X 0 X X", Alarm},            // the last 5 are X X 0 X X
		{5, 5, "X X X X 0 X X", OK},               // not 5 of 5
		{3, 3, "X X - X", Alarm},                  // a gap skipped, 3 real datapoints
		{3, 3, "0 X - X X", Alarm},                // newest 3 real: X X X
		{3, 3, "X - 0 - X X", OK},                 // range 5 drops the oldest X: [- 0 - X X], newest 3 real are 0 X X
		{5, 2, "- - X X - - -", Alarm},            // M real breaches with fewer than N present: our addition
		{5, 2, "X X 0 - - - -", Alarm},            // ditto, with a non-breaching datapoint present
		{5, 2, "- - - 0 X - -", OK},               // one breach, a 0
		{5, 3, "- - - - - X -", InsufficientData}, // too recent for the premature-alarm rule
		{5, 3, "- - - - X - -", Alarm},            // 3 periods old: premature-alarm rule
	} {
		r := Rule{EvaluationPeriods: tc.n, DatapointsToAlarm: tc.m, Threshold: 5}
		got, why := r.Explain(pattern(t, tc.points, r.Comparison), InsufficientData)
		if got != tc.want {
			t.Errorf("%d of %d %q: got %s, want %s (%s)", tc.m, tc.n, tc.points, got, tc.want, why)
		}
	}
}

func TestComparisonAtEquality(t *testing.T) {
	for _, tc := range []struct {
		c                   Comparison
		below, equal, above bool
	}{
		{GreaterThanOrEqualToThreshold, false, true, true},
		{GreaterThanThreshold, false, false, true},
		{LessThanThreshold, true, false, false},
		{LessThanOrEqualToThreshold, true, true, false},
	} {
		for v, want := range map[float64]bool{4.999: tc.below, 5: tc.equal, 5.001: tc.above} {
			if got := tc.c.Breaches(v, 5); got != want {
				t.Errorf("%s.Breaches(%g, 5) = %v, want %v", tc.c, v, got, want)
			}
			r := Rule{EvaluationPeriods: 1, Threshold: 5, Comparison: tc.c}
			if got := r.Evaluate([]float64{v}, OK); got != alarmIf(want) {
				t.Errorf("%s with datapoint %g: %s", tc.c, v, got)
			}
		}
		if tc.c.Breaches(math.NaN(), 5) {
			t.Errorf("%s: NaN breaches", tc.c)
		}
	}
}

func TestDefaultRange(t *testing.T) {
	want := map[int]int{0: 0, 1: 3, 2: 4, 3: 5, 4: 6, 5: 7, 6: 8, 9: 12, 10: 13, 30: 40}
	for n, w := range want {
		if got := DefaultRange(n); got != w {
			t.Errorf("DefaultRange(%d) = %d, want %d", n, got, w)
		}
	}
}

func TestValidate(t *testing.T) {
	good := Rule{EvaluationPeriods: 3, DatapointsToAlarm: 2, Threshold: 1}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		mut   func(*Rule)
		field string
	}{
		{func(r *Rule) { r.EvaluationPeriods = 0 }, "EvaluationPeriods"},
		{func(r *Rule) { r.DatapointsToAlarm = 4 }, "DatapointsToAlarm"},
		{func(r *Rule) { r.DatapointsToAlarm = -1 }, "DatapointsToAlarm"},
		{func(r *Rule) { r.EvaluationRange = 2 }, "EvaluationRange"},
		{func(r *Rule) { r.Threshold = math.NaN() }, "Threshold"},
		{func(r *Rule) { r.Threshold = math.Inf(1) }, "Threshold"},
		{func(r *Rule) { r.Comparison = 9 }, "ComparisonOperator"},
		{func(r *Rule) { r.TreatMissing = 9 }, "TreatMissingData"},
	} {
		r := good
		tc.mut(&r)
		err := r.Validate()
		fe, ok := err.(*FieldError)
		if !ok || fe.Field != tc.field {
			t.Errorf("%+v: got %v, want a %s error", r, err, tc.field)
		}
		_ = r.Evaluate([]float64{1, 2}, OK) // must not panic on an invalid rule
	}
	if err := (Rule{EvaluationPeriods: 3, DatapointsToAlarm: 4}).Validate(); err == nil ||
		err.Error() != "DatapointsToAlarm 4: must be between 1 and EvaluationPeriods (3); 0 means EvaluationPeriods" {
		t.Errorf("message: %v", err)
	}
}

func TestExplain(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		r      Rule
		points []float64
		prev   State
		state  State
		reason string
	}{
		{Rule{EvaluationPeriods: 3, DatapointsToAlarm: 2, Threshold: 5}, []float64{1, 5.2, 4.1, 6}, OK, Alarm,
			"2 of the 3 most recent datapoints breach (>= 5; 2 needed): [5.2 4.1 6]"},
		{Rule{EvaluationPeriods: 3, Threshold: 5}, []float64{5.2, nan, 6, 7}, OK, Alarm,
			"3 of the 3 most recent present datapoints breach (>= 5; 3 needed): [5.2 6 7]; 1 missing datapoint skipped, TreatMissingData not needed"},
		{Rule{EvaluationPeriods: 3, Threshold: 5}, nil, Alarm, InsufficientData,
			"all 5 datapoints of the evaluation range are missing; TreatMissingData=missing: not enough data"},
		{Rule{EvaluationPeriods: 3, Threshold: 5, TreatMissing: Ignore}, []float64{nan}, Alarm, Alarm,
			"all 5 datapoints of the evaluation range are missing; TreatMissingData=ignore: keep the current state (ALARM)"},
		{Rule{EvaluationPeriods: 3, Threshold: 5, TreatMissing: Breaching}, []float64{0}, Alarm, OK,
			"only 1 of the 5 datapoints in the evaluation range is present, fewer than the 3 evaluation periods: [- - - - 0]; 2 datapoints filled as breaching (TreatMissingData=breaching): 2 of 3 breach (>= 5; 3 needed)"},
		{Rule{EvaluationPeriods: 3, Threshold: 5}, []float64{nan, nan, 9, nan, nan}, OK, Alarm,
			"only 1 of the 5 datapoints in the evaluation range is present, fewer than the 3 evaluation periods: [- - 9 - -]; premature-alarm rule: the oldest breaching datapoint of the last 3 is 3 periods old (at least 3, the datapoints to alarm) and every newer one is missing"},
		{Rule{EvaluationPeriods: 3, Threshold: 5}, []float64{nan, nan, nan, 9, nan}, OK, InsufficientData,
			"only 1 of the 5 datapoints in the evaluation range is present, fewer than the 3 evaluation periods: [- - - 9 -]; 1 of them breaches (>= 5; 3 needed) and none is old enough for the premature-alarm rule (the oldest breaching one is 2 periods old, needs 3); TreatMissingData=missing: not enough data"},
		{Rule{EvaluationPeriods: 3, DatapointsToAlarm: 2, Threshold: 5}, []float64{0, nan, 9, nan, nan}, Alarm, OK,
			"only 2 of the 5 datapoints in the evaluation range are present, fewer than the 3 evaluation periods: [0 - 9 - -]; 1 of them breaches (>= 5; 2 needed) and a present datapoint does not, so OK (TreatMissingData=missing)"},
	} {
		s, why := tc.r.Explain(tc.points, tc.prev)
		if s != tc.state || why != tc.reason {
			t.Errorf("Explain(%v):\n got %s %q\nwant %s %q", tc.points, s, why, tc.state, tc.reason)
		}
	}
}

// TestSeries checks that Series slides the range one datapoint at a time and
// carries the state: AWS's note on table 1 row 2 says the alarm "will go to
// ALARM" at the next evaluation once the non-breaching point leaves the range.
func TestSeries(t *testing.T) {
	r := Rule{EvaluationPeriods: 3, Threshold: 5, TreatMissing: Breaching}
	ps := pattern(t, "0 - - - - -", r.Comparison)
	steps := r.Series(ps, InsufficientData)
	var got []string
	for _, s := range steps {
		got = append(got, s.State.String())
	}
	want := "OK OK OK OK OK ALARM"
	if strings.Join(got, " ") != want {
		t.Errorf("got %v, want %s", got, want)
	}
	// Series agrees with Evaluate on explicit windows.
	r = Rule{EvaluationPeriods: 2, DatapointsToAlarm: 1, Threshold: 5, TreatMissing: Ignore}
	ps = pattern(t, "- X 0 - - - - X - 0 0", r.Comparison)
	s := Alarm
	for i, step := range r.Series(ps, Alarm) {
		lo := max(0, i+1-4)
		s = r.Evaluate(ps[lo:i+1], s)
		if s != step.State {
			t.Fatalf("step %d: Series %s, Evaluate %s", i, step.State, s)
		}
	}
}

// twinEvaluate is the slow twin of Evaluate: it lays the range out as a
// string of X, 0 and - exactly like AWS's tables and applies the derived rule
// of docs/cloudwatch.md with string operations.
func twinEvaluate(r Rule, points []float64, prev State) State {
	n, m, rng := r.EvaluationPeriods, r.DatapointsToAlarm, r.EvaluationRange
	if m == 0 {
		m = n
	}
	if rng == 0 {
		rng = DefaultRange(n)
	}
	slots := strings.Repeat("-", rng)
	b := []byte(slots)
	for i := 0; i < rng && i < len(points); i++ {
		p := points[len(points)-1-i]
		switch {
		case math.IsNaN(p):
		case r.Comparison.Breaches(p, r.Threshold):
			b[rng-1-i] = 'X'
		default:
			b[rng-1-i] = '0'
		}
	}
	slots = string(b)
	real := strings.NewReplacer("-", "").Replace(slots)
	xs := strings.Count(real, "X")
	if len(real) >= n {
		if strings.Count(real[len(real)-n:], "X") >= m {
			return Alarm
		}
		return OK
	}
	if len(real) == 0 {
		return map[TreatMissing]State{Missing: InsufficientData, Ignore: prev, Breaching: Alarm, NotBreaching: OK}[r.TreatMissing]
	}
	fills := n - len(real)
	switch r.TreatMissing {
	case Breaching:
		return alarmIf(xs+fills >= m)
	case NotBreaching:
		return alarmIf(xs >= m)
	}
	if xs >= m {
		return Alarm
	}
	w := slots[rng-n:]
	if strings.Contains(w, "X") && !strings.Contains(w, "0") && len(real) < m && n-strings.Index(w, "X") >= m {
		if r.TreatMissing == Missing {
			return Alarm
		}
		return prev
	}
	if strings.Contains(real, "0") {
		return OK
	}
	if r.TreatMissing == Missing {
		return InsufficientData
	}
	return prev
}

// TestTwin compares Evaluate with its slow twin on every pattern of X, 0 and
// - up to length R (R+1 for the default range, to cover truncation), for N
// up to 4, every M, three ranges, every treatment and previous state.
func TestTwin(t *testing.T) {
	count, maxN := 0, 4
	if testing.Short() {
		maxN = 3
	}
	for n := 1; n <= maxN; n++ {
		for m := 1; m <= n; m++ {
			for _, rng := range []int{0, n, n + 1} {
				r := Rule{EvaluationPeriods: n, DatapointsToAlarm: m, Threshold: 5, EvaluationRange: rng}
				R := r.Normalized().EvaluationRange
				maxLen := R
				if rng == 0 {
					maxLen = R + 1
				}
				for length := 0; length <= maxLen; length++ {
					total := 1
					for i := 0; i < length; i++ {
						total *= 3
					}
					ps := make([]float64, length)
					for code := 0; code < total; code++ {
						c := code
						for i := range ps {
							ps[i] = [3]float64{math.NaN(), 1, 9}[c%3]
							c /= 3
						}
						for _, tm := range allTreat {
							r.TreatMissing = tm
							for _, prev := range allStates {
								count++
								if got, want := r.Evaluate(ps, prev), twinEvaluate(r, ps, prev); got != want {
									t.Fatalf("%+v %v prev=%s: Evaluate %s, twin %s", r, ps, prev, got, want)
								}
							}
						}
					}
				}
			}
		}
	}
	t.Logf("%d cases", count)
}

// TestProperties checks consequences of AWS's definitions on every pattern
// of length 5 for N=3: with N real datapoints TreatMissingData does not
// matter; notBreaching never alarms where missing would not; and a window
// with no missing datapoint is an ordinary M-of-N count.
func TestProperties(t *testing.T) {
	for m := 1; m <= 3; m++ {
		for code := 0; code < 243; code++ {
			ps := make([]float64, 5)
			c, present := code, 0
			for i := range ps {
				ps[i] = [3]float64{math.NaN(), 1, 9}[c%3]
				if c%3 != 0 {
					present++
				}
				c /= 3
			}
			base := Rule{EvaluationPeriods: 3, DatapointsToAlarm: m, Threshold: 5}
			states := map[TreatMissing]State{}
			for _, tm := range allTreat {
				r := base
				r.TreatMissing = tm
				states[tm] = r.Evaluate(ps, InsufficientData)
			}
			if present >= 3 {
				for tm, s := range states {
					if s != states[Missing] {
						t.Errorf("M=%d %v: %s gives %s, missing gives %s", m, ps, tm, s, states[Missing])
					}
				}
			}
			if states[NotBreaching] == Alarm && states[Missing] != Alarm {
				t.Errorf("M=%d %v: notBreaching alarms, missing gives %s", m, ps, states[Missing])
			}
			if states[NotBreaching] == Alarm && states[Breaching] != Alarm {
				t.Errorf("M=%d %v: notBreaching alarms, breaching gives %s", m, ps, states[Breaching])
			}
		}
	}
}

func TestEvaluateAllocs(t *testing.T) {
	r := Rule{EvaluationPeriods: 3, DatapointsToAlarm: 2, Threshold: 5}
	ps := []float64{math.NaN(), 1, 9, math.NaN(), math.NaN()}
	if a := testing.AllocsPerRun(100, func() { r.Evaluate(ps, OK) }); a != 0 {
		t.Errorf("Evaluate allocates %v times", a)
	}
}

func BenchmarkEvaluate(b *testing.B) {
	nan := math.NaN()
	for _, bc := range []struct {
		name   string
		r      Rule
		points []float64
	}{
		{"full/3of3", Rule{EvaluationPeriods: 3, Threshold: 5}, []float64{1, 9, 9, 1, 9}},
		{"gappy/2of3", Rule{EvaluationPeriods: 3, DatapointsToAlarm: 2, Threshold: 5}, []float64{1, nan, 9, nan, nan}},
		{"full/10of30", Rule{EvaluationPeriods: 30, DatapointsToAlarm: 10, Threshold: 5}, make([]float64, 40)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			s := OK
			for b.Loop() {
				s = bc.r.Evaluate(bc.points, s)
			}
		})
	}
}

func ExampleRule_Explain() {
	r := Rule{EvaluationPeriods: 3, DatapointsToAlarm: 3, Threshold: 1, Comparison: GreaterThanOrEqualToThreshold}
	nan := math.NaN()
	// AWS table 1, row 5: "- - X - -" goes to ALARM even with missing data treated as missing.
	s, why := r.Explain([]float64{nan, nan, 4, nan, nan}, OK)
	fmt.Println(s)
	fmt.Println(why)
	// Output:
	// ALARM
	// only 1 of the 5 datapoints in the evaluation range is present, fewer than the 3 evaluation periods: [- - 4 - -]; premature-alarm rule: the oldest breaching datapoint of the last 3 is 3 periods old (at least 3, the datapoints to alarm) and every newer one is missing
}
