package traffic

import (
	"bufio"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
)

// series is a recording of counts per period (Azure 2019 minutes,
// CloudWatch datapoints): small enough to hold (one row, or one export).
type series struct {
	function   string // selected function (full hash or result Id); "" = all
	app        string // Azure 2019: HashApp of the selected function
	functions  int    // functions (rows, results) in the file
	period     int64  // ns
	points     []point
	start      int64 // epoch ns of the first period, when absolute
	absolute   bool
	firstLabel string // Azure 2019: header of the first minute column
	skipped    int64
}

// point is the count of the period starting off ns after the start; points
// are sorted by off, and a missing period has no requests.
type point struct {
	off   int64
	count float64
}

// end is the end of the recording: the end of its last period.
func (s *series) end() int64 {
	if len(s.points) == 0 {
		return 0
	}
	return s.points[len(s.points)-1].off + s.period
}

func readSeries(s *spec, br *bufio.Reader) (*series, error) {
	switch s.format {
	case FormatAzure2019:
		return readAzure2019(s, br)
	case FormatCloudWatch:
		return readCloudWatch(s, br)
	}
	return nil, fmt.Errorf("%s: format %s is not a per-period format", s.Path, s.format)
}

// periodReplay replays a series as a Poisson process whose rate is constant
// within each period: count×Scale per period, in virtual time.
type periodReplay struct {
	ser     *series
	from    int64 // window, recording ns
	wend    int64
	loop    bool
	speed   float64
	scale   float64
	until   float64 // virtual seconds; +Inf for none
	skipped int64
	gen     piecewise

	iter int64
	i    int // next point

	// The window's pieces (recording ns) with their expected counts, for
	// MeanCount: rate[k] requests per ns on [lo[k], hi[k]), cum[k] the
	// expected count before lo[k].
	lo, hi, rate, cum []float64
	total             float64 // expected count of one pass of the window
}

func newPeriodReplay(s *spec, ser *series, rng *rand.Rand, until int64) (*periodReplay, error) {
	p := &periodReplay{ser: ser, from: s.from, wend: s.to, loop: s.Loop, speed: s.speed, scale: s.scale, skipped: ser.skipped, until: math.Inf(1)}
	if p.wend == 0 {
		p.wend = ser.end()
	}
	if until > 0 {
		p.until = float64(until) / 1e9
	}
	p.gen = piecewise{rng: rng, until: p.until, next: p.piece}
	p.i = p.firstPoint()
	for _, pt := range ser.points[p.i:] {
		lo, hi := max(pt.off, p.from), min(pt.off+ser.period, p.wend)
		if pt.off >= p.wend {
			break
		}
		if hi <= lo {
			continue
		}
		r := pt.count * p.scale / float64(ser.period)
		p.lo, p.hi, p.rate, p.cum = append(p.lo, float64(lo)), append(p.hi, float64(hi)), append(p.rate, r), append(p.cum, p.total)
		p.total += r * float64(hi-lo)
	}
	if p.loop && p.wend <= p.from {
		p.loop = false // an empty window repeats nothing
	}
	if p.loop && float64(p.wend-p.from)/p.speed < float64(minLoop) {
		return nil, fmt.Errorf("%s: a looped window must last at least %v of replay time", s.Path, minLoop)
	}
	return p, nil
}

// firstPoint is the index of the first point overlapping the window.
func (p *periodReplay) firstPoint() int {
	pts := p.ser.points
	i := 0
	for i < len(pts) && pts[i].off+p.ser.period <= p.from {
		i++
	}
	return i
}

// virtual maps a window offset of pass iter to virtual seconds.
func (p *periodReplay) virtual(off int64) float64 {
	x := float64(p.iter)*float64(p.wend-p.from) + float64(off-p.from)
	return x / 1e9 / p.speed
}

// piece returns the next period of constant rate, clipped to the window, in
// virtual seconds and requests per virtual second.
func (p *periodReplay) piece() (a, b, rate float64, ok bool) {
	pts := p.ser.points
	for {
		if p.i >= len(pts) || pts[p.i].off >= p.wend {
			if !p.loop {
				return 0, 0, 0, false
			}
			p.iter++
			p.i = p.firstPoint()
			if p.virtual(p.from) >= p.until {
				return 0, 0, 0, false
			}
			continue
		}
		pt := pts[p.i]
		p.i++
		lo, hi := max(pt.off, p.from), min(pt.off+p.ser.period, p.wend)
		if hi <= lo || pt.count == 0 {
			continue
		}
		a, b = p.virtual(lo), p.virtual(hi)
		rate = pt.count * p.scale / (float64(p.ser.period) / 1e9 / p.speed)
		return a, b, rate, true
	}
}

func (p *periodReplay) fill(buf []Arrival) int { return p.gen.fill(buf) }

// expected is the expected number of arrivals in virtual [0, t) seconds.
func (p *periodReplay) expected(t float64) float64 {
	t = math.Min(math.Max(t, 0), p.until)
	wlen := float64(p.wend - p.from)
	if wlen <= 0 {
		return 0
	}
	x := t * 1e9 * p.speed // recording ns into the replay
	passes := 0.0
	if p.loop {
		passes = math.Floor(x / wlen)
		x -= passes * wlen
	}
	y := float64(p.from) + math.Min(x, wlen)
	k := sort.SearchFloat64s(p.lo, y) // pieces before k start before y
	within := 0.0
	if k > 0 {
		within = p.cum[k-1] + p.rate[k-1]*(math.Min(y, p.hi[k-1])-p.lo[k-1])
	}
	return passes*p.total + within
}

// Rates is a per-period recording (Azure 2019, CloudWatch) replayed as a
// Poisson process whose intensity is known in advance: the same stream as
// its Replay, with MeanCount and RateAt, which the batched engine needs.
type Rates struct{ p *periodReplay }

// Rates returns the replay as Rates for per-period formats, and nil for
// per-request formats, whose arrivals are recorded rather than drawn. The
// two share one stream: read from one of them only.
func (r *Replay) Rates() *Rates {
	if r.per == nil {
		return nil
	}
	return &Rates{r.per}
}

// Fill implements Source.
func (s *Rates) Fill(buf []Arrival) int { return s.p.fill(buf) }

// MeanCount is the expected number of arrivals in [a, b) seconds of
// virtual time: the recorded counts, windowed, scaled, sped up and looped.
func (s *Rates) MeanCount(a, b float64) float64 {
	if b <= a {
		return 0
	}
	return s.p.expected(b) - s.p.expected(a)
}

// RateAt is the rate at t seconds of virtual time, in requests per second.
func (s *Rates) RateAt(t float64) float64 {
	p := s.p
	wlen := float64(p.wend - p.from)
	if t < 0 || t >= p.until || wlen <= 0 {
		return 0
	}
	x := t * 1e9 * p.speed
	if p.loop {
		x -= math.Floor(x/wlen) * wlen
	} else if x >= wlen {
		return 0
	}
	y := float64(p.from) + x
	k := sort.Search(len(p.lo), func(i int) bool { return p.lo[i] > y }) - 1
	if k < 0 || y >= p.hi[k] {
		return 0
	}
	return p.rate[k] * 1e9 * p.speed
}

// piecewise samples a Poisson process whose rate is constant on pieces
// [a, b) handed out by next in increasing order (zero between them). A
// candidate that falls past the end of its piece is dropped and sampling
// restarts at the next piece: exact, because exponential gaps are
// memoryless.
type piecewise struct {
	rng   *rand.Rand
	until float64 // seconds, exclusive
	next  func() (a, b, rate float64, ok bool)

	t, b, rate float64
	started    bool
	done       bool
}

func (g *piecewise) fill(buf []Arrival) int {
	n := 0
	for n < len(buf) && !g.done {
		if !g.started || g.t >= g.b {
			a, b, rate, ok := g.next()
			if !ok || a >= g.until {
				g.done = true
				break
			}
			g.started = true
			g.t, g.b, g.rate = a, b, rate
			if rate <= 0 {
				g.t = b
				continue
			}
		}
		x := g.t + g.rng.ExpFloat64()/g.rate
		if x >= g.b {
			g.t = g.b
			continue
		}
		if x >= g.until {
			g.done = true
			break
		}
		g.t = x
		buf[n] = Arrival{At: int64(x * 1e9)}
		n++
	}
	return n
}
