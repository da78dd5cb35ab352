package sim

import (
	"io"
	"time"

	"github.com/shiftsim/shiftsim/traffic"
)

// Work is what one run of a model is expected to take, so that a caller can
// refuse a run that would exhaust memory or take hours before starting it
// (docs/limits.md). It is an estimate, meant to be right within a small
// factor and never to miss by orders of magnitude.
type Work struct {
	Engine   Engine  // the engine the run would use (Auto resolved)
	Requests float64 // expected requests over the horizon
	CPU      time.Duration
	Memory   float64 // bytes one run holds while it runs
	Result   float64 // bytes of the Result it returns
}

// Per-unit costs behind Estimate, from `make bench` on a shared 2-core
// machine (docs/limits.md): the per-request engine runs the reference
// workload at about 2.1 M requests per CPU-second (~475 ns each) and the
// batched engine simulates a count cell (one metric bucket) in well under
// 1 µs besides its control events. Both are rounded up, so that an
// estimate errs towards refusing.
const (
	costPerRequest = 600 * time.Nanosecond
	costPerCell    = 2 * time.Microsecond
	costPerEvent   = 2 * time.Microsecond
	// estimateArrivals is how many arrivals Estimate reads from a
	// recording that cannot tell its mean count, before extrapolating.
	estimateArrivals = 1 << 17
)

// Estimate returns the expected cost of one run of m (any strategy). Its
// request count is exact where the traffic's spec knows its expectation
// (every synthetic source, per-period recordings); a per-request recording
// is read at most estimateArrivals arrivals deep and extrapolated.
func Estimate(m *Model) Work {
	var c Work
	horizon := m.Horizon.Seconds()
	if horizon <= 0 {
		return c
	}
	c.Requests = expectedRequests(m)
	c.Engine = PerRequest
	if m.Engine != PerRequest {
		if ok, _ := batchable(m); ok {
			c.Engine = Batched
		}
	}
	// Control events: metric buckets (as fine as the shortest period),
	// alarm evaluations every 10 s at most, polls, fault changes.
	bucket, window := time.Minute, time.Duration(0)
	for _, a := range m.Alarms {
		if a.Period > 0 && a.Period < bucket {
			bucket = a.Period
		}
		window = max(window, a.Period*time.Duration(rangeOf(a.Rule)))
	}
	buckets := horizon / bucket.Seconds()
	events := buckets + horizon/10*float64(len(m.Alarms)) + float64(len(m.Faults.Changes(m.Horizon)))
	if m.AlarmPollInterval > 0 {
		events += horizon / m.AlarmPollInterval.Seconds()
	}
	cpu := events * float64(costPerEvent)
	if c.Engine == Batched {
		cpu += buckets * float64(costPerCell)
	} else {
		cpu += c.Requests * float64(costPerRequest)
	}
	c.CPU = time.Duration(min(cpu, float64(1<<62)))
	// Memory: the result's per-bucket counts, the alarm ring, and under the
	// per-request engine the latency histograms and the duration samples a percentile alarm keeps over
	// its window (8 bytes a request).
	const bucketBytes, ringBytes, sampleBytes = 48, 2 * 64, 8
	c.Result = buckets*bucketBytes + 4096
	c.Memory = c.Result + (window+m.MetricDelay).Seconds()/bucket.Seconds()*ringBytes
	if c.Engine == PerRequest {
		// Each version's latency histogram (fixed size, allocated on the
		// first request).
		c.Memory += 2 * 4 * float64((histMaxEx-histMinEx+1)<<histMant)
	}
	if c.Engine == PerRequest && readsDuration(m) {
		rate := c.Requests / horizon
		c.Memory += rate * (window + m.MetricDelay + bucket).Seconds() * sampleBytes
	}
	return c
}

// expectedRequests is the mean number of arrivals of m's traffic over the
// horizon: exact from the spec where its rate is known in advance; a
// per-request recording is read (at most estimateArrivals arrivals, from a
// throwaway stream so no run's draws move) and extrapolated.
func expectedRequests(m *Model) float64 {
	if n, ok := m.Traffic.ExpectedCount(m.Horizon); ok {
		return n
	}
	src, err := m.Traffic.Open(NewStream(m.Seed^0x5eed, streamArrivals), m.Horizon)
	if err != nil {
		return 0
	}
	if cl, ok := src.(io.Closer); ok {
		defer cl.Close()
	}
	horizon := m.Horizon.Seconds()
	var buf [1024]traffic.Arrival
	n, last := 0, int64(0)
	for n < estimateArrivals {
		k := src.Fill(buf[:])
		if k == 0 {
			return float64(n) // the whole stream
		}
		n += k
		last = buf[k-1].At
	}
	if last <= 0 {
		return float64(n) * horizon // every arrival at t=0: treat as a huge rate
	}
	return float64(n) * float64(m.Horizon) / float64(last)
}
