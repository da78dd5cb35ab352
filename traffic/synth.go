package traffic

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

// Phase is one state of a Bursty source: Poisson arrivals at Rate requests
// per second for an exponentially distributed time of mean Dwell.
type Phase struct {
	Rate  float64       // requests per second, >= 0
	Dwell time.Duration // mean time spent in the phase, > 0
}

// Bursty is a Markov-modulated Poisson process over [0, Until): it stays in
// a phase for an exponential time of mean Dwell, producing Poisson arrivals
// at the phase's Rate, then jumps to one of the other phases, each equally
// likely (two phases alternate). It starts in a phase drawn from the
// stationary distribution, where phase i holds a share Dwell_i/ΣDwell of the
// time, so its mean rate is constant from t = 0: MeanRate.
type Bursty struct {
	Phases []Phase
	Until  time.Duration

	rng   *rand.Rand
	phase int
	t     float64 // seconds: current time
	end   float64 // end of the current phase
}

// NewBursty returns a Bursty source drawing from src.
func NewBursty(phases []Phase, until time.Duration, src rand.Source) (*Bursty, error) {
	if len(phases) < 2 {
		return nil, fmt.Errorf("traffic: bursty needs at least 2 phases, got %d", len(phases))
	}
	for i, p := range phases {
		if !(p.Rate >= 0) || math.IsInf(p.Rate, 0) {
			return nil, fmt.Errorf("traffic: phase %d: rate %v must be a finite number >= 0", i, p.Rate)
		}
		if p.Dwell <= 0 {
			return nil, fmt.Errorf("traffic: phase %d: dwell %v must be > 0", i, p.Dwell)
		}
	}
	b := &Bursty{Phases: slices.Clone(phases), Until: until, rng: rand.New(src)}
	total := 0.0
	for _, p := range phases {
		total += p.Dwell.Seconds()
	}
	u := b.rng.Float64() * total
	for i, p := range phases {
		b.phase = i
		if u < p.Dwell.Seconds() {
			break
		}
		u -= p.Dwell.Seconds()
	}
	b.end = b.rng.ExpFloat64() * b.Phases[b.phase].Dwell.Seconds()
	return b, nil
}

// MeanRate is the long-run (and, from the stationary start, the expected
// instantaneous) rate: Σ Rate_i·Dwell_i / Σ Dwell_i.
func (b *Bursty) MeanRate() float64 {
	num, den := 0.0, 0.0
	for _, p := range b.Phases {
		num += p.Rate * p.Dwell.Seconds()
		den += p.Dwell.Seconds()
	}
	return num / den
}

// Fill implements Source.
func (b *Bursty) Fill(buf []Arrival) int {
	until := b.Until.Seconds()
	n := 0
	for n < len(buf) && b.t < until {
		p := b.Phases[b.phase]
		x := math.Inf(1)
		if p.Rate > 0 {
			x = b.t + b.rng.ExpFloat64()/p.Rate
		}
		if x >= b.end {
			// Memoryless: drop the candidate and start afresh in the next phase.
			b.t = b.end
			next := b.rng.IntN(len(b.Phases) - 1)
			if next >= b.phase {
				next++
			}
			b.phase = next
			b.end = b.t + b.rng.ExpFloat64()*b.Phases[next].Dwell.Seconds()
			continue
		}
		b.t = x
		if x >= until {
			break
		}
		buf[n] = Arrival{At: int64(x * 1e9)}
		n++
	}
	return n
}

// Spike multiplies the rate of a Spikes source by Multiplier over
// [At, At+Duration).
type Spike struct {
	At         time.Duration
	Duration   time.Duration
	Multiplier float64 // >= 0; 0 is an outage of the traffic
}

// Spikes is a Poisson process at Base requests per second over [0, Until),
// multiplied by every spike in force (overlapping spikes multiply).
type Spikes struct {
	Base   float64
	Spikes []Spike
	Until  time.Duration

	edges []float64 // seconds: where the rate changes, sorted, from 0 to Until
	rates []float64 // rate on [edges[i], edges[i+1])
	gen   piecewise
	k     int
}

// NewSpikes returns a Spikes source drawing from src.
func NewSpikes(base float64, spikes []Spike, until time.Duration, src rand.Source) (*Spikes, error) {
	if !(base >= 0) || math.IsInf(base, 0) {
		return nil, fmt.Errorf("traffic: base rate %v must be a finite number >= 0", base)
	}
	for i, sp := range spikes {
		switch {
		case sp.At < 0 || sp.Duration <= 0:
			return nil, fmt.Errorf("traffic: spike %d: at %v must be >= 0 and duration %v > 0", i, sp.At, sp.Duration)
		case !(sp.Multiplier >= 0) || math.IsInf(sp.Multiplier, 0):
			return nil, fmt.Errorf("traffic: spike %d: multiplier %v must be a finite number >= 0", i, sp.Multiplier)
		}
	}
	s := &Spikes{Base: base, Spikes: slices.Clone(spikes), Until: until}
	edges := []float64{0, until.Seconds()}
	for _, sp := range spikes {
		edges = append(edges, sp.At.Seconds(), (sp.At + sp.Duration).Seconds())
	}
	slices.Sort(edges)
	edges = slices.Compact(edges)
	for i := 0; i+1 < len(edges); i++ {
		s.edges = append(s.edges, edges[i])
		s.rates = append(s.rates, s.RateAt((edges[i]+edges[i+1])/2))
	}
	s.edges = append(s.edges, edges[len(edges)-1])
	s.gen = piecewise{rng: rand.New(src), until: until.Seconds(), next: s.piece}
	return s, nil
}

func (s *Spikes) piece() (a, b, rate float64, ok bool) {
	if s.k+1 >= len(s.edges) {
		return 0, 0, 0, false
	}
	a, b, rate = s.edges[s.k], s.edges[s.k+1], s.rates[s.k]
	s.k++
	return a, b, rate, true
}

// RateAt is the rate at t seconds.
func (s *Spikes) RateAt(t float64) float64 {
	r := s.Base
	for _, sp := range s.Spikes {
		if t >= sp.At.Seconds() && t < (sp.At+sp.Duration).Seconds() {
			r *= sp.Multiplier
		}
	}
	return r
}

// MeanCount is the expected number of arrivals in [a, b) seconds.
func (s *Spikes) MeanCount(a, b float64) float64 {
	total := 0.0
	for i := 0; i+1 < len(s.edges); i++ {
		lo, hi := math.Max(a, s.edges[i]), math.Min(b, s.edges[i+1])
		if hi > lo {
			total += s.rates[i] * (hi - lo)
		}
	}
	return total
}

// Fill implements Source.
func (s *Spikes) Fill(buf []Arrival) int { return s.gen.fill(buf) }

// Weekly is a Poisson process whose rate follows a day and a week:
// Rate·(1 + Amplitude·cos(2π(h−Peak)/24h))·Factors[weekday], where h is the
// time of day. Virtual time 0 falls Origin after Sunday 00:00 (38h is Monday
// 14:00). Factors, by time.Weekday, scale whole days (e.g. 0.3 on Saturday
// and Sunday). Sampled exactly by thinning, like Diurnal.
type Weekly struct {
	Rate      float64       // mean requests per second of a day with factor 1
	Amplitude float64       // daily swing, in [0, 1]
	Peak      time.Duration // time of day of the daily peak, in [0, 24h)
	Factors   [7]float64    // per weekday (Sunday first), >= 0
	Origin    time.Duration // position of virtual time 0 in the week, from Sunday 00:00
	Until     time.Duration

	thin thinning
}

const day = 24 * 3600.0

// NewWeekly returns a Weekly source drawing from src.
func NewWeekly(rate, amplitude float64, peak time.Duration, factors [7]float64, origin, until time.Duration, src rand.Source) (*Weekly, error) {
	switch {
	case !(rate >= 0) || math.IsInf(rate, 0):
		return nil, fmt.Errorf("traffic: rate %v must be a finite number >= 0", rate)
	case !(amplitude >= 0 && amplitude <= 1):
		return nil, fmt.Errorf("traffic: amplitude %v must be in [0, 1]", amplitude)
	case peak < 0 || peak >= 24*time.Hour:
		return nil, fmt.Errorf("traffic: peak %v must be a time of day in [0, 24h)", peak)
	case origin < 0 || origin >= 7*24*time.Hour:
		return nil, fmt.Errorf("traffic: origin %v must be in [0, 168h)", origin)
	}
	maxf := 0.0
	for i, f := range factors {
		if !(f >= 0) || math.IsInf(f, 0) {
			return nil, fmt.Errorf("traffic: %s factor %v must be a finite number >= 0", time.Weekday(i), f)
		}
		maxf = math.Max(maxf, f)
	}
	w := &Weekly{Rate: rate, Amplitude: amplitude, Peak: peak, Factors: factors, Origin: origin, Until: until}
	w.thin.start(rand.New(src), rate*(1+amplitude)*maxf, until, w.RateAt)
	return w, nil
}

// RateAt is the rate at t seconds of virtual time.
func (w *Weekly) RateAt(t float64) float64 {
	x := t + w.Origin.Seconds()
	d := int(math.Floor(x/day)) % 7
	h := x - math.Floor(x/day)*day
	return w.Rate * (1 + w.Amplitude*math.Cos(2*math.Pi*(h-w.Peak.Seconds())/day)) * w.Factors[d]
}

// MeanCount is the expected number of arrivals in [a, b) seconds: the
// integral of RateAt, day by day.
func (w *Weekly) MeanCount(a, b float64) float64 {
	o := w.Origin.Seconds()
	a, b = a+o, b+o
	total := 0.0
	om := 2 * math.Pi / day
	p := w.Peak.Seconds()
	for d0 := math.Floor(a/day) * day; d0 < b; d0 += day {
		lo, hi := math.Max(a, d0), math.Min(b, d0+day)
		if hi <= lo {
			continue
		}
		f := w.Factors[int(math.Round(d0/day))%7]
		x, y := lo-d0, hi-d0
		total += f * (w.Rate*(y-x) + w.Rate*w.Amplitude/om*(math.Sin(om*(y-p))-math.Sin(om*(x-p))))
	}
	return total
}

// Fill implements Source.
func (w *Weekly) Fill(buf []Arrival) int { return w.thin.fill(buf, w.Until, w.RateAt) }

// Users stamps a user id on every arrival of an inner source: N users,
// ids 1..N, user k making a share (1/k^S)/Σ_j(1/j^S) of the requests (Zipf's
// law; S = 1 is the classic one, S = 0 makes all users alike). Each
// arrival's user is drawn independently with Walker's alias method (O(1)
// per arrival, 8 bytes per user). math/rand/v2's Zipf is not used because it
// needs S > 1.
type Users struct {
	Inner Source
	N     int
	S     float64

	rng    *rand.Rand
	thresh []uint32 // keep i with probability thresh[i]/2^32, else alias[i]
	alias  []uint32
	norm   float64 // Σ 1/k^S
}

// MaxUsers bounds Users.N (the alias tables take 8 bytes per user).
const MaxUsers = 1 << 26

// NewUsers wraps inner with a population of n users of Zipf exponent s,
// drawing from src.
func NewUsers(inner Source, n int, s float64, src rand.Source) (*Users, error) {
	switch {
	case inner == nil:
		return nil, fmt.Errorf("traffic: users need an inner source")
	case n < 1 || n > MaxUsers:
		return nil, fmt.Errorf("traffic: users %d must be in [1, %d]", n, MaxUsers)
	case !(s >= 0) || s > 50:
		return nil, fmt.Errorf("traffic: Zipf exponent %v must be in [0, 50]", s)
	}
	u := &Users{Inner: inner, N: n, S: s, rng: rand.New(src)}
	w := make([]float64, n)
	for k := range w {
		w[k] = math.Pow(float64(k+1), -s)
		u.norm += w[k]
	}
	// Vose's construction of the alias table.
	u.thresh, u.alias = make([]uint32, n), make([]uint32, n)
	prob := make([]float64, n)
	var small, large []int
	for k := range w {
		prob[k] = w[k] / u.norm * float64(n)
		if prob[k] < 1 {
			small = append(small, k)
		} else {
			large = append(large, k)
		}
	}
	for len(small) > 0 && len(large) > 0 {
		l, g := small[len(small)-1], large[len(large)-1]
		small = small[:len(small)-1]
		u.thresh[l], u.alias[l] = uint32(min(prob[l]*(1<<32), math.MaxUint32-1)), uint32(g)
		prob[g] -= 1 - prob[l]
		if prob[g] < 1 {
			large = large[:len(large)-1]
			small = append(small, g)
		}
	}
	for _, k := range append(small, large...) { // 1 up to rounding
		u.thresh[k], u.alias[k] = math.MaxUint32, uint32(k)
	}
	return u, nil
}

// Share is the expected share of requests of user k (1-based).
func (u *Users) Share(k int) float64 {
	if k < 1 || k > u.N {
		return 0
	}
	return math.Pow(float64(k), -u.S) / u.norm
}

func (u *Users) draw() uint32 {
	i := u.rng.IntN(u.N)
	if u.rng.Uint32() < u.thresh[i] || u.thresh[i] == math.MaxUint32 {
		return uint32(i) + 1
	}
	return u.alias[i] + 1
}

// Fill implements Source.
func (u *Users) Fill(buf []Arrival) int {
	n := u.Inner.Fill(buf)
	for i := range buf[:n] {
		buf[i].User = u.draw()
	}
	return n
}
