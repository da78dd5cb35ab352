package sim

import (
	"time"

	"gonum.org/v1/gonum/stat/distuv"
)

var z99 = distuv.UnitNormal.Quantile(0.99)

// totals counts one version's requests over the whole run.
type totals struct {
	requests, failed            int64 // every request routed to the version
	errors, timeouts, throttles int64 // failed, by cause
	cold                        int64 // cold starts
	billedMs, pcBilledMs        float64
	latency                     histogram // client-visible latency (init + duration), ms
	latencyMax                  float64
}

// outcome is what the run accumulates for its Result: totals over the
// horizon and per phase of constant weight, and the users seen and hurt.
type outcome struct {
	tot        [2]totals
	users      bitset // users seen
	hurt       bitset // users with a failed request
	res        *Result
	phaseStart int64
	phaseTot   [2]totals
}

func (r *runner) closePhase() {
	p := Phase{
		From:           time.Duration(r.phaseStart),
		To:             time.Duration(r.now),
		Weight:         r.weight,
		Requests:       r.tot[0].requests + r.tot[1].requests - r.phaseTot[0].requests - r.phaseTot[1].requests,
		TargetRequests: r.tot[1].requests - r.phaseTot[1].requests,
		TargetFailed:   r.tot[1].failed - r.phaseTot[1].failed,
		Failed:         r.tot[0].failed + r.tot[1].failed - r.phaseTot[0].failed - r.phaseTot[1].failed,
	}
	if p.To > p.From {
		r.res.Phases = append(r.res.Phases, p)
	}
	r.phaseStart = r.now
	r.phaseTot = r.tot
}

func (r *runner) finish() {
	r.closePhase()
	res := r.res
	// The bucket still open at the horizon, so that Buckets holds every request.
	bk := Bucket{Start: time.Duration(r.open)}
	for v := 0; v < 2; v++ {
		bk.Requests[v] = r.cur[v].inv + r.cur[v].thr
		bk.Failed[v] = r.cur[v].errs + r.cur[v].thr
	}
	if bk.Requests[0]+bk.Requests[1] > 0 {
		res.Buckets = append(res.Buckets, bk)
	}
	res.Status = r.drv.Status()
	res.Requests = r.tot[0].requests + r.tot[1].requests
	res.TargetRequests = r.tot[1].requests
	res.FailedRequests = r.tot[0].failed + r.tot[1].failed
	res.TargetFailedRequests = r.tot[1].failed
	res.Timeouts = r.tot[0].timeouts + r.tot[1].timeouts
	res.FinalWeight = r.weight
	for v := 0; v < 2; v++ {
		t := &r.tot[v]
		res.Versions[v] = VersionResult{
			Version: r.m.Versions[v].Name, Requests: t.requests, Failed: t.failed,
			Errors: t.errors, Timeouts: t.timeouts, Throttles: t.throttles, ColdStarts: t.cold,
			LatencyP50: t.latency.quantile(0.50), LatencyP90: t.latency.quantile(0.90), LatencyP99: t.latency.quantile(0.99),
			LatencyMax: t.latencyMax,
		}
	}
	res.Cost = r.cost()
	if r.exec != nil && r.concArrivals > 0 {
		res.Concurrency = &Concurrency{Mean: float64(r.concSeen) / float64(r.concArrivals), Peak: r.concPeak}
	}
	if n := r.users.count(); n > 0 {
		res.Users = n
		res.UsersAffected = r.hurt.count()
	}
	if slo := r.m.SLO; slo != nil && res.Requests > 0 {
		allowed := (1 - slo.Target) * float64(res.Requests) * slo.Window.Seconds() / r.m.Horizon.Seconds()
		res.SLOBudgetConsumed = ptr(float64(res.FailedRequests) / allowed)
	}
	for i, a := range r.m.Alarms {
		res.Alarms = append(res.Alarms, AlarmResult{Name: a.Name, State: r.alarms[i].state.String()})
	}
}

// cost prices the run: requests and GB-seconds of what was invoked (not
// throttled), plus provisioned concurrency for the whole horizon.
func (r *runner) cost() Cost {
	b := r.m.Billing
	mem := float64(b.MemoryMB) / 1024
	var c Cost
	var ms, pcMs float64
	for v := 0; v < 2; v++ {
		t := &r.tot[v]
		c.Requests += float64(t.requests-t.throttles) * b.Prices.Request
		ms += t.billedMs
		pcMs += t.pcBilledMs
	}
	c.GBSeconds = (ms + pcMs) / 1000 * mem
	c.Duration = ms/1000*mem*b.Prices.GBSecond[b.Arch] + pcMs/1000*mem*b.Prices.ProvisionedDuration
	if e := r.exec; e != nil {
		c.Provisioned = float64(e.Provisioned[0]+e.Provisioned[1]) * mem * r.m.Horizon.Seconds() * b.Prices.ProvisionedGBSecond
	}
	c.Total = c.Requests + c.Duration + c.Provisioned
	return c
}
