package sim

import (
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"time"

	"github.com/shiftsim/shiftsim/faults"
)

// Execution is Lambda's execution model: every request occupies an
// execution environment of its version for its duration; a request that
// finds no idle environment starts a new one and pays its init (cold start)
// first; idle environments are reclaimed after IdleTimeout; a new version
// starts with none warm but its provisioned concurrency. Environments are
// capped by the function's reserved concurrency (or the account's), and new
// ones are limited by the scaling rate: a request that cannot get one is
// throttled (HTTP 429, the Throttles metric, not Invocations or Errors).
// Sources: docs/lambda.md, "Concurrency and scaling".
type Execution struct {
	// ReservedConcurrency, when HasReserved, caps both versions'
	// environments together (0 throttles every request); otherwise the
	// account's limit applies.
	ReservedConcurrency int
	HasReserved         bool
	// AccountConcurrency is the Region's unreserved concurrency (1,000 by
	// default, L-DG:gettingstarted-limits).
	AccountConcurrency int
	// ScalingRate is how many new environments a function may start per
	// second, refilled continuously ("1,000 execution environment instances
	// every 10 seconds", scaling-behavior), up to ScalingBurst at once.
	ScalingRate  float64
	ScalingBurst float64
	// IdleTimeout is how long an idle environment is kept. AWS does not
	// document it; observed values run from minutes to hours.
	IdleTimeout time.Duration
	// Provisioned is each version's provisioned concurrency: environments
	// initialised before the deployment, never reclaimed.
	Provisioned [2]int
	// Init is each version's init (cold start) duration, ln(seconds).
	Init [2]faults.Lognormal
}

// Defaults of the execution model, with their sources.
const (
	DefaultAccountConcurrency = 1000             // L-DG:gettingstarted-limits
	DefaultScalingRate        = 100.0            // 1,000 environments every 10 s (scaling-behavior)
	DefaultScalingBurst       = 1000.0           // the same, as a bucket
	DefaultIdleTimeout        = 10 * time.Minute // undocumented by AWS; a parameter
)

// Arch is a Lambda instruction set architecture.
type Arch uint8

// Architectures.
const (
	X86_64 Arch = iota
	Arm64
)

func (a Arch) String() string { return [...]string{"x86_64", "arm64"}[a] }

// ParseArch maps Lambda's Architectures value to an Arch.
func ParseArch(s string) (Arch, error) {
	switch s {
	case "", "x86_64":
		return X86_64, nil
	case "arm64":
		return Arm64, nil
	}
	return 0, fmt.Errorf("architecture %q: want x86_64 or arm64", s)
}

// Prices are Lambda's prices in USD (docs/lambda.md, "Cost": us-east-1, first tier).
type Prices struct {
	Request             float64    // per request: $0.20 per 1M
	GBSecond            [2]float64 // per GB-second of duration, by Arch
	ProvisionedGBSecond float64    // per GB-second of provisioned concurrency enabled
	ProvisionedDuration float64    // per GB-second of duration on provisioned environments
}

// DefaultPrices are docs/lambda.md's figures (the provisioned-concurrency
// ones are third-party, as that page warns); override them in the scenario.
var DefaultPrices = Prices{
	Request:             0.20 / 1e6,
	GBSecond:            [2]float64{0.0000166667, 0.0000133334},
	ProvisionedGBSecond: 0.0000041667,
	ProvisionedDuration: 0.0000097222,
}

// Billing is how a run's invocations are billed.
type Billing struct {
	MemoryMB int // 128..10240; Lambda's default is 128
	Arch     Arch
	Prices   Prices
}

// Cost is what a run cost over the horizon, in USD.
type Cost struct {
	Requests    float64
	Duration    float64
	Provisioned float64
	Total       float64
	GBSeconds   float64
}

// execution is the runner's state of Lambda's execution model (nil exec:
// unlimited warm capacity).
type execution struct {
	exec     *Execution
	pools    *[2]pool // allocated with the model's Exec: runs without it do not carry the queues
	tokens   float64
	tokensAt int64
	limit    int
	initRng  *rand.Rand
	ttl      int64
	// concurrency met by arrivals (PASTA), and its peak
	concSeen, concArrivals, concPeak int64
}

// initExecution sets up the execution model, when the model has one.
func (r *runner) initExecution() error {
	m := r.m
	if m.Exec == nil {
		return nil
	}
	e := m.Exec
	r.exec = e
	r.initRng = rand.New(NewStream(m.Seed, streamInit))
	r.limit = e.AccountConcurrency
	if e.HasReserved {
		r.limit = e.ReservedConcurrency
	}
	r.tokens = e.ScalingBurst
	r.ttl = int64(e.IdleTimeout)
	r.pools = new([2]pool)
	for v := 0; v < 2; v++ {
		r.pools[v].pcFree = e.Provisioned[v]
	}
	if e.Provisioned[0]+e.Provisioned[1] > r.limit {
		return fmt.Errorf("provisioned concurrency %d exceeds the concurrency limit %d", e.Provisioned[0]+e.Provisioned[1], r.limit)
	}
	return nil
}

// acquire finds an execution environment of version v at t for a request
// whose handler runs ms: a provisioned one, an idle one, or a new one (a
// cold start, if the concurrency limit and the scaling rate allow it).
func (r *runner) acquire(v int, t int64, ms float64) (ok, onPC bool, initMs float64) {
	e := r.exec
	for i := range r.pools {
		r.pools[i].release(t, r.ttl)
	}
	busy := int64(r.pools[0].concurrency() + r.pools[1].concurrency())
	r.concSeen += busy
	r.concArrivals++
	p := &r.pools[v]
	switch {
	case p.pcFree > 0:
		p.pcFree--
		p.pcBusy = heapPush(p.pcBusy, t+int64(ms*1e6))
		onPC = true
	case len(p.idle) > p.idleOff:
		p.idle = p.idle[:len(p.idle)-1]
		p.busy.push(t + int64(ms*1e6))
	default:
		if r.pools[0].concurrency()+r.pools[1].concurrency() >= r.limit {
			return false, false, 0
		}
		r.tokens = min(e.ScalingBurst, r.tokens+e.ScalingRate*float64(t-r.tokensAt)/1e9)
		r.tokensAt = t
		if r.tokens < 1 {
			return false, false, 0
		}
		r.tokens--
		in := r.initLn[v]
		initMs = math.Exp(in.Mu+in.Sigma*r.initRng.NormFloat64()) * 1000
		r.tot[v].cold++
		p.busy.push(t + int64((initMs+ms)*1e6))
	}
	if c := p.concurrency(); c > r.cur[v].conc {
		r.cur[v].conc = c
	}
	r.concPeak = max(r.concPeak, int64(r.pools[0].concurrency()+r.pools[1].concurrency()))
	return true, onPC, initMs
}

// pool is one version's execution environments.
type pool struct {
	busy    timeQueue // the times busy on-demand environments free up
	pcBusy  []int64   // the same for provisioned environments
	idle    []int64   // free-since times of idle on-demand environments; the newest last
	idleOff int       // idle[:idleOff] have been reclaimed
	pcFree  int       // idle provisioned environments
}

// heapPush and heapPop keep a binary min-heap of times. heapPop is
// "bottom-up": the hole left by the minimum goes down to a leaf along the
// smaller children, one comparison a level, and the last element then
// rises from there, usually a level or two - fewer unpredictable branches
// than sifting the last element down.
func heapPush(h []int64, x int64) []int64 {
	h = append(h, x)
	siftUp(h, len(h)-1, x)
	return h
}

func siftUp(h []int64, i int, x int64) {
	for i > 0 {
		p := (i - 1) / 2
		if h[p] <= x {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = x
}

func heapPop(h []int64) []int64 {
	n := len(h) - 1
	x := h[n]
	h = h[:n]
	if n == 0 {
		return h
	}
	i := 0
	for {
		c := 2*i + 1
		if c >= n {
			break
		}
		if c+1 < n && h[c+1] < h[c] {
			c++
		}
		h[i] = h[c]
		i = c
	}
	siftUp(h, i, x)
	return h
}

// release moves the environments that finished by t to the idle lists, in
// the order they finished, and reclaims those idle longer than ttl.
func (p *pool) release(t, ttl int64) {
	for p.busy.n > 0 {
		m := p.busy.min()
		if m > t {
			break
		}
		p.idle = append(p.idle, m)
		p.busy.pop()
	}
	for len(p.pcBusy) > 0 && p.pcBusy[0] <= t {
		p.pcFree++
		p.pcBusy = heapPop(p.pcBusy)
	}
	for p.idleOff < len(p.idle) && p.idle[p.idleOff] < t-ttl {
		p.idleOff++
	}
	if p.idleOff > 1024 && p.idleOff*2 > len(p.idle) {
		n := copy(p.idle, p.idle[p.idleOff:])
		p.idle = p.idle[:n]
		p.idleOff = 0
	}
}

func (p *pool) concurrency() int { return p.busy.n + len(p.pcBusy) }

// timeQueue is a monotone priority queue of times — a radix heap (Ahuja,
// Mehlhorn, Orlin and Tarjan, "Faster algorithms for the shortest path
// problem", JACM 37(2), 1990) — for the busy environments of a pool: every
// time pushed is at or after the last one popped (a request ends after it
// arrives, and arrivals come in order), which is all a radix heap needs.
// Bucket i holds the times whose highest bit differing from the last
// popped time is bit i-1 (bucket 0: equal to it), so a push is one
// bit-length and an append, and a pop moves the times of the lowest
// non-empty bucket down once it becomes the minimum's: no comparison chain
// of a binary heap. Times come out in the same order as from any min-heap,
// so the idle lists, and every result, are the same.
type timeQueue struct {
	last  int64  // the last time popped: every queued time is >= last
	n     int    // queued times
	full  uint64 // bit i: bucket i is not empty
	cmin  int64  // the minimum, when valid and bucket 0 is empty
	valid bool
	b     [65][]int64
}

func (q *timeQueue) push(x int64) {
	if x < q.last {
		x = q.last // only a duration past int64's range of nanoseconds (292 years) gets here
	}
	i := bits.Len64(uint64(x ^ q.last))
	q.b[i] = append(q.b[i], x)
	q.full |= 1 << i
	q.n++
	if q.valid && x < q.cmin {
		q.cmin = x
	}
}

// min is the earliest time queued; the queue must not be empty.
func (q *timeQueue) min() int64 {
	if q.full&1 != 0 {
		return q.last
	}
	if !q.valid {
		bk := q.b[bits.TrailingZeros64(q.full)]
		m := bk[0]
		for _, x := range bk[1:] {
			m = min(m, x)
		}
		q.cmin, q.valid = m, true
	}
	return q.cmin
}

// pop removes the earliest time; the queue must not be empty.
func (q *timeQueue) pop() {
	if q.full&1 == 0 {
		i := bits.TrailingZeros64(q.full)
		m := q.min()
		bk := q.b[i]
		q.last = m
		for _, x := range bk {
			j := bits.Len64(uint64(x ^ m))
			q.b[j] = append(q.b[j], x)
			q.full |= 1 << j
		}
		q.b[i] = bk[:0]
		q.full &^= 1 << i
	}
	n := len(q.b[0]) - 1
	q.b[0] = q.b[0][:n]
	if n == 0 {
		q.full &^= 1
	}
	q.valid = false
	q.n--
}

// histogram counts positive values in buckets of 1/256 of an octave (0.27 %
// wide) read off the float's bits: no logarithm per value.
type histogram struct {
	n      int64
	counts []uint32
}

const (
	histMant  = 8
	histMinEx = 1023 - 20 // 2^-20 ms
	histMaxEx = 1023 + 30 // 2^30 ms
)

func (h *histogram) add(ms float64) {
	if h.counts == nil {
		h.counts = make([]uint32, (histMaxEx-histMinEx+1)<<histMant)
	}
	b := math.Float64bits(ms)
	ex := int(b>>52) & 0x7ff
	ex = min(max(ex, histMinEx), histMaxEx)
	i := (ex-histMinEx)<<histMant | int(b>>(52-histMant))&(1<<histMant-1)
	h.counts[i]++
	h.n++
}

// quantile is the value at quantile q (0..1): the midpoint of the bucket
// holding that rank, within 0.14 % of the exact order statistic.
func (h *histogram) quantile(q float64) float64 {
	if h.n == 0 {
		return math.NaN()
	}
	rank := int64(math.Ceil(q * float64(h.n)))
	rank = max(rank, 1)
	var seen int64
	for i, c := range h.counts {
		seen += int64(c)
		if seen >= rank {
			ex := i>>histMant + histMinEx
			mant := i & (1<<histMant - 1)
			lo := math.Float64frombits(uint64(ex)<<52 | uint64(mant)<<(52-histMant))
			hi := math.Float64frombits(uint64(ex)<<52 | uint64(mant+1)<<(52-histMant))
			return (lo + hi) / 2
		}
	}
	return math.NaN()
}

// bitset is a set of small integers (user ids).
type bitset []uint64

func (b *bitset) set(i uint32) {
	w := int(i >> 6)
	if w >= len(*b) {
		*b = append(*b, make([]uint64, w+1-len(*b))...)
	}
	(*b)[w] |= 1 << (i & 63)
}

func (b bitset) count() int64 {
	n := 0
	for _, w := range b {
		n += bits.OnesCount64(w)
	}
	return int64(n)
}
