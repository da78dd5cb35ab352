package traffic

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// meanSD is the sample mean and standard deviation.
func meanSD(x []float64) (float64, float64) {
	m := 0.0
	for _, v := range x {
		m += v
	}
	m /= float64(len(x))
	v := 0.0
	for _, y := range x {
		v += (y - m) * (y - m)
	}
	return m, math.Sqrt(v / float64(len(x)-1))
}

func countAll(s Source) int {
	buf := make([]Arrival, 512)
	n := 0
	for k := s.Fill(buf); k > 0; k = s.Fill(buf) {
		n += k
	}
	return n
}

// A two-phase MMPP started in its stationary distribution has, over [0, T),
// mean count λ̄T and variance λ̄T + (λ1−λ2)²·2σ1σ2/a³·(T − (1−e^{−aT})/a),
// where σi = 1/Dwell_i and a = σ1+σ2 (the variance of ∫λ(X_t)dt for a
// stationary two-state chain, plus Poisson noise). 400 runs: the sample
// mean within 4 standard errors, the sample variance within 30 % (about 4
// of its own standard errors for near-normal counts).
func TestBurstyTwoPhases(t *testing.T) {
	phases := []Phase{{Rate: 50, Dwell: 10 * time.Second}, {Rate: 5, Dwell: 30 * time.Second}}
	T := 600.0
	s1, s2 := 1/10.0, 1/30.0
	a := s1 + s2
	lbar := (50*10 + 5*30) / 40.0
	wantMean := lbar * T
	wantVar := lbar*T + (50-5)*(50-5)*2*s1*s2/(a*a*a)*(T-(1-math.Exp(-a*T))/a)
	var counts []float64
	for seed := uint64(0); seed < 400; seed++ {
		b, err := NewBursty(phases, time.Duration(T)*time.Second, rand.NewPCG(seed, 17))
		if err != nil {
			t.Fatal(err)
		}
		if b.MeanRate() != lbar {
			t.Fatalf("MeanRate %v, want %v", b.MeanRate(), lbar)
		}
		counts = append(counts, float64(countAll(b)))
	}
	m, sd := meanSD(counts)
	if z := (m - wantMean) / (math.Sqrt(wantVar) / 20); math.Abs(z) > 4 {
		t.Errorf("mean count %.0f, want %.0f (z = %.1f)", m, wantMean, z)
	}
	if r := sd * sd / wantVar; r < 0.7 || r > 1.3 {
		t.Errorf("count variance %.0f, want %.0f (ratio %.2f): burstiness off", sd*sd, wantVar, r)
	}
	if sd*sd < 10*wantMean {
		t.Errorf("variance %.0f barely above Poisson's %.0f: not bursty", sd*sd, wantMean)
	}
	t.Logf("bursty 2 phases: mean %.0f (want %.0f), variance %.0f (want %.0f; Poisson would be %.0f)", m, wantMean, sd*sd, wantVar, wantMean)
}

// With three phases the mean rate is Σ Rate·Dwell / Σ Dwell.
func TestBurstyThreePhases(t *testing.T) {
	phases := []Phase{{Rate: 0, Dwell: 5 * time.Second}, {Rate: 100, Dwell: time.Second}, {Rate: 10, Dwell: 20 * time.Second}}
	want := (0*5 + 100*1 + 10*20) / 26.0 * 300
	var counts []float64
	for seed := uint64(0); seed < 200; seed++ {
		b, _ := NewBursty(phases, 300*time.Second, rand.NewPCG(seed, 3))
		counts = append(counts, float64(countAll(b)))
	}
	m, sd := meanSD(counts)
	if z := (m - want) / (sd / math.Sqrt(200)); math.Abs(z) > 4 {
		t.Errorf("mean count %.1f, want %.1f (z = %.1f)", m, want, z)
	}
}

// Spikes: the rate is piecewise constant; counts per window are Poisson
// with MeanCount, which equals the hand-computed integral.
func TestSpikes(t *testing.T) {
	spikes := []Spike{
		{At: 60 * time.Second, Duration: 30 * time.Second, Multiplier: 5},
		{At: 75 * time.Second, Duration: 30 * time.Second, Multiplier: 2},  // overlap 75–90 s: ×10
		{At: 200 * time.Second, Duration: 20 * time.Second, Multiplier: 0}, // outage
	}
	s, err := NewSpikes(100, spikes, 300*time.Second, rand.NewPCG(1, 2))
	if err != nil {
		t.Fatal(err)
	}
	// 60 s×100 + 15×500 + 15×1000 + 15×200 + 95×100 + 20×0 + 80×100
	if got := s.MeanCount(0, 300); math.Abs(got-49000) > 1e-6 {
		t.Errorf("MeanCount = %v, want 49000", got)
	}
	arr := drain(t, s)
	want := make([]float64, 20)
	for i := range want {
		want[i] = s.MeanCount(float64(i)*15, float64(i+1)*15)
	}
	poissonCheck(t, "15 s", perBin(arr, int64(15*time.Second), 20), want)
	for _, a := range arr {
		if a.At >= 200e9 && a.At < 220e9 {
			t.Fatalf("arrival at %v during the outage", time.Duration(a.At))
		}
	}
}

// Weekly: counts per 6 hours follow MeanCount, and MeanCount agrees with
// a numerical integral of RateAt (the slow twin).
func TestWeekly(t *testing.T) {
	factors := [7]float64{0.3, 1, 1, 1, 1, 1.2, 0.4}
	w, err := NewWeekly(2, 0.5, 14*time.Hour, factors, 38*time.Hour, 7*24*time.Hour, rand.NewPCG(9, 9))
	if err != nil {
		t.Fatal(err)
	}
	// A factor-1 day holds Rate × 24 h: the cosine integrates to 0.
	// Virtual day 0 starts Monday 14:00; Tuesday 00:00 is at 10 h.
	if got := w.MeanCount(10*3600, 34*3600); math.Abs(got-2*86400) > 1e-6 {
		t.Errorf("Tuesday: %v, want %v", got, 2*86400)
	}
	for _, iv := range [][2]float64{{0, 7 * 86400}, {3600, 5000}, {86000, 90000}, {5 * 86400, 6.5 * 86400}} {
		num, n := 0.0, 200000
		h := (iv[1] - iv[0]) / float64(n)
		for i := 0; i < n; i++ {
			num += w.RateAt(iv[0]+(float64(i)+0.5)*h) * h
		}
		if got := w.MeanCount(iv[0], iv[1]); math.Abs(got-num) > 1e-4*num {
			t.Errorf("MeanCount%v = %v, integral %v", iv, got, num)
		}
	}
	arr := drain(t, w)
	want := make([]float64, 28)
	for i := range want {
		want[i] = w.MeanCount(float64(i)*6*3600, float64(i+1)*6*3600)
	}
	poissonCheck(t, "6 h", perBin(arr, int64(6*time.Hour), 28), want)
	// Saturday (factor 0.4) is below Friday (1.2) by their factors' ratio.
	if got := w.MeanCount(4*86400+10*3600, 5*86400+10*3600) / w.MeanCount(3*86400+10*3600, 4*86400+10*3600); math.Abs(got-1/3.0) > 1e-9 {
		t.Errorf("Saturday/Friday = %v, want 1/3", got)
	}
}

// Zipf users: user k's share is k^−s/H; the top user's count is Binomial
// with that share (within 4 sigma), and the counts of the top 20 users and
// of the rest pass a chi-square test.
func TestUsersZipf(t *testing.T) {
	for _, c := range []struct {
		n int
		s float64
	}{{1000, 1}, {1000, 0}, {50, 2.5}, {1, 1}} {
		inner, _ := NewPoisson(1000, 200*time.Second, rand.NewPCG(1, 1))
		u, err := NewUsers(inner, c.n, c.s, rand.NewPCG(2, 2))
		if err != nil {
			t.Fatal(err)
		}
		total := 0.0
		for k := 1; k <= c.n; k++ {
			total += u.Share(k)
		}
		if math.Abs(total-1) > 1e-9 {
			t.Errorf("n=%d s=%v: shares sum to %v", c.n, c.s, total)
		}
		arr := drain(t, u)
		counts := make([]int, c.n+1)
		for _, a := range arr {
			if a.User < 1 || int(a.User) > c.n {
				t.Fatalf("user %d outside 1..%d", a.User, c.n)
			}
			counts[a.User]++
		}
		N := float64(len(arr))
		p1 := u.Share(1)
		if sd := math.Sqrt(N * p1 * (1 - p1)); sd > 0 {
			if z := (float64(counts[1]) - N*p1) / sd; math.Abs(z) > 4 {
				t.Errorf("n=%d s=%v: top user %d requests, want %.0f (z = %.1f)", c.n, c.s, counts[1], N*p1, z)
			}
		}
		k := min(20, c.n)
		chi, rest, restP := 0.0, float64(len(arr)), 1.0
		for i := 1; i <= k; i++ {
			e := N * u.Share(i)
			chi += (float64(counts[i]) - e) * (float64(counts[i]) - e) / e
			rest -= float64(counts[i])
			restP -= u.Share(i)
		}
		df := k - 1
		if restP > 1e-9 {
			e := N * restP
			chi += (rest - e) * (rest - e) / e
			df++
		}
		if df > 0 {
			if z := (chi - float64(df)) / math.Sqrt(2*float64(df)); z > 4 {
				t.Errorf("n=%d s=%v: chi-square %.1f with %d df", c.n, c.s, chi, df)
			}
		}
		t.Logf("users n=%d s=%v: top user %.4f of requests (law %.4f)", c.n, c.s, float64(counts[1])/N, p1)
	}
}

func TestSyntheticSameSeed(t *testing.T) {
	mk := []func(seed uint64) Source{
		func(seed uint64) Source {
			b, _ := NewBursty([]Phase{{10, time.Second}, {100, time.Second}}, time.Minute, rand.NewPCG(seed, 1))
			return b
		},
		func(seed uint64) Source {
			s, _ := NewSpikes(50, []Spike{{At: time.Second, Duration: time.Second, Multiplier: 4}}, time.Minute, rand.NewPCG(seed, 1))
			return s
		},
		func(seed uint64) Source {
			w, _ := NewWeekly(50, 0.5, 0, [7]float64{1, 1, 1, 1, 1, 1, 1}, 0, time.Minute, rand.NewPCG(seed, 1))
			return w
		},
		func(seed uint64) Source {
			p, _ := NewPoisson(50, time.Minute, rand.NewPCG(seed, 1))
			u, _ := NewUsers(p, 100, 1.1, rand.NewPCG(seed, 2))
			return u
		},
	}
	for i, f := range mk {
		a, b, c := drain(t, f(1)), drain(t, f(1)), drain(t, f(2))
		if !slices.Equal(a, b) || slices.Equal(a, c) || len(a) == 0 {
			t.Errorf("source %d: same seed must give the same stream, another seed another", i)
		}
	}
}

func TestSyntheticBadParameters(t *testing.T) {
	src := rand.NewPCG(1, 1)
	p, _ := NewPoisson(1, time.Minute, src)
	for name, err := range map[string]error{
		"one phase":     second(NewBursty([]Phase{{1, time.Second}}, time.Minute, src)),
		"zero dwell":    second(NewBursty([]Phase{{1, 0}, {1, time.Second}}, time.Minute, src)),
		"negative rate": second(NewBursty([]Phase{{-1, time.Second}, {1, time.Second}}, time.Minute, src)),
		"spike at -1":   second(NewSpikes(1, []Spike{{At: -1, Duration: 1, Multiplier: 1}}, time.Minute, src)),
		"spike NaN":     second(NewSpikes(1, []Spike{{At: 0, Duration: 1, Multiplier: math.NaN()}}, time.Minute, src)),
		"factor -1":     second(NewWeekly(1, 0, 0, [7]float64{-1}, 0, time.Minute, src)),
		"peak 25h":      second(NewWeekly(1, 0, 25*time.Hour, [7]float64{}, 0, time.Minute, src)),
		"no users":      second(NewUsers(p, 0, 1, src)),
		"negative s":    second(NewUsers(p, 10, -1, src)),
	} {
		if err == nil {
			t.Errorf("%s accepted", name)
		}
	}
}

func second[T any](_ T, err error) error { return err }

// The alias table encodes Zipf's law exactly: the probability it gives
// each user (its own threshold plus what other columns alias to it) is the
// user's share, to rounding.
func TestUsersAliasTable(t *testing.T) {
	p, _ := NewPoisson(1, time.Second, rand.NewPCG(1, 1))
	for _, s := range []float64{0, 0.8, 1, 1.5, 3} {
		u, err := NewUsers(p, 997, s, rand.NewPCG(1, 1))
		if err != nil {
			t.Fatal(err)
		}
		got := make([]float64, u.N)
		for i := range u.N {
			keep := 1.0
			if u.thresh[i] != math.MaxUint32 {
				keep = float64(u.thresh[i]) / (1 << 32)
			}
			got[i] += keep / float64(u.N)
			got[u.alias[i]] += (1 - keep) / float64(u.N)
		}
		for k := 1; k <= u.N; k++ {
			if d := math.Abs(got[k-1] - u.Share(k)); d > 1e-9 {
				t.Fatalf("s=%v: user %d has probability %v, share %v", s, k, got[k-1], u.Share(k))
			}
		}
	}
}

// BenchmarkThinning draws two hours of Diurnal and of Weekly arrivals at
// 50 requests/s: the thinning loop both share (ns per arrival).
func BenchmarkThinning(b *testing.B) {
	buf := make([]Arrival, 4096)
	run := func(b *testing.B, open func() Source) {
		var n int64
		for range b.N {
			src := open()
			for k := src.Fill(buf); k > 0; k = src.Fill(buf) {
				n += int64(k)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/arrival")
	}
	b.Run("diurnal", func(b *testing.B) {
		run(b, func() Source {
			d, err := NewDiurnal(50, 0.8, 24*time.Hour, 14*time.Hour, 2*time.Hour, rand.NewPCG(1, 2))
			if err != nil {
				b.Fatal(err)
			}
			return d
		})
	})
	b.Run("weekly", func(b *testing.B) {
		run(b, func() Source {
			w, err := NewWeekly(50, 0.8, 14*time.Hour, [7]float64{0.3, 1, 1, 1, 1, 1, 0.3}, 38*time.Hour, 2*time.Hour, rand.NewPCG(1, 2))
			if err != nil {
				b.Fatal(err)
			}
			return w
		})
	})
}
