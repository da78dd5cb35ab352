package alarm_test

import (
	"fmt"
	"math"

	"github.com/shiftsim/shiftsim/alarm"
)

// The alarm SAM's documentation puts on a new Lambda version: Errors, Sum,
// 2 evaluation periods, GreaterThanThreshold 0. One period with no
// invocations (no datapoint) does not stop it from firing.
func ExampleRule_Series() {
	r := alarm.Rule{EvaluationPeriods: 2, Threshold: 0, Comparison: alarm.GreaterThanThreshold}
	errors := []float64{0, 3, math.NaN(), 1}
	for i, step := range r.Series(errors, alarm.InsufficientData) {
		fmt.Println(i, step.State)
	}
	// Output:
	// 0 OK
	// 1 OK
	// 2 OK
	// 3 ALARM
}

func ExampleCompileExpr() {
	e, err := alarm.CompileExpr("100 * errors / invocations", []string{"errors", "invocations"})
	if err != nil {
		panic(err)
	}
	fmt.Println(e.Eval([]float64{5, 100}))
	fmt.Println(e.Eval([]float64{math.NaN(), 100})) // missing errors count as 0 against invocations
	fmt.Println(e.Eval([]float64{5, 0}))            // division by zero drops the datapoint
	_, err = alarm.CompileExpr("100 * erors / invocations", []string{"errors", "invocations"})
	fmt.Println(err)
	// Output:
	// 5
	// 0
	// NaN
	// column 7: unknown metric id "erors" (known: errors, invocations)
}

func ExampleParseStat() {
	s, _ := alarm.ParseStat("", "p99")
	fmt.Println(s, s.Of([]float64{120, 80, 95, 300}))
	_, err := alarm.ParseStat("", "tm90")
	fmt.Println(err)
	// Output:
	// p99 300
	// ExtendedStatistic "tm90" is not supported by shiftsim (only percentiles such as p99 are)
}
