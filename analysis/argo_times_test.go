package analysis

import (
	"reflect"
	"testing"
	"time"
)

// Times is the controller's schedule: initialDelay first, an interval after
// each measurement, ErrorRetry (10 s) after an Error.
func TestResultTimes(t *testing.T) {
	m := Metric{Interval: true, FailureLimit: 5, ConsecutiveErrorLimit: 4}
	res := m.Replay([]Input{{Outcome: Successful}, {Outcome: Error}, {Outcome: Error}, {Outcome: Failed}, {Outcome: Successful}}, false)
	got := res.Times(30*time.Second, time.Minute)
	want := []time.Duration{30 * time.Second, 90 * time.Second, 100 * time.Second, 110 * time.Second, 170 * time.Second}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("times %v, want %v", got, want)
	}
	if len(Result{}.Times(time.Minute, time.Minute)) != 0 {
		t.Errorf("no measurements, no times")
	}
}
