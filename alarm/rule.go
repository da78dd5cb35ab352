package alarm

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Rule is the evaluation part of a CloudWatch metric alarm: an "M out of N"
// test of datapoints against a static threshold, with a TreatMissingData
// setting and an evaluation range.
type Rule struct {
	EvaluationPeriods int          // N: how many of the most recent datapoints are evaluated
	DatapointsToAlarm int          // M: how many of them must breach; 0 means N
	Threshold         float64      // the second operand of Comparison
	Comparison        Comparison   // how a datapoint is compared with Threshold
	TreatMissing      TreatMissing // what missing datapoints mean
	EvaluationRange   int          // R: datapoints retrieved per evaluation; 0 means DefaultRange(N)
}

// DefaultRange returns the evaluation range shiftsim uses for an alarm with n
// evaluation periods: n + max(⌊n/3⌋, 2), which gives 3, 4, 5, 6, 7, 8 for
// n = 1..6 and 5 for n = 3. It returns 0 for n < 1.
//
// AWS does not document the size of the evaluation range. It says only that
// "CloudWatch attempts to retrieve a higher number of data points than the
// number specified as Evaluation Periods. The exact number ... depends on the
// length of the alarm period and whether it is based on a metric with
// standard resolution or high resolution", and its only example has 5 for 3
// evaluation periods (CloudWatch User Guide, "How alarm state is evaluated
// when data is missing", awsdocs/amazon-cloudwatch-user-guide at b3554970).
// A request to document the rule went unanswered before the repository was
// archived (awsdocs/amazon-cloudwatch-user-guide issue #102, 2021).
//
// The rule above is the one LocalStack's alarm emulator uses
// (localstack/localstack, localstack/services/cloudwatch/alarm_scheduler.py,
// collect_metric_data: "No other indication, try to calculate a reasonable
// value": evaluation_periods + max(floor(evaluation_periods/3), 2)). It is
// the only public emulator rule we found, it reproduces AWS's one data
// point, and it agrees with a field report of a 1-out-of-1 alarm with
// TreatMissingData=breaching that went to ALARM only after "3? or 4?"
// consecutive missing daily datapoints (Stack Overflow question 72093282):
// with n = 1 the range is 3, so the last good datapoint stops counting after
// the third missing one. Because the rule is a guess, Rule.EvaluationRange
// overrides it.
func DefaultRange(n int) int {
	if n < 1 {
		return 0
	}
	extra := n / 3
	if extra < 2 {
		extra = 2
	}
	return n + extra
}

// FieldError reports one invalid field of a Rule, named as in PutMetricAlarm.
type FieldError struct {
	Field  string // "EvaluationPeriods", "DatapointsToAlarm", "Threshold", ...
	Value  string // the offending value as text
	Reason string // what is wrong, for people
}

// Error returns "Field Value: Reason".
func (e *FieldError) Error() string { return e.Field + " " + e.Value + ": " + e.Reason }

// Validate reports the first invalid field of r as a *FieldError: N must be
// at least 1, M (when not 0) between 1 and N, R (when not 0) at least N, the
// threshold finite, and the operator and TreatMissingData known values.
func (r Rule) Validate() error {
	n := r.EvaluationPeriods
	switch {
	case n < 1:
		return &FieldError{"EvaluationPeriods", strconv.Itoa(n), "must be at least 1"}
	case r.DatapointsToAlarm < 0 || r.DatapointsToAlarm > n:
		return &FieldError{"DatapointsToAlarm", strconv.Itoa(r.DatapointsToAlarm),
			fmt.Sprintf("must be between 1 and EvaluationPeriods (%d); 0 means EvaluationPeriods", n)}
	case r.EvaluationRange != 0 && r.EvaluationRange < n:
		return &FieldError{"EvaluationRange", strconv.Itoa(r.EvaluationRange),
			fmt.Sprintf("must be at least EvaluationPeriods (%d); 0 means the default (%d)", n, DefaultRange(n))}
	case math.IsNaN(r.Threshold) || math.IsInf(r.Threshold, 0):
		return &FieldError{"Threshold", formatValue(r.Threshold), "must be a finite number"}
	case int(r.Comparison) >= len(comparisonNames):
		return &FieldError{"ComparisonOperator", strconv.Itoa(int(r.Comparison)), "unknown operator"}
	case int(r.TreatMissing) >= len(treatNames):
		return &FieldError{"TreatMissingData", strconv.Itoa(int(r.TreatMissing)), "unknown value"}
	}
	return nil
}

// Normalized returns r with DatapointsToAlarm and EvaluationRange filled in
// (0 replaced by N and DefaultRange(N)). Out-of-range values are clamped
// into range, so Normalized never panics, but only a rule that passes
// Validate means what it says.
func (r Rule) Normalized() Rule {
	if r.EvaluationPeriods < 1 {
		r.EvaluationPeriods = 1
	}
	n := r.EvaluationPeriods
	if r.DatapointsToAlarm <= 0 || r.DatapointsToAlarm > n {
		r.DatapointsToAlarm = n
	}
	if r.EvaluationRange == 0 {
		r.EvaluationRange = DefaultRange(n)
	}
	if r.EvaluationRange < n {
		r.EvaluationRange = n
	}
	return r
}

// Evaluate decides the alarm state from the datapoints of the evaluation
// range, oldest first, with math.NaN() for a missing datapoint, given the
// previous state prev. A slice shorter than the range means the older
// datapoints are missing; of a longer one only the last R datapoints are
// used. Evaluate does not allocate.
//
// The rule is the one shiftsim derived from AWS's worked examples (the
// docs/cloudwatch.md, "The evaluation rule with missing data"), which
// reproduces every row of both 2023 tables in the CloudWatch User Guide and
// its premature-alarm examples. With real = the present datapoints of the
// range:
//
//  1. If len(real) >= N: the newest N real datapoints decide; ALARM if at
//     least M breach, else OK. TreatMissingData is not used.
//  2. If no datapoint is present: missing gives INSUFFICIENT_DATA, ignore
//     keeps prev, breaching gives ALARM, notBreaching gives OK.
//  3. Otherwise N-len(real) datapoints are filled. breaching: ALARM if the
//     breaching real datapoints plus the fills reach M. notBreaching: ALARM
//     if the breaching real datapoints reach M. missing and ignore: ALARM if
//     the breaching real datapoints reach M (our addition, see below); else
//     the premature-alarm rule: if the last N slots hold a breaching
//     datapoint and no non-breaching one, fewer than M datapoints are
//     present, and the oldest breaching one in those slots is at least M
//     periods old (1 = newest), missing gives ALARM and ignore keeps prev;
//     else a non-breaching real datapoint gives OK; else missing gives
//     INSUFFICIENT_DATA and ignore keeps prev.
//
// The addition in step 3 (missing and ignore alarm when M real datapoints
// breach) changes no row of AWS's tables; without it an alarm holding M
// breaching datapoints would not fire when missing data is "missing" but
// would when it is "notBreaching", and AWS's own words ("all real data
// points in the evaluation range are included in the evaluation") say the
// real datapoints count.
func (r Rule) Evaluate(points []float64, prev State) State {
	s, _ := r.decide(points, prev)
	return s
}

// verdictKind says which branch of the evaluation rule decided.
type verdictKind uint8

const (
	enoughReal     verdictKind = iota // step 1
	noneReal                          // step 2
	filled                            // step 3, breaching or notBreaching
	partialBreach                     // step 3, M real datapoints breach
	premature                         // step 3, premature-alarm rule
	partialOK                         // step 3, a real datapoint does not breach
	partialUnknown                    // step 3, nothing decides
)

// verdict records how decide reached its state, for Explain. It is a value
// so that Evaluate does not allocate.
type verdict struct {
	kind      verdictKind
	rule      Rule      // normalized
	window    []float64 // the evaluation range actually present in the input (its tail)
	present   int       // real datapoints in the range
	breaching int       // breaching datapoints among those compared
	first     int       // enoughReal: index in window of the oldest datapoint used
	age       int       // premature: age of the oldest breaching datapoint (1 = newest)
}

func (r Rule) decide(points []float64, prev State) (State, verdict) {
	r = r.Normalized()
	n, m := r.EvaluationPeriods, r.DatapointsToAlarm
	if len(points) > r.EvaluationRange {
		points = points[len(points)-r.EvaluationRange:]
	}
	v := verdict{rule: r, window: points}
	present, xs := 0, 0
	for _, p := range points {
		if !math.IsNaN(p) {
			present++
			if r.Comparison.Breaches(p, r.Threshold) {
				xs++
			}
		}
	}
	v.present = present

	// Step 1: enough real datapoints; TreatMissingData is not needed.
	if present >= n {
		used, b := 0, 0
		for i := len(points) - 1; i >= 0 && used < n; i-- {
			if math.IsNaN(points[i]) {
				continue
			}
			used++
			v.first = i
			if r.Comparison.Breaches(points[i], r.Threshold) {
				b++
			}
		}
		v.kind, v.breaching = enoughReal, b
		return alarmIf(b >= m), v
	}
	v.breaching = xs

	// Step 2: nothing at all in the range.
	if present == 0 {
		v.kind = noneReal
		switch r.TreatMissing {
		case Ignore:
			return prev, v
		case Breaching:
			return Alarm, v // N >= M: all N filled datapoints breach
		case NotBreaching:
			return OK, v
		}
		return InsufficientData, v
	}

	// Step 3: some real datapoints, fewer than N.
	fills := n - present
	switch r.TreatMissing {
	case Breaching:
		v.kind, v.breaching = filled, xs+fills
		return alarmIf(xs+fills >= m), v
	case NotBreaching:
		v.kind = filled
		return alarmIf(xs >= m), v
	}
	if xs >= m {
		v.kind = partialBreach
		return Alarm, v
	}
	// Premature-alarm rule over the last N slots; slots before the start
	// of points are missing.
	nonBreachInW, oldestX := false, 0
	for age := 1; age <= n && age <= len(points); age++ {
		p := points[len(points)-age]
		if math.IsNaN(p) {
			continue
		}
		if !r.Comparison.Breaches(p, r.Threshold) {
			nonBreachInW = true
			break
		}
		oldestX = age
	}
	if !nonBreachInW && oldestX > 0 && present < m && oldestX >= m {
		v.kind, v.age = premature, oldestX
		if r.TreatMissing == Ignore {
			return prev, v
		}
		return Alarm, v
	}
	v.age = oldestX
	if present > xs {
		v.kind = partialOK
		return OK, v
	}
	v.kind = partialUnknown
	if r.TreatMissing == Ignore {
		return prev, v
	}
	return InsufficientData, v
}

func alarmIf(b bool) State {
	if b {
		return Alarm
	}
	return OK
}

// Explain is Evaluate plus a plain-English reason: which datapoints were
// used, how many were filled, and which part of the rule decided. It is for
// people asking "why didn't my alarm fire?".
func (r Rule) Explain(points []float64, prev State) (State, string) {
	s, v := r.decide(points, prev)
	return s, v.reason(prev)
}

func (v verdict) reason(prev State) string {
	r := v.rule
	n, m := r.EvaluationPeriods, r.DatapointsToAlarm
	cmp := r.Comparison.Symbol() + " " + formatValue(r.Threshold)
	var b strings.Builder
	switch v.kind {
	case enoughReal:
		used := v.window[v.first:]
		skipped := len(used) - n
		if skipped == 0 {
			fmt.Fprintf(&b, "%d of the %d most recent datapoints %s (%s; %d needed): %s",
				v.breaching, n, breachVerb(v.breaching), cmp, m, listPresent(used))
		} else {
			fmt.Fprintf(&b, "%d of the %d most recent present datapoints %s (%s; %d needed): %s; %s skipped, TreatMissingData not needed",
				v.breaching, n, breachVerb(v.breaching), cmp, m, listPresent(used), plural(skipped, "missing datapoint"))
		}
	case noneReal:
		fmt.Fprintf(&b, "all %d datapoints of the evaluation range are missing; TreatMissingData=%s", r.EvaluationRange, r.TreatMissing)
		switch r.TreatMissing {
		case Missing:
			b.WriteString(": not enough data")
		case Ignore:
			fmt.Fprintf(&b, ": keep the current state (%s)", prev)
		case Breaching:
			fmt.Fprintf(&b, ": the %d evaluated datapoints count as breaching (%d needed)", n, m)
		case NotBreaching:
			fmt.Fprintf(&b, ": the %d evaluated datapoints count as not breaching", n)
		}
	default:
		fmt.Fprintf(&b, "only %d of the %d datapoints in the evaluation range %s present, fewer than the %d evaluation periods: %s; ",
			v.present, r.EvaluationRange, isAre(v.present), n, v.rangeText())
		fills := n - v.present
		switch v.kind {
		case filled:
			how := "breaching"
			if r.TreatMissing == NotBreaching {
				how = "not breaching"
			}
			fmt.Fprintf(&b, "%s filled as %s (TreatMissingData=%s): %d of %d %s (%s; %d needed)",
				plural(fills, "datapoint"), how, r.TreatMissing, v.breaching, n, breachVerb(v.breaching), cmp, m)
		case partialBreach:
			fmt.Fprintf(&b, "%d of them %s (%s; %d needed)", v.breaching, breachVerb(v.breaching), cmp, m)
		case premature:
			fmt.Fprintf(&b, "premature-alarm rule: the oldest breaching datapoint of the last %d is %s old (at least %d, the datapoints to alarm) and every newer one is missing",
				n, plural(v.age, "period"), m)
			if r.TreatMissing == Ignore {
				fmt.Fprintf(&b, "; TreatMissingData=ignore: keep the current state (%s)", prev)
			}
		case partialOK:
			fmt.Fprintf(&b, "%d of them %s (%s; %d needed) and a present datapoint does not, so OK (TreatMissingData=%s)",
				v.breaching, breachVerb(v.breaching), cmp, m, r.TreatMissing)
		case partialUnknown:
			fmt.Fprintf(&b, "%d of them %s (%s; %d needed) and none is old enough for the premature-alarm rule (the oldest breaching one is %s old, needs %d); TreatMissingData=%s",
				v.breaching, breachVerb(v.breaching), cmp, m, plural(v.age, "period"), m, r.TreatMissing)
			if r.TreatMissing == Ignore {
				fmt.Fprintf(&b, ": keep the current state (%s)", prev)
			} else {
				b.WriteString(": not enough data")
			}
		}
	}
	return b.String()
}

// rangeText renders the whole evaluation range oldest first, with - for a
// missing datapoint, as AWS's tables do.
func (v verdict) rangeText() string {
	var b strings.Builder
	b.WriteByte('[')
	lead := v.rule.EvaluationRange - len(v.window)
	for i := 0; i < v.rule.EvaluationRange; i++ {
		if i > 0 {
			b.WriteByte(' ')
		}
		if i < lead || math.IsNaN(v.window[i-lead]) {
			b.WriteByte('-')
		} else {
			b.WriteString(formatValue(v.window[i-lead]))
		}
	}
	b.WriteByte(']')
	return b.String()
}

// listPresent renders the present datapoints of ps, oldest first.
func listPresent(ps []float64) string {
	var b strings.Builder
	b.WriteByte('[')
	first := true
	for _, p := range ps {
		if math.IsNaN(p) {
			continue
		}
		if !first {
			b.WriteByte(' ')
		}
		first = false
		b.WriteString(formatValue(p))
	}
	b.WriteByte(']')
	return b.String()
}

// FormatNumber prints a number at full precision, the shortest text that
// parses back to the same float64, in plain decimals from 1e-6 to 1e21 and
// with an exponent outside: a reason must not show a datapoint equal to the
// threshold it breached, and a canonical expression must compile to the
// same constants (1000001 is not 1e+06).
func FormatNumber(v float64) string {
	if a := math.Abs(v); a == 0 || a >= 1e-6 && a < 1e21 {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

func formatValue(v float64) string { return FormatNumber(v) }

func plural(k int, noun string) string {
	if k == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(k) + " " + noun + "s"
}

func breachVerb(k int) string {
	if k == 1 {
		return "breaches"
	}
	return "breach"
}

func isAre(k int) string {
	if k == 1 {
		return "is"
	}
	return "are"
}

// Step is the outcome of one evaluation in a Series.
type Step struct {
	State  State
	Reason string
}

// Series evaluates r once per datapoint, starting from initial: after
// datapoint i the evaluation range is the last R datapoints ending at i
// (datapoints before index 0 are missing). It returns the state and reason
// after each datapoint.
func (r Rule) Series(points []float64, initial State) []Step {
	rng := r.Normalized().EvaluationRange
	steps := make([]Step, len(points))
	s := initial
	for i := range points {
		lo := max(0, i+1-rng)
		var why string
		s, why = r.Explain(points[lo:i+1], s)
		steps[i] = Step{State: s, Reason: why}
	}
	return steps
}

// SeriesSamples is Series for an alarm on the percentile statistic s with
// EvaluateLowSampleCountPercentile l: samples[i] is how many samples
// datapoint i summarises. Where the newest present datapoint of an
// evaluation range has too few (Holds), the alarm keeps its state and the
// reason says why; elsewhere the step is Series's.
func (r Rule) SeriesSamples(points, samples []float64, s Stat, l LowSample, initial State) []Step {
	rng := r.Normalized().EvaluationRange
	steps := make([]Step, len(points))
	st := initial
	for i := range points {
		lo := max(0, i+1-rng)
		newest := -1
		for j := i; j >= lo; j-- {
			if !math.IsNaN(points[j]) {
				newest = j
				break
			}
		}
		if newest >= 0 && newest < len(samples) && l.Holds(s, samples[newest]) {
			steps[i] = Step{State: st, Reason: fmt.Sprintf("the newest datapoint summarises %s samples, fewer than the %s AWS requires for %s: EvaluateLowSampleCountPercentile=ignore keeps %s",
				FormatNumber(samples[newest]), FormatNumber(s.MinSamples()), s, st)}
			continue
		}
		var why string
		st, why = r.Explain(points[lo:i+1], st)
		steps[i] = Step{State: st, Reason: why}
	}
	return steps
}
