package replay_test

import (
	"testing"
	"time"

	"github.com/shiftsim/shiftsim/replay"
	"github.com/shiftsim/shiftsim/sim"
)

// fortnight is a 15-day recording (21,600 minutes: all the one-minute
// datapoints CloudWatch keeps, five times the old 72-hour cap) in which
// both versions ran every minute, each failing all or none of its
// requests by a per-minute pattern, so that what a replay fails is fixed
// by the plan alone. The deployment shifted traffic at minute shift.
func fortnight() (s *synth, shift int, failT, failC func(k int) bool) {
	const n = 15 * 24 * 60
	shift = 10*24*60 + 17
	failT = func(k int) bool { return k%7 == 3 || (k/60)%24 == 5 }
	failC = func(k int) bool { return k%11 == 5 }
	s = &synth{start: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), minutes: n}
	s.alias = make([]float64, n)
	for v := range 2 {
		s.inv[v], s.errs[v], s.p50[v], s.p99[v] = make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	}
	for k := range n {
		s.inv[0][k], s.inv[1][k] = float64(1+k%4), float64(1+k%3)
		s.alias[k] = s.inv[0][k] + s.inv[1][k]
		if failC(k) {
			s.errs[0][k] = s.inv[0][k]
		}
		if failT(k) {
			s.errs[1][k] = s.inv[1][k]
		}
		s.p50[0][k], s.p99[0][k], s.p50[1][k], s.p99[1][k] = 40, 90, 45, 95+float64(k%5)
	}
	s.deployment = map[string]any{"DeploymentId": "d-FORTNIGHT", "DeploymentConfigName": "CodeDeployDefault.LambdaAllAtOnce",
		"Status": "Succeeded", "CreateTime": s.at(shift), "AllowTrafficStart": s.at(shift), "CompleteTime": s.at(shift)}
	return s, shift, failT, failC
}

// TestLongRecordingExactSums replays the fortnight: the actual row is the
// recording's sums, and an AllAtOnce replay — every request before the
// shift to version 1, every one after to version 2, each failing exactly
// when its version failed in that minute — serves exactly the recorded
// requests of each minute: its requests, the target's, and both failure
// counts are sums over the minutes, to the request. The engine looks up
// each minute's two faults among 43,200.
func TestLongRecordingExactSums(t *testing.T) {
	if testing.Short() {
		t.Skip("writes and replays a 15-day recording")
	}
	s, shift, failT, failC := fortnight()
	rec, err := replay.Read(s.write(t, t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	if rec.Periods != s.minutes || rec.Window() != 15*24*time.Hour {
		t.Fatalf("%d periods, window %v", rec.Periods, rec.Window())
	}
	var req, tgtReq, fail, tgtFail, actTgt, actTgtFail, actFail int64
	for k := range s.minutes {
		a := int64(s.alias[k])
		req += a
		actTgt += int64(s.inv[1][k])
		actTgtFail += int64(s.errs[1][k])
		actFail += int64(s.errs[0][k] + s.errs[1][k])
		if k >= shift {
			tgtReq += a
			if failT(k) {
				tgtFail += a
				fail += a
			}
		} else if failC(k) {
			fail += a
		}
	}
	act := rec.Actual()
	if act.Requests != req || act.TargetRequests != actTgt || act.TargetFailedRequests != actTgtFail || act.FailedRequests != actFail {
		t.Fatalf("actual %d/%d/%d/%d requests/target/target failed/failed, the recording sums %d/%d/%d/%d",
			act.Requests, act.TargetRequests, act.TargetFailedRequests, act.FailedRequests, req, actTgt, actTgtFail, actFail)
	}
	beh, err := rec.Estimate()
	if err != nil {
		t.Fatal(err)
	}
	for v := range 2 {
		for k, p := range beh.Versions[v] {
			fails := []func(int) bool{failC, failT}[v](k)
			if p.Estimated || (p.ErrorRate == 1) != fails || (p.ErrorRate == 0) == fails {
				t.Fatalf("version %d minute %d: %+v", v, k, p)
			}
		}
	}
	sc := loadAnalytic(t)
	base := sc.Model
	base.Alarms = nil // nothing stops the shift: every minute after it is the target's
	m, err := rec.Model(base, beh, nil)
	if err != nil {
		t.Fatal(err)
	}
	if m.DeployStart != time.Duration(shift)*time.Minute || len(m.Faults) != 2*s.minutes {
		t.Fatalf("deployment at %v, %d faults", m.DeployStart, len(m.Faults))
	}
	r, err := sim.Run(&m, sc.Strategies[0]) // AllAtOnce
	if err != nil {
		t.Fatal(err)
	}
	if r.Requests != req || r.TargetRequests != tgtReq || r.FailedRequests != fail || r.TargetFailedRequests != tgtFail {
		t.Errorf("%d/%d/%d/%d requests/target/failed/target failed, want %d/%d/%d/%d",
			r.Requests, r.TargetRequests, r.FailedRequests, r.TargetFailedRequests, req, tgtReq, fail, tgtFail)
	}
}

// The longest window: MaxPeriods periods are read, one more refused.
func TestPeriodsBound(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a long sidecar")
	}
	for _, n := range []int{replay.MaxPeriods, replay.MaxPeriods + 1} {
		s := &synth{start: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), minutes: n}
		s.alias = make([]float64, n)
		for v := range 2 {
			s.inv[v], s.errs[v], s.p50[v], s.p99[v] = make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
		}
		// Sparse, as CloudWatch writes minutes without invocations: one
		// minute in a thousand ran.
		for k := 0; k < n; k += 1000 {
			s.alias[k], s.inv[0][k], s.inv[1][k] = 2, 1, 1
			s.p50[0][k], s.p99[0][k], s.p50[1][k], s.p99[1][k] = 40, 90, 45, 95
		}
		rec, err := replay.Read(s.write(t, t.TempDir()))
		if n > replay.MaxPeriods {
			if err == nil {
				t.Fatalf("%d periods read", n)
			}
			t.Logf("%d periods: %v", n, err)
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if _, err := rec.Estimate(); err != nil {
			t.Fatal(err)
		}
	}
}
