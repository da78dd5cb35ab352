// Package traffic produces request arrival streams for the simulator:
// synthetic generators (Poisson, Diurnal, Bursty, Spikes, Weekly, and Users
// to give every request a user) and recorded streams replayed from files
// (OpenRecording: per-request CSV, the Azure Functions 2019 and 2021
// traces, ALB and API Gateway access logs, Lambda REPORT lines, CloudWatch
// Invocations exports). A source hands out arrival times in batches (Fill),
// so the engine pays one call per batch, not one per request.
//
// A source never reads the wall clock or global randomness: it owns a seeded
// generator, and the same seed yields the same arrivals. A recording is read
// as a stream, in memory that does not grow with the file.
package traffic

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// Arrival is one request of a stream.
type Arrival struct {
	At       int64   // virtual time, ns since the simulation start
	Duration float32 // recorded duration in seconds; 0 when the stream has none
	User     uint32  // user (or session, key) id; 0 when the stream has none
}

// Source is a stream of request arrivals, in nondecreasing time.
type Source interface {
	// Fill writes the next arrivals into buf and returns how many it wrote;
	// 0 means the stream has ended.
	Fill(buf []Arrival) int
}

// Poisson is a homogeneous Poisson arrival process of Rate requests per
// second over [0, Until).
type Poisson struct {
	Rate  float64       // requests per second, > 0
	Until time.Duration // end of the stream (exclusive)

	rng  *rand.Rand
	next float64 // next arrival, seconds
}

// NewPoisson returns a Poisson source of rate requests per second until the
// given time, drawing its gaps from src.
func NewPoisson(rate float64, until time.Duration, src rand.Source) (*Poisson, error) {
	if !(rate >= 0) || math.IsInf(rate, 0) {
		return nil, fmt.Errorf("traffic: rate %v must be a finite number >= 0", rate)
	}
	p := &Poisson{Rate: rate, Until: until, rng: rand.New(src)}
	p.next = p.gap()
	return p, nil
}

func (p *Poisson) gap() float64 {
	if p.Rate == 0 {
		return math.Inf(1)
	}
	return p.rng.ExpFloat64() / p.Rate
}

// Fill implements Source.
func (p *Poisson) Fill(buf []Arrival) int {
	until := p.Until.Seconds()
	n := 0
	for n < len(buf) && p.next < until {
		buf[n] = Arrival{At: int64(p.next * 1e9)}
		n++
		p.next += p.gap()
	}
	return n
}

// Diurnal is a Poisson process whose rate follows a day: Rate·(1 + Amplitude·cos(2π(t−Peak)/Period)),
// so Rate is the mean, Rate·(1+Amplitude) the peak at time Peak (and every
// Period after it) and Rate·(1−Amplitude) the trough half a period away.
// It is sampled exactly by thinning (Lewis and Shedler, 1979): candidates at
// the peak rate, each kept with probability rate(t)/peak rate.
type Diurnal struct {
	Rate      float64       // mean requests per second
	Amplitude float64       // in [0, 1]
	Period    time.Duration // e.g. 24h
	Peak      time.Duration // time of the first peak
	Until     time.Duration

	thin thinning
}

// NewDiurnal returns a diurnal source drawing from src.
func NewDiurnal(rate, amplitude float64, period, peak, until time.Duration, src rand.Source) (*Diurnal, error) {
	switch {
	case !(rate >= 0) || math.IsInf(rate, 0):
		return nil, fmt.Errorf("traffic: rate %v must be a finite number >= 0", rate)
	case !(amplitude >= 0 && amplitude <= 1):
		return nil, fmt.Errorf("traffic: amplitude %v must be in [0, 1]", amplitude)
	case period <= 0:
		return nil, fmt.Errorf("traffic: period %v must be > 0", period)
	}
	d := &Diurnal{Rate: rate, Amplitude: amplitude, Period: period, Peak: peak, Until: until}
	d.thin.start(rand.New(src), rate*(1+amplitude), until, d.RateAt)
	return d, nil
}

// RateAt is the instantaneous rate at t, in requests per second.
func (d *Diurnal) RateAt(t float64) float64 {
	return d.Rate * (1 + d.Amplitude*math.Cos(2*math.Pi*(t-d.Peak.Seconds())/d.Period.Seconds()))
}

// Fill implements Source.
func (d *Diurnal) Fill(buf []Arrival) int { return d.thin.fill(buf, d.Until, d.RateAt) }

// MeanCount is the expected number of arrivals of d in [a, b) seconds: the
// integral of RateAt.
func (d *Diurnal) MeanCount(a, b float64) float64 {
	w := 2 * math.Pi / d.Period.Seconds()
	p := d.Peak.Seconds()
	return d.Rate*(b-a) + d.Rate*d.Amplitude/w*(math.Sin(w*(b-p))-math.Sin(w*(a-p)))
}

// thinning samples a Poisson process whose rate, rate(t) <= max, varies in
// time, exactly by thinning (Lewis and Shedler, 1979): candidates at the
// peak rate max, each kept with probability rate(t)/max. Diurnal and Weekly
// differ only in their rate function.
type thinning struct {
	rng  *rand.Rand
	max  float64
	next float64 // seconds: the next accepted arrival
}

// start draws the first arrival.
func (th *thinning) start(rng *rand.Rand, max float64, until time.Duration, rate func(float64) float64) {
	th.rng, th.max = rng, max
	th.next = th.advance(0, until.Seconds(), rate)
}

// advance returns the first accepted arrival after t (until or later when
// none is before until).
func (th *thinning) advance(t, until float64, rate func(float64) float64) float64 {
	if th.max == 0 {
		return math.Inf(1)
	}
	for {
		t += th.rng.ExpFloat64() / th.max
		if t >= until || th.rng.Float64()*th.max < rate(t) {
			return t
		}
	}
}

// fill writes arrivals before until into buf.
func (th *thinning) fill(buf []Arrival, until time.Duration, rate func(float64) float64) int {
	u := until.Seconds()
	n := 0
	for n < len(buf) && th.next < u {
		buf[n] = Arrival{At: int64(th.next * 1e9)}
		n++
		th.next = th.advance(th.next, u, rate)
	}
	return n
}
