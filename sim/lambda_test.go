package sim_test

import (
	"fmt"
	"math"
	"testing"
	"time"
)

// erlangB is the blocking probability of an M/G/c/c loss system with
// offered load a (Erlang's formula holds for any service distribution).
func erlangB(c int, a float64) float64 {
	b := 1.0
	for k := 1; k <= c; k++ {
		b = a * b / (float64(k) + a*b)
	}
	return b
}

const execBase = `
name: exec
seed: %d
horizon: 2h
function: {name: fn, alias: live}
traffic: {rate: %v}
versions:
  current: {error_rate: 0, latency: {mu: 0, sigma: 0.5}, timeout: 60s}
  target:  {error_rate: 0}
lambda:
  reserved_concurrency: %d
  scaling_rate: 1000000
  scaling_burst: 1000000
  idle_timeout: %s
deployment:
  start: 1h
  strategies: [AllAtOnce]
`

// With reserved concurrency c, Poisson arrivals and no limit on scaling,
// the function is an M/G/c/c loss system: the share of throttled requests
// is Erlang's B(c, λ·E[D]).
func TestThrottlesFollowErlangB(t *testing.T) {
	meanD := math.Exp(0.5 * 0.5 / 2) // lognormal(0, 0.5) seconds
	for _, c := range []struct {
		rate float64
		conc int
	}{{20, 20}, {20, 26}, {50, 40}} {
		var thr, req float64
		for seed := 1; seed <= 4; seed++ {
			s := parse(t, fmt.Sprintf(execBase, seed, c.rate, c.conc, "10m"))
			r := run(t, s, 0)
			for _, v := range r.Versions {
				thr += float64(v.Throttles)
				req += float64(v.Requests)
			}
			if r.Requests != int64(r.Versions[0].Requests+r.Versions[1].Requests) {
				t.Fatalf("version requests do not add up")
			}
		}
		want := erlangB(c.conc, c.rate*meanD)
		got := thr / req
		// Throttles cluster in time, so allow several binomial sigmas.
		sigma := math.Sqrt(want * (1 - want) / req)
		t.Logf("rate %v, c %d: throttled %.4f, Erlang B %.4f", c.rate, c.conc, got, want)
		if math.Abs(got-want) > 8*sigma+0.002 {
			t.Errorf("rate %v c %d: throttled share %.4f, Erlang B says %.4f", c.rate, c.conc, got, want)
		}
	}
}

// A new version starts cold: AllAtOnce at 1h sends every request to
// version 2, which has no environment yet. With an idle timeout of zero no
// environment is ever reused, so every invocation is a cold start; with a
// long one, cold starts stay near the peak concurrency.
func TestColdStarts(t *testing.T) {
	s := parse(t, fmt.Sprintf(execBase, 1, 5, 1000, "0s"))
	r := run(t, s, 0)
	for _, v := range r.Versions {
		if v.ColdStarts != v.Requests || v.Throttles != 0 {
			t.Errorf("idle timeout 0: version %s: %d cold starts for %d requests", v.Version, v.ColdStarts, v.Requests)
		}
	}
	s = parse(t, fmt.Sprintf(execBase, 1, 5, 1000, "2h"))
	r = run(t, s, 0)
	for _, v := range r.Versions {
		// λ·E[D] ≈ 5.7 busy on average; the peak over an hour stays well under 30.
		if v.ColdStarts == 0 || v.ColdStarts > 30 {
			t.Errorf("idle timeout 2h: version %s: %d cold starts", v.Version, v.ColdStarts)
		}
	}
}

// Provisioned concurrency above the peak: no cold start on that version;
// and it is billed for the whole horizon.
func TestProvisionedConcurrency(t *testing.T) {
	doc := fmt.Sprintf(execBase, 2, 5, 1000, "2h")
	s := parse(t, doc+"\n")
	base := run(t, s, 0)
	s.Model.Exec.Provisioned[1] = 40
	r := run(t, s, 0)
	if r.Versions[1].ColdStarts != 0 || base.Versions[1].ColdStarts == 0 {
		t.Errorf("cold starts on version 2: %d with 40 provisioned, %d without", r.Versions[1].ColdStarts, base.Versions[1].ColdStarts)
	}
	// 40 environments × 0.125 GB × 7200 s × $0.0000041667.
	want := 40 * 0.125 * 7200 * 0.0000041667
	if math.Abs(r.Cost.Provisioned-want) > 1e-9 {
		t.Errorf("provisioned cost %v, want %v", r.Cost.Provisioned, want)
	}
}

// The bill: $0.20 per million requests and GB-seconds of duration rounded
// up to the millisecond, at 128 MB unless set.
func TestCost(t *testing.T) {
	s := parse(t, fmt.Sprintf(execBase, 3, 20, 1000, "10m"))
	r := run(t, s, 0)
	n := float64(r.Requests)
	if math.Abs(r.Cost.Requests-n*0.2e-6) > 1e-12 {
		t.Errorf("request cost %v for %v requests", r.Cost.Requests, n)
	}
	// E[ceil(ms)] ≈ E[ms] + 0.5 for a continuous duration.
	meanMs := math.Exp(0.125)*1000 + 0.5
	wantGBs := n * meanMs / 1000 * 0.125
	sd := math.Sqrt(n) * math.Sqrt(math.Exp(0.25)*(math.Exp(0.25)-1)) * 1000 / 1000 * 0.125
	if math.Abs(r.Cost.GBSeconds-wantGBs) > 5*sd {
		t.Errorf("GB-seconds %v, expected %v ± %v", r.Cost.GBSeconds, wantGBs, sd)
	}
	if math.Abs(r.Cost.Duration-r.Cost.GBSeconds*0.0000166667) > 1e-12 || r.Cost.Total != r.Cost.Requests+r.Cost.Duration+r.Cost.Provisioned {
		t.Errorf("cost %+v", r.Cost)
	}
}

// Latency percentiles per version come from a histogram within 0.3 % of
// the lognormal's quantiles.
func TestLatencyPercentiles(t *testing.T) {
	s := parse(t, fmt.Sprintf(execBase, 4, 50, 1000, "10m"))
	s.Model.Exec = nil // no cold starts: latency is the handler's
	r := run(t, s, 0)
	for _, q := range []struct {
		got, z float64
	}{{r.Versions[0].LatencyP50, 0}, {r.Versions[0].LatencyP90, 1.2815515655446004}, {r.Versions[0].LatencyP99, 2.3263478740408408}} {
		want := math.Exp(0.5*q.z) * 1000
		if math.Abs(q.got/want-1) > 0.02 {
			t.Errorf("percentile at z=%v: %.1f ms, want %.1f", q.z, q.got, want)
		}
	}
}

// users is a test source: Poisson arrivals from a population of n users
// taking turns.
// A segment fault fails 5 % of users fully: few users affected, each of
// them on every request to the bad version.
func TestSegmentFaultHurtsFewUsersFully(t *testing.T) {
	s := parse(t, `
name: segment
horizon: 30m
traffic: {rate: 50, users: 2000, user_skew: 0}
versions:
  current: {error_rate: 0, latency: {median: 50ms, p99: 150ms}}
  target:  {error_rate: 0}
faults:
  - {version: target, start: 0s, error_rate: 1, users: 0.05}
slo: {target: 0.999, window: 720h}
deployment:
  start: 10m
  strategies: [AllAtOnce]
`)
	r := run(t, s, 0)
	if r.Users != 2000 {
		t.Fatalf("%d users seen", r.Users)
	}
	// 5 % of 2000 users, binomial: 100 ± 4·9.7.
	if z := (float64(r.UsersAffected) - 100) / math.Sqrt(2000*0.05*0.95); math.Abs(z) > 4 {
		t.Errorf("%d users affected, expected about 100 (z=%.1f)", r.UsersAffected, z)
	}
	// Each affected user fails on every request after the shift: the failed
	// share of target requests equals the affected share of users.
	share := float64(r.TargetFailedRequests) / float64(r.TargetRequests)
	if math.Abs(share-float64(r.UsersAffected)/2000) > 0.01 {
		t.Errorf("failed share %.4f, affected users' share %.4f", share, float64(r.UsersAffected)/2000)
	}
	// SLO: failed / ((1-0.999) · requests · 720h/30m).
	want := float64(r.FailedRequests) / (0.001 * float64(r.Requests) * 1440)
	if r.SLOBudgetConsumed == nil || math.Abs(*r.SLOBudgetConsumed-want) > 1e-12 {
		t.Errorf("SLO budget %v, want %v", r.SLOBudgetConsumed, want)
	}
}

// Little's law: the mean number of busy environments is the rate times the
// mean time a request holds one (here its duration: no init). And with
// environments never reclaimed, every environment created is still there
// at the peak: cold starts equal the peak concurrency.
func TestLittlesLawAndColdStartCount(t *testing.T) {
	meanD := math.Exp(0.5 * 0.5 / 2)
	for _, rate := range []float64{5, 40} {
		s := parse(t, fmt.Sprintf(execBase, 7, rate, 1000, "10h"))
		s.Model.DeployStart = 3 * time.Hour // no deployment: one version, one pool
		r := run(t, s, 0)
		c := r.Concurrency
		want := rate * meanD
		// The PASTA estimate over ~rate·7200 arrivals; its noise is far
		// below 3 % at these loads.
		if math.Abs(c.Mean/want-1) > 0.03 {
			t.Errorf("rate %v: mean concurrency %.3f, Little's law says %.3f", rate, c.Mean, want)
		}
		if cold := r.Versions[0].ColdStarts; cold != c.Peak {
			t.Errorf("rate %v: %d cold starts but a peak of %d environments", rate, cold, c.Peak)
		}
		if r.Versions[0].Throttles != 0 {
			t.Errorf("rate %v: throttles under the limit", rate)
		}
	}
}
