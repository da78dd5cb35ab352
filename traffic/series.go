package traffic

import (
	"bufio"
	"fmt"
	"math"
	"math/rand/v2"
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
