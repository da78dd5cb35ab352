package traffic

import (
	"fmt"
	"io"
	"math"
	"math/bits"
	"strings"
	"time"

	"github.com/shiftsim/shiftsim/internal/safeio"
)

// Summary describes the window of a recording, as recorded (Speed, Scale
// and Loop do not apply): what `shiftsim trace inspect` prints.
type Summary struct {
	Format    string
	Function  string // the function replayed (full id); "" for the whole recording
	Functions int    // functions in a multi-function trace; 0 for single-stream formats
	// Start is the wall-clock time of the window's start, for recordings with
	// wall-clock timestamps; zero otherwise.
	Start time.Time
	// FirstColumn is the header of an Azure 2019 trace's first minute column
	// (offsets count from it).
	FirstColumn string
	Span        time.Duration // window length: whole periods, or whole minutes for per-request formats
	Period      time.Duration // per-period formats: the recording's period; 0 for per-request formats
	// Requests in the window: the records of a per-request format, the sum
	// of the counts of a per-period one (the mean a replay draws around).
	Requests float64
	// Per-minute request counts over the window's minutes (per-period
	// formats: each period's count scaled to a minute).
	Minutes                                   int
	MinPerMinute, MeanPerMinute, MaxPerMinute float64
	Users                                     int64 // distinct users; 0 if the stream has none
	UsersEstimated                            bool  // Users is a HyperLogLog estimate (±1 %): more than 65,536 users
	HasDurations                              bool
	// Durations is the recorded distribution: from the records (quantiles
	// within ±0.5 %) or from an Azure 2019 durations file; nil if unknown.
	Durations *Percentiles
	Skipped   int64 // malformed records skipped (Lenient)
}

// String renders the summary as "key: value" lines.
func (s Summary) String() string {
	var b strings.Builder
	p := func(k, f string, a ...any) { fmt.Fprintf(&b, "%-12s "+f+"\n", append([]any{k + ":"}, a...)...) }
	p("format", "%s", s.Format)
	if s.Functions > 0 {
		fn := s.Function
		if fn == "" {
			fn = "(all)"
		}
		p("function", "%s (of %d)", fn, s.Functions)
	}
	if !s.Start.IsZero() {
		p("start", "%s", s.Start.UTC().Format(time.RFC3339Nano))
	}
	if s.FirstColumn != "" {
		p("first minute", "column %s", s.FirstColumn)
	}
	p("span", "%v", s.Span)
	if s.Period > 0 {
		p("period", "%v", s.Period)
	}
	p("requests", "%s", trimFloat(s.Requests))
	p("per minute", "min %s  mean %s  max %s  (%d minutes)", trimFloat(s.MinPerMinute), trimFloat(s.MeanPerMinute), trimFloat(s.MaxPerMinute), s.Minutes)
	switch {
	case s.Users == 0:
		p("users", "none recorded")
	case s.UsersEstimated:
		p("users", "~%d", s.Users)
	default:
		p("users", "%d", s.Users)
	}
	if s.Durations != nil {
		d := s.Durations
		p("durations", "median %v  p99 %v  max %v", d.Median(), d.P99(), d.Quantile(1))
	} else {
		p("durations", "%v", s.HasDurations)
	}
	if s.Skipped > 0 {
		p("skipped", "%d malformed records", s.Skipped)
	}
	return b.String()
}

func trimFloat(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.2f", v)
}

// Inspect reads the whole window of a recording (so it also validates every
// record) and summarises it, in memory that does not grow with the file.
func Inspect(rec Recording) (Summary, error) {
	s, err := rec.validate()
	if err != nil {
		return Summary{}, err
	}
	br, cl, err := s.open()
	if err != nil {
		return Summary{}, err
	}
	if perPeriod(s.format) {
		ser, err := readSeries(&s, br)
		cl.Close()
		if err != nil {
			return Summary{}, err
		}
		sum := inspectSeries(&s, ser)
		if s.format == FormatAzure2019 && s.Durations != "" && ser.function != "" {
			p, err := azureDurations(&s, ser)
			if err != nil {
				return sum, err
			}
			sum.Durations = &p
			sum.HasDurations = true
		}
		return sum, nil
	}
	cl.Close()
	sel, err := resolveFunction(&s)
	if err != nil {
		return Summary{}, err
	}
	s.Loop, s.speed, s.scale = false, 1, 1
	q, err := newRequestReplay(&s, sel, nil, 0)
	if err != nil {
		return Summary{}, err
	}
	defer q.close()
	sum := Summary{Format: s.format, Function: sel.name, Functions: sel.functions}
	var users userCount
	var hist durationHist
	minute := int64(time.Minute)
	bin, count := int64(-1), 0.0
	lo, hi := math.Inf(1), 0.0
	// flush closes the minutes before upTo; empty ones in between make the
	// minimum 0 without visiting them (a recording may span years).
	flush := func(upTo int64) {
		if bin >= upTo {
			return
		}
		if bin >= 0 {
			lo, hi = math.Min(lo, count), math.Max(hi, count)
		}
		if upTo-bin > 1 {
			lo = 0
		}
		bin, count = upTo, 0
	}
	last := int64(-1)
	for {
		r, off, ok := q.next()
		if !ok {
			break
		}
		if sum.Requests == 0 && q.origin > int64(1e9)*int64(1e9) {
			sum.Start = time.Unix(0, q.origin+s.from).UTC()
		}
		sum.Requests++
		b := (off - s.from) / minute
		flush(b)
		count++
		last = off
		if r.user != 0 {
			users.add(r.user)
		}
		if r.dur > 0 {
			sum.HasDurations = true
			hist.add(float64(r.dur))
		}
	}
	if q.err != nil {
		return sum, q.err
	}
	sum.Skipped = q.skipped
	switch {
	case s.to > 0:
		sum.Span = time.Duration(s.to - s.from)
	case last >= 0:
		sum.Span = time.Duration((last/minute+1)*minute - s.from)
	}
	sum.Minutes = int((int64(sum.Span) + minute - 1) / minute)
	flush(int64(sum.Minutes))
	if sum.Minutes > 0 {
		sum.MinPerMinute, sum.MaxPerMinute = lo, hi
		sum.MeanPerMinute = sum.Requests / float64(sum.Minutes)
	}
	sum.Users, sum.UsersEstimated = users.count()
	if sum.HasDurations {
		p := hist.percentiles()
		sum.Durations = &p
	}
	return sum, nil
}

func inspectSeries(s *spec, ser *series) Summary {
	sum := Summary{Format: s.format, Function: ser.function, Functions: ser.functions, Period: time.Duration(ser.period),
		FirstColumn: ser.firstLabel, Skipped: ser.skipped}
	if s.format == FormatCloudWatch && ser.functions <= 1 {
		sum.Functions = 0
	}
	from, to := s.from, s.to
	if to == 0 {
		to = ser.end()
	}
	if to <= from {
		return sum
	}
	if ser.absolute {
		sum.Start = time.Unix(0, ser.start+from).UTC()
	}
	sum.Span = time.Duration(to - from)
	perMinute := float64(time.Minute) / float64(ser.period)
	lo, hi := math.Inf(1), 0.0
	// Walk the datapoints in the window; a period without one (a gap, in a
	// CloudWatch export) has no requests.
	first := from / ser.period * ser.period
	periods := (to - first) / ser.period
	if (to-first)%ser.period != 0 {
		periods++
	}
	inside := int64(0)
	for _, pt := range ser.points {
		if pt.off+ser.period <= from || pt.off >= to {
			continue
		}
		overlap := float64(min(pt.off+ser.period, to)-max(pt.off, from)) / float64(ser.period)
		sum.Requests += pt.count * overlap
		lo, hi = math.Min(lo, pt.count*perMinute), math.Max(hi, pt.count*perMinute)
		inside++
	}
	if inside < periods {
		lo = 0
	}
	sum.Minutes = int((to - from + int64(time.Minute) - 1) / int64(time.Minute))
	if ser.period == int64(time.Minute) {
		sum.Minutes = int(periods)
	}
	sum.MinPerMinute, sum.MaxPerMinute = lo, hi
	sum.MeanPerMinute = sum.Requests / (float64(to-from) / float64(time.Minute))
	return sum
}

// Durations returns the recorded duration distribution of a recording's
// window, to drive a latency model: for an Azure 2019 trace the row of
// Recording.Durations for the selected function (whose percentiles are of
// 30-second averages, so p99 understates the tail); for per-request formats
// with durations, quantiles of the records (±0.5 %).
func Durations(rec Recording) (Percentiles, error) {
	s, err := rec.validate()
	if err != nil {
		return Percentiles{}, err
	}
	br, cl, err := s.open()
	if err != nil {
		return Percentiles{}, err
	}
	switch {
	case s.format == FormatAzure2019:
		ser, err := readSeries(&s, br)
		cl.Close()
		if err != nil {
			return Percentiles{}, err
		}
		if s.Durations == "" {
			return Percentiles{}, fmt.Errorf("%s: no durations file (e.g. durations.csv) given for the Azure 2019 trace", s.Path)
		}
		if ser.function == "" {
			return Percentiles{}, fmt.Errorf("%s: durations need one function: set function (a HashFunction or #1)", s.Path)
		}
		return azureDurations(&s, ser)
	case perPeriod(s.format):
		cl.Close()
		return Percentiles{}, fmt.Errorf("%s: a %s recording has no durations", s.Path, s.format)
	}
	cl.Close()
	sum, err := Inspect(rec)
	if err != nil {
		return Percentiles{}, err
	}
	if sum.Durations == nil {
		return Percentiles{}, fmt.Errorf("%s: the records have no durations", s.Path)
	}
	return *sum.Durations, nil
}

func azureDurations(s *spec, ser *series) (Percentiles, error) {
	var f io.ReadCloser
	var err error
	if s.FS != nil {
		f, err = s.FS.Open(s.Durations)
	} else {
		f, err = safeio.Open(s.Durations)
	}
	if err != nil {
		return Percentiles{}, err
	}
	defer f.Close()
	return readAzureDurations(s.Durations, f, ser.app, ser.function)
}

// userCount counts distinct users exactly up to 65,536 of them, then
// estimates with a HyperLogLog of 2^14 registers (±0.8 %), so that its
// memory stays bounded.
type userCount struct {
	exact map[uint32]struct{}
	reg   []uint8
	over  bool
}

const exactUsers = 1 << 16

func (u *userCount) add(id uint32) {
	if u.reg == nil {
		u.reg = make([]uint8, 1<<14)
		u.exact = map[uint32]struct{}{}
	}
	h := mix64(uint64(id))
	i := h >> 50
	rank := uint8(bits.LeadingZeros64(h<<14|1<<13)) + 1
	if rank > u.reg[i] {
		u.reg[i] = rank
	}
	if !u.over {
		u.exact[id] = struct{}{}
		if len(u.exact) > exactUsers {
			u.over, u.exact = true, nil
		}
	}
}

func (u *userCount) count() (int64, bool) {
	if u.reg == nil {
		return 0, false
	}
	if !u.over {
		return int64(len(u.exact)), false
	}
	m := float64(len(u.reg))
	sum := 0.0
	for _, r := range u.reg {
		sum += math.Ldexp(1, -int(r))
	}
	alpha := 0.7213 / (1 + 1.079/m)
	return int64(math.Round(alpha * m * m / sum)), true
}

// mix64 is SplitMix64's finaliser: a fixed, well-mixed 64-bit hash.
func mix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// durationHist is a histogram of durations in buckets 1 % wide (from 1 µs
// to about 28 hours), for quantiles within ±0.5 % in fixed memory.
type durationHist struct {
	b        []int64
	n        int64
	total    float64
	min, max float64
}

const (
	histMin   = 1e-6
	histRatio = 1.01
	histN     = 2600
)

func (h *durationHist) add(sec float64) {
	if h.b == nil {
		h.b = make([]int64, histN)
		h.min = sec
	}
	i := 0
	if sec > histMin {
		i = min(int(math.Log(sec/histMin)/math.Log(histRatio))+1, histN-1)
	}
	h.b[i]++
	h.n++
	h.total += sec
	h.max = math.Max(h.max, sec)
	h.min = math.Min(h.min, sec)
}

// at is the representative duration of bucket i: its geometric middle,
// within the smallest and largest durations seen.
func (h *durationHist) at(i int) float64 {
	x := histMin
	if i > 0 {
		x = histMin * math.Pow(histRatio, float64(i)-0.5)
	}
	return math.Max(h.min, math.Min(x, h.max))
}

func (h *durationHist) percentiles() Percentiles {
	p := Percentiles{Count: h.n}
	if h.n == 0 {
		return p
	}
	p.Mean = time.Duration(h.total / float64(h.n) * 1e9)
	qs := []float64{0.01, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999}
	p.Points = append(p.Points, Quantile{Q: 0, D: time.Duration(h.min * 1e9)})
	var cum int64
	k := 0
	for i, c := range h.b {
		cum += c
		for k < len(qs) && float64(cum) >= math.Max(qs[k]*float64(h.n), 1) {
			p.Points = append(p.Points, Quantile{Q: qs[k], D: time.Duration(h.at(i) * 1e9)})
			k++
		}
	}
	p.Points = append(p.Points, Quantile{Q: 1, D: time.Duration(h.max * 1e9)})
	return p
}
