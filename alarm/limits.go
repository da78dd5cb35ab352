package alarm

import (
	"fmt"
	"strconv"
)

// CloudWatch's limits on an alarm's periods (PutMetricAlarm API reference,
// field Period; docs/cloudwatch.md).
const (
	// MaxWindow is the longest evaluation window, Period × EvaluationPeriods,
	// in seconds: seven days.
	MaxWindow = 7 * 24 * 3600
	// MaxShortWindow is the longest window, in seconds, of an alarm whose
	// Period is under an hour: one day.
	MaxShortWindow = 24 * 3600
)

// ValidatePeriod reports whether CloudWatch accepts period seconds for an
// alarm on a metric of the given resolution: "Valid values are 10, 20, 30,
// and any multiple of 60", the first three only for high-resolution metrics
// (on a standard-resolution metric such as Lambda's the alarm "does not
// receive data for the attempts that do not correspond to a one-minute data
// resolution" and lapses into INSUFFICIENT_DATA), and at most MaxWindow, as
// the window holds at least one period. It returns a *FieldError or nil.
func ValidatePeriod(period int, highResolution bool) error {
	switch {
	case period == 10 || period == 20 || period == 30:
		if !highResolution {
			return &FieldError{"Period", strconv.Itoa(period),
				"the metric has standard resolution (Lambda publishes one datapoint a minute): the period must be a multiple of 60 seconds (10, 20 and 30 are for high-resolution metrics only)"}
		}
	case period <= 0 || period%60 != 0:
		return &FieldError{"Period", strconv.Itoa(period), "must be 10, 20, 30 or a multiple of 60 seconds"}
	case period > MaxWindow:
		return &FieldError{"Period", strconv.Itoa(period), fmt.Sprintf("at most %d seconds (7 days, the longest evaluation window)", MaxWindow)}
	}
	return nil
}

// ValidateWindow reports whether CloudWatch accepts n evaluation periods of
// period seconds: "Period multiplied by EvaluationPeriods can't be more than
// 604,800 seconds. For alarms with a period of less than one hour (3,600
// seconds), the total evaluation period can't be longer than one day
// (86,400 seconds)". period must be positive. It returns a *FieldError
// naming EvaluationPeriods, or nil.
func ValidateWindow(period, n int) error {
	limit, what := MaxWindow, "7 days"
	if period < 3600 {
		limit, what = MaxShortWindow, "1 day for a period under an hour"
	}
	if period > 0 && n > limit/period {
		return &FieldError{"EvaluationPeriods", strconv.Itoa(n),
			fmt.Sprintf("at most %d with a %d-second period: Period × EvaluationPeriods can be at most %d seconds (%s)", limit/period, period, limit, what)}
	}
	return nil
}
