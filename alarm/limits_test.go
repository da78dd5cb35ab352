package alarm

import (
	"errors"
	"testing"
)

// The limits of PutMetricAlarm's Period and Period × EvaluationPeriods
// (docs/cloudwatch.md), at and just past each edge.
func TestPeriodLimits(t *testing.T) {
	for _, c := range []struct {
		period int
		high   bool
		ok     bool
	}{
		{10, true, true}, {20, true, true}, {30, true, true}, {60, true, true},
		{10, false, false}, {20, false, false}, {30, false, false}, {60, false, true}, {300, false, true},
		{0, true, false}, {-60, false, false}, {45, true, false}, {90, false, false}, {40, true, false},
		{MaxWindow, false, true}, {MaxWindow + 60, false, false},
	} {
		err := ValidatePeriod(c.period, c.high)
		var fe *FieldError
		if (err == nil) != c.ok || (err != nil && (!errors.As(err, &fe) || fe.Field != "Period")) {
			t.Errorf("ValidatePeriod(%d, high=%v) = %v, want ok=%v", c.period, c.high, err, c.ok)
		}
	}
	for _, c := range []struct {
		period, n int
		ok        bool
	}{
		{60, 1440, true}, {60, 1441, false}, {10, 8640, true}, {10, 8641, false},
		{3540, 24, true}, {3540, 25, false}, // under an hour: one day
		{3600, 168, true}, {3600, 169, false}, {86400, 7, true}, {86400, 8, false}, {MaxWindow, 1, true},
		{60, 1 << 62, false}, // no overflow
	} {
		err := ValidateWindow(c.period, c.n)
		var fe *FieldError
		if (err == nil) != c.ok || (err != nil && (!errors.As(err, &fe) || fe.Field != "EvaluationPeriods")) {
			t.Errorf("ValidateWindow(%d, %d) = %v, want ok=%v", c.period, c.n, err, c.ok)
		}
	}
}
