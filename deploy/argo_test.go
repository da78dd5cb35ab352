package deploy

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/shiftsim/shiftsim/gate"
	"github.com/shiftsim/shiftsim/strategies"
)

func wptr(w float64) *float64 { return &w }

// harness runs cfg from Start at 0 to until, answering each Measure at once
// with value(gate, t) (NaN: a provider error) and promoting promoteAfter
// after each Pause (never when < 0). It returns the records' text.
func harness(t *testing.T, cfg Config, value func(g int, at time.Duration) float64, promoteAfter, until time.Duration) (*Controller, []string) {
	t.Helper()
	ctl, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	var pending []Event
	promoteAt := time.Duration(-1)
	feed := func(now time.Duration, ev Event) {
		acts := ctl.Step(now, ev)
		if ev.Kind == Tick && len(acts) == 0 {
			return
		}
		lines = append(lines, Record{T: now, Event: ev, Actions: acts}.String())
		for _, a := range acts {
			switch a.Kind {
			case Measure:
				v := value(a.Gate, now)
				e := Event{Kind: Measurement, Gate: a.Gate, Value: v}
				if v != v {
					e = Event{Kind: Measurement, Gate: a.Gate, Err: true}
				}
				pending = append(pending, e)
			case Pause:
				if promoteAfter >= 0 {
					promoteAt = now + promoteAfter
				}
			}
		}
	}
	feed(0, Event{Kind: Start})
	now := time.Duration(0)
	for i := 0; i < 100000 && ctl.Status().Active(); i++ {
		if len(pending) > 0 {
			e := pending[0]
			pending = pending[1:]
			feed(now, e)
			continue
		}
		next, ok := ctl.Deadline()
		if promoteAt >= 0 && ctl.Status() == Paused && (!ok || promoteAt <= next) {
			now, promoteAt = max(now, promoteAt), -1
			feed(now, Event{Kind: Promote})
			continue
		}
		if !ok || next > until {
			break
		}
		now = max(now, next)
		feed(now, Event{Kind: Tick})
	}
	return ctl, lines
}

func argoCfg(r *strategies.Rollout) Config {
	return Config{Rollout: r, Gates: r.Gates()}
}

func metric(name string, mod func(*strategies.AnalysisMetric)) strategies.AnalysisMetric {
	m := strategies.DefaultAnalysisMetric()
	m.Name = name
	m.Provider = gate.Query{Kind: gate.ErrorRate}
	mod(&m)
	return m
}

func check(t *testing.T, got []string, want string) {
	t.Helper()
	if g := strings.Join(got, "\n"); g != strings.TrimSpace(want) {
		t.Errorf("records:\n%s\nwant:\n%s", g, strings.TrimSpace(want))
	}
}

// An inline analysis whose metric always fails aborts at the (F+1)-th
// failed measurement, initialDelay + failureLimit·interval after the step
// begins (measurements at D, D+I, ...; Argo's failureLimit is strict), and
// the alias goes back to 0 % at once.
func TestArgoInlineAnalysisAborts(t *testing.T) {
	for _, tc := range []struct {
		delay, interval time.Duration
		limit           int
	}{{0, time.Minute, 0}, {30 * time.Second, time.Minute, 2}, {time.Minute, 5 * time.Minute, 3}} {
		r := &strategies.Rollout{
			Canary: &strategies.RolloutCanary{Steps: []strategies.ArgoStep{
				{SetWeight: wptr(20)},
				{Pause: &strategies.ArgoPause{Duration: 2 * time.Minute}},
				{Analysis: &strategies.RolloutAnalysis{Templates: []string{"errors"}}},
				{SetWeight: wptr(100)},
			}},
			Templates: []strategies.AnalysisTemplate{{Name: "errors", Metrics: []strategies.AnalysisMetric{metric("error-rate", func(m *strategies.AnalysisMetric) {
				m.Interval, m.InitialDelay, m.FailureLimit, m.FailureCondition = tc.interval, tc.delay, tc.limit, "result > 5"
			})}}},
		}
		ctl, lines := harness(t, argoCfg(r), func(int, time.Duration) float64 { return 12.5 }, -1, 24*time.Hour)
		abort := 2*time.Minute + tc.delay + time.Duration(tc.limit)*tc.interval
		last := lines[len(lines)-1]
		want := abort.String() + " Measurement 0 12.5 -> Rollback; Finish Stopped gate:error-rate weight=0"
		if last != want || ctl.Status() != Stopped {
			t.Errorf("%+v: last record %q, want %q (status %s)", tc, last, want, ctl.Status())
		}
		if n := strings.Count(strings.Join(lines, "\n"), "-> Measure 0"); n != tc.limit+1 {
			t.Errorf("%+v: %d measurements, want failureLimit+1 = %d", tc, n, tc.limit+1)
		}
	}
}

func TestArgoCanaryRecords(t *testing.T) {
	r := &strategies.Rollout{
		Canary: &strategies.RolloutCanary{Steps: []strategies.ArgoStep{
			{SetWeight: wptr(20)},
			{Analysis: &strategies.RolloutAnalysis{Templates: []string{"errors"}}},
			{SetWeight: wptr(100)},
		}},
		Templates: []strategies.AnalysisTemplate{{Name: "errors", Metrics: []strategies.AnalysisMetric{metric("error-rate", func(m *strategies.AnalysisMetric) {
			m.Interval, m.InitialDelay, m.FailureCondition = time.Minute, 30*time.Second, "result > 5"
		})}}},
	}
	_, lines := harness(t, argoCfg(r), func(int, time.Duration) float64 { return 12.5 }, -1, time.Hour)
	check(t, lines, `
0s Start -> SetWeight 20
30s Tick -> Measure 0
30s Measurement 0 12.5 -> Rollback; Finish Stopped gate:error-rate weight=0`)
}

// Provider errors retry 10 s after each (Argo's error retry interval) and
// the metric ends in Error after consecutiveErrorLimit + 1 in a row: with
// the default 4, at initialDelay + 40 s.
func TestArgoErrorRetry(t *testing.T) {
	r := &strategies.Rollout{
		Canary: &strategies.RolloutCanary{Steps: []strategies.ArgoStep{{SetWeight: wptr(10)}, {Analysis: &strategies.RolloutAnalysis{Templates: []string{"t"}}}}},
		Templates: []strategies.AnalysisTemplate{{Name: "t", Metrics: []strategies.AnalysisMetric{metric("m", func(m *strategies.AnalysisMetric) {
			m.Interval, m.InitialDelay, m.SuccessCondition = 5*time.Minute, 2*time.Minute, "result < 1"
		})}}},
	}
	_, lines := harness(t, argoCfg(r), func(int, time.Duration) float64 { return math.NaN() }, -1, time.Hour)
	check(t, lines, `
0s Start -> SetWeight 10
2m0s Tick -> Measure 0
2m0s Measurement 0 error
2m10s Tick -> Measure 0
2m10s Measurement 0 error
2m20s Tick -> Measure 0
2m20s Measurement 0 error
2m30s Tick -> Measure 0
2m30s Measurement 0 error
2m40s Tick -> Measure 0
2m40s Measurement 0 error -> Rollback; Finish Stopped gate:m weight=0`)
}

// The canonical text of the new events reads back.
func TestGateEventText(t *testing.T) {
	for _, s := range []string{"Measurement 0 12.5", "Measurement 3 error", "Measurement 1 nodata", "Measurement 0 -0.25", "Promote"} {
		ev, err := ParseEvent(s)
		if err != nil || ev.String() != s {
			t.Errorf("%q: %v %q", s, err, ev.String())
		}
	}
	for _, s := range []string{"Measurement", "Measurement x 1", "Measurement 0 NaN", "Promote now"} {
		if _, err := ParseEvent(s); err == nil {
			t.Errorf("%q parsed", s)
		}
	}
	if s := (Action{Kind: Measure, Gate: 2}).String(); s != "Measure 2" {
		t.Error(s)
	}
	if s := (Action{Kind: Pause, Cause: CausePause}).String(); s != "Pause pause" {
		t.Error(s)
	}
}
