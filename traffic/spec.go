package traffic

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

// Kind is the shape of a Spec's traffic, named as a scenario's
// traffic.pattern names it.
type Kind string

// The kinds of traffic a Spec describes.
const (
	KindPoisson Kind = "poisson" // Poisson at Rate
	KindDiurnal Kind = "diurnal" // Diurnal around Rate
	KindBursty  Kind = "bursty"  // Bursty over Phases
	KindSpikes  Kind = "spikes"  // Spikes over Rate
	KindWeekly  Kind = "weekly"  // Weekly around Rate
	KindReplay  Kind = "replay"  // a Recording replayed
	KindCounts  Kind = "counts"  // exactly Counts[k] arrivals in period k (NewCounts)
)

// Spec is traffic as data: which source, with which parameters. A model
// holds a Spec (not a closure), so tools can read its rate (Intensity) and
// edit it (a sweep over Rate) before Open makes the source a run draws
// from. Fields a Kind does not use are ignored; a new kind of source takes
// a Kind and the fields it needs.
type Spec struct {
	Kind Kind
	// Rate is requests per second: the Poisson rate, the mean of a diurnal
	// cycle, the mean of a weekly day of factor 1, the base of spikes.
	Rate      float64
	Amplitude float64       // diurnal, weekly: relative swing around Rate, in [0, 1]
	Period    time.Duration // diurnal: the length of a cycle
	Peak      time.Duration // diurnal: the first peak; weekly: the time of day of the peak
	Phases    []Phase       // bursty: the states
	Spikes    []Spike       // spikes: the windows that multiply Rate
	// WeekdayFactors scale the days of a weekly profile, Sunday first.
	WeekdayFactors [7]float64
	Origin         time.Duration // weekly: where virtual time 0 falls in the week, from Sunday 00:00
	Recording      Recording     // replay: the recording and how to replay it
	// Counts are the arrivals of each CountPeriod, exactly (counts: a
	// deployment's recorded Invocations per minute, package replay).
	Counts      []float64
	CountPeriod time.Duration
	// Users, when > 0, stamps every request with one of this many users
	// whose activity is Zipf-distributed with exponent UserSkew (NewUsers).
	Users    int
	UserSkew float64
}

// Open makes the source of s over [0, until), drawing everything random
// from src. The same src state yields the same arrivals.
func (s *Spec) Open(src rand.Source, until time.Duration) (Source, error) {
	if s.Users > 0 {
		// The user stream is split off before any arrival is drawn, so it
		// does not depend on how the engine batches arrivals.
		users := rand.NewPCG(src.Uint64(), src.Uint64())
		in, err := s.open(src, until)
		if err != nil {
			return nil, err
		}
		u, err := NewUsers(in, s.Users, s.UserSkew, users)
		if err != nil {
			closeSource(in)
			return nil, err
		}
		if cl, ok := in.(io.Closer); ok {
			return closingSource{u, cl}, nil
		}
		return u, nil
	}
	return s.open(src, until)
}

// open makes the source without users.
func (s *Spec) open(src rand.Source, until time.Duration) (Source, error) {
	switch s.Kind {
	case KindPoisson, "":
		return NewPoisson(s.Rate, until, src)
	case KindDiurnal:
		return NewDiurnal(s.Rate, s.Amplitude, s.Period, s.Peak, until, src)
	case KindBursty:
		return NewBursty(s.Phases, until, src)
	case KindSpikes:
		return NewSpikes(s.Rate, s.Spikes, until, src)
	case KindWeekly:
		return NewWeekly(s.Rate, s.Amplitude, s.Peak, s.WeekdayFactors, s.Origin, until, src)
	case KindCounts:
		return NewCounts(s.Counts, s.CountPeriod, until, src)
	case KindReplay:
		rp, err := OpenRecording(s.Recording, src, until)
		if err != nil {
			return nil, err
		}
		if rates := rp.Rates(); rates != nil {
			return rates, nil
		}
		return rp, nil
	}
	return nil, fmt.Errorf("traffic: unknown kind %q", s.Kind)
}

// Check opens s briefly and closes it: the parameters' errors, and a
// recording's header and selection errors, come out here rather than in
// the middle of a run.
func (s *Spec) Check() error {
	src, err := s.Open(rand.NewPCG(1, 1), time.Second)
	if err != nil {
		return err
	}
	closeSource(src)
	return nil
}

// Intensity is a rate known in advance: a Poisson process's intensity.
type Intensity interface {
	// RateAt is the rate at t seconds, in requests per second.
	RateAt(t float64) float64
	// MeanCount is the expected number of arrivals in [a, b) seconds.
	MeanCount(a, b float64) float64
}

// ErrNoIntensity is the cause Intensity gives for traffic whose rate is
// not known in advance.
var ErrNoIntensity = fmt.Errorf("the traffic has no intensity known in advance")

// Intensity returns the rate of s over [0, until), exactly: the source's
// own rate function (a recording's is read from its file). Traffic whose
// rate is not a function of time alone has none (ErrNoIntensity): bursty
// (its rate follows a hidden phase) and per-request recordings (their
// arrivals are recorded, not drawn). Users do not change the rate.
func (s *Spec) Intensity(until time.Duration) (Intensity, error) {
	if s.Kind == KindBursty {
		return nil, fmt.Errorf("%w: a bursty source's rate follows its hidden phase", ErrNoIntensity)
	}
	// The generators compute their rate from their parameters alone: the
	// throwaway stream only feeds the first draw of their constructor.
	src, err := s.open(rand.NewPCG(1, 2), until)
	if err != nil {
		return nil, err
	}
	in, ok := src.(Intensity)
	if !ok {
		closeSource(src)
		return nil, fmt.Errorf("%w: a %s recording's arrivals are recorded, not drawn", ErrNoIntensity, formatOf(src))
	}
	return in, nil
}

// ExpectedCount is the expected number of arrivals of s in [0, until) when
// it is known without drawing any: the integral of the intensity, or a
// bursty source's stationary mean rate times until (it starts in its
// stationary distribution). ok is false for per-request recordings.
func (s *Spec) ExpectedCount(until time.Duration) (n float64, ok bool) {
	if s.Kind == KindBursty {
		b := Bursty{Phases: s.Phases}
		m := b.MeanRate()
		if math.IsNaN(m) {
			return 0, false
		}
		return m * until.Seconds(), true
	}
	in, err := s.Intensity(until)
	if err != nil {
		return 0, false
	}
	return in.MeanCount(0, until.Seconds()), true
}

// Clone returns a copy of s that shares nothing with it.
func (s Spec) Clone() Spec {
	s.Phases = slices.Clone(s.Phases)
	s.Spikes = slices.Clone(s.Spikes)
	s.Counts = slices.Clone(s.Counts)
	return s
}

func formatOf(src Source) string {
	if r, ok := src.(*Replay); ok {
		return r.Format()
	}
	return fmt.Sprintf("%T", src)
}

func closeSource(src Source) {
	if cl, ok := src.(io.Closer); ok {
		cl.Close()
	}
}

// closingSource keeps a wrapped recording closable and its errors visible.
type closingSource struct {
	Source
	inner io.Closer
}

func (c closingSource) Close() error { return c.inner.Close() }

func (c closingSource) Err() error {
	if e, ok := c.inner.(interface{ Err() error }); ok {
		return e.Err()
	}
	return nil
}
