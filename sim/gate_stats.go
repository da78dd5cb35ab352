package sim

import (
	"math"
	"math/rand/v2"
	"time"

	"github.com/shiftsim/shiftsim/analysis"
	"github.com/shiftsim/shiftsim/deploy"
	"github.com/shiftsim/shiftsim/gate"
	"github.com/shiftsim/shiftsim/judge"
)

// The statistical gates (docs/plans.md): Kayenta's judge and the sequential
// count test. Like every gate they are measured only when the controller
// asks, never per request; the sequential test also takes the counts at
// each weight change (setWeight), which is rare.

// streamKayenta seeds the noise Kayenta adds to two constant samples
// (decision 11: from the simulation's seed, so a run repeats).
const streamKayenta = "gate.kayenta"

// gateStats is the state of a run's statistical gates.
type gateStats struct {
	seq    []seqGate
	band   []bandGate
	judge  judge.Window
	pcg    *rand.PCG    // Kayenta's noise, made on first use
	lat    [2][]float64 // scratch: the window's latencies per version
	rate   [2][]float64 // scratch: the window's per-minute error rates per version
	counts [2][]int64   // scratch: per-minute requests and errors, interleaved
	note   string       // why the last kayenta score is what it is, when a no-data rule decided it
}

// seqGate is one sequential gate's running test.
type seqGate struct {
	gate int
	spec analysis.Sequential
	t    *analysis.RatioTest // nil until the first event at a split inside (0, 100) %
	last [2]int64            // failed requests per version already counted
}

// bandGate is one continuous sequential gate's running test: each
// version's latencies, read from the metric ring at each look.
type bandGate struct {
	gate int
	t    *analysis.BandTest
	next int64 // the next bucket to read
}

// bandEdges are the latency bins of the continuous sequential test, in ms:
// log-spaced from 10 µs to 1,000 s, 1.2 % wide.
var bandEdges = analysis.LogEdges(0.01, 1e6, 1600)

// setupStats prepares the statistical gates of r.gates.
func (r *runner) setupStats() {
	for i := range r.gates {
		q := r.gates[i].g.Query
		if q.Kind == gate.Sequential {
			r.stats.seq = append(r.stats.seq, seqGate{gate: i, spec: analysis.Sequential{
				Rho: []float64{0.5, 0.5}, K: q.K, OneSided: q.OneSided, Canary: Target}})
		}
		if q.Kind == gate.Kayenta {
			r.stats.judge = judge.DefaultWindow()
		}
		if q.Kind == gate.SequentialLatency {
			t, _ := analysis.NewBandTest(bandEdges, q.OneSided, 0)
			r.stats.band = append(r.stats.band, bandGate{gate: i, t: t})
		}
	}
}

// seqSplit feeds every sequential test the failed requests since it last
// counted, at the weight in force until now; it runs before the weight
// changes and at each measurement.
func (r *runner) seqSplit() {
	for i := range r.stats.seq {
		sg := &r.stats.seq[i]
		c0, c1 := r.tot[Current].failed-sg.last[0], r.tot[Target].failed-sg.last[1]
		sg.last = [2]int64{r.tot[Current].failed, r.tot[Target].failed}
		if !(r.weight > 0 && r.weight < 1) || c0+c1 == 0 {
			continue // at 0 or 100 % an event says nothing about the versions
		}
		if sg.t == nil {
			spec := sg.spec
			spec.Rho = []float64{1 - r.weight, r.weight}
			sg.t, _ = spec.StartRatio()
		} else {
			sg.t.SetRho(r.weight)
		}
		sg.t.Add(int(c0), int(c1))
	}
}

// measureStats is a statistical gate's measurement at r.now.
func (r *runner) measureStats(g int) deploy.Event {
	ev := deploy.Event{Kind: deploy.Measurement, Gate: g}
	sg := &r.gates[g]
	switch sg.g.Query.Kind {
	case gate.Sequential:
		r.seqSplit()
		ev.Value = 1
		for i := range r.stats.seq {
			if s := &r.stats.seq[i]; s.gate == g && s.t != nil {
				ev.Value = s.t.P
				if s.spec.OneSided && !s.t.Worse() {
					ev.Value = 1 // one-sided: only a worse canary counts as evidence
				}
			}
		}
	case gate.SequentialLatency:
		for i := range r.stats.band {
			if b := &r.stats.band[i]; b.gate == g {
				r.bandLook(b)
				ev.Value = b.t.P
			}
		}
	case gate.Kayenta:
		r.windowSamples(r.now-sg.window, r.now)
		st := &r.stats
		st.judge.NodataPass = sg.g.Query.NoData == gate.NoDataPass
		res := st.judge.Judge(st.lat[Target], st.lat[Current], st.rate[Target], st.rate[Current], r.noise())
		ev.Value = res.Score.Summary
		st.note = kayentaNote(res)
	}
	return ev
}

// noise is the Kayenta noise stream, seeded from the run's seed.
func (r *runner) noise() *rand.PCG {
	if r.stats.pcg == nil {
		r.stats.pcg = NewStream(r.m.Seed, streamKayenta)
	}
	return r.stats.pcg
}

// windowSamples gathers, from the closed buckets of [from, to) published by
// r.now, each version's per-request durations and per-minute error rates
// (a minute without requests is NaN, which Kayenta removes).
func (r *runner) windowSamples(from, to int64) {
	st := &r.stats
	if from < r.grid {
		from = r.grid
	}
	minute := int64(time.Minute)
	for v := 0; v < 2; v++ {
		st.lat[v] = st.lat[v][:0]
		st.rate[v] = st.rate[v][:0]
		st.counts[v] = st.counts[v][:0]
	}
	first := int64(-1)
	for b := (from - r.grid) / r.bucketNs; r.grid+b*r.bucketNs < to; b++ {
		if r.grid+(b+1)*r.bucketNs+int64(r.m.MetricDelay) > r.now {
			break // not yet published
		}
		bk, i := r.bucketAt(b)
		start := r.grid + b*r.bucketNs
		if first < 0 {
			first = start
		}
		k := int((start - first) / minute)
		for v := 0; v < 2; v++ {
			st.lat[v] = append(st.lat[v], r.ringDur[i][v]...)
			for len(st.counts[v]) < 2*(k+1) {
				st.counts[v] = append(st.counts[v], 0, 0)
			}
			st.counts[v][2*k] += bk[v].inv
			st.counts[v][2*k+1] += bk[v].errs
		}
	}
	for v := 0; v < 2; v++ {
		c := st.counts[v]
		for k := 0; k+1 < len(c); k += 2 {
			rate := math.NaN()
			if c[k] > 0 {
				rate = float64(c[k+1]) / float64(c[k])
			}
			st.rate[v] = append(st.rate[v], rate)
		}
	}
}

// bandLook feeds a continuous sequential test the latencies of the buckets
// closed since its last look that the ring still holds, and updates it. A
// bucket counts only when both versions served requests in it, so the two
// samples come from the same stretches of time (docs/gates.md).
func (r *runner) bandLook(b *bandGate) {
	last := (r.now-r.grid)/r.bucketNs - 1 // the newest closed bucket
	first := max(b.next, last-int64(len(r.ring))+1, (int64(r.m.DeployStart)-r.grid)/r.bucketNs)
	for k := first; k <= last; k++ {
		_, i := r.bucketAt(k)
		d := &r.ringDur[i]
		if len(d[Current]) == 0 || len(d[Target]) == 0 {
			continue
		}
		for _, x := range d[Current] {
			b.t.Add(0, x)
		}
		for _, x := range d[Target] {
			b.t.Add(1, x)
		}
	}
	b.next = max(b.next, last+1)
	b.t.Update()
}

// kayentaNote says when a no-data rule decided a kayenta score: Kayenta's
// forced 0, or the metrics noData: pass left out (docs/gates.md).
func kayentaNote(res judge.WindowResult) string {
	if res.Score.Reason != "" {
		return "Kayenta scores 0: " + res.Score.Reason
	}
	lat, rate := res.Latency.Class == judge.Nodata, res.ErrorRate.Class == judge.Nodata
	switch {
	case lat && rate:
		return "no data in either metric, not held against the canary under noData: pass"
	case lat:
		return "no latency data, left out under noData: pass"
	case rate:
		return "no error-rate data, left out under noData: pass"
	}
	return ""
}
