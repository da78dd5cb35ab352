package traffic

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// A Spec opens exactly the source its constructor makes from the same
// stream: a model holding data draws the same arrivals as one holding the
// constructor call.
func TestSpecOpensTheConstructorsSource(t *testing.T) {
	until := 20 * time.Minute
	phases := []Phase{{Rate: 5, Dwell: time.Minute}, {Rate: 50, Dwell: 20 * time.Second}}
	spikes := []Spike{{At: 5 * time.Minute, Duration: time.Minute, Multiplier: 4}}
	factors := [7]float64{0.5, 1, 1, 1, 1, 1, 0.5}
	cases := []struct {
		spec Spec
		make func(src rand.Source) (Source, error)
	}{
		{Spec{Kind: KindPoisson, Rate: 30}, func(src rand.Source) (Source, error) { return NewPoisson(30, until, src) }},
		{Spec{Rate: 30}, func(src rand.Source) (Source, error) { return NewPoisson(30, until, src) }},
		{Spec{Kind: KindDiurnal, Rate: 30, Amplitude: 0.7, Period: time.Hour, Peak: 10 * time.Minute},
			func(src rand.Source) (Source, error) {
				return NewDiurnal(30, 0.7, time.Hour, 10*time.Minute, until, src)
			}},
		{Spec{Kind: KindBursty, Phases: phases}, func(src rand.Source) (Source, error) { return NewBursty(phases, until, src) }},
		{Spec{Kind: KindSpikes, Rate: 20, Spikes: spikes}, func(src rand.Source) (Source, error) { return NewSpikes(20, spikes, until, src) }},
		{Spec{Kind: KindWeekly, Rate: 10, Amplitude: 0.3, Peak: 14 * time.Hour, WeekdayFactors: factors, Origin: 38 * time.Hour},
			func(src rand.Source) (Source, error) {
				return NewWeekly(10, 0.3, 14*time.Hour, factors, 38*time.Hour, until, src)
			}},
		{Spec{Kind: KindReplay, Recording: Recording{Path: "testdata/cloudwatch-invocations.json", Loop: true}},
			func(src rand.Source) (Source, error) {
				rp, err := OpenRecording(Recording{Path: "testdata/cloudwatch-invocations.json", Loop: true}, src, until)
				if err != nil {
					return nil, err
				}
				return rp.Rates(), nil
			}},
	}
	for _, c := range cases {
		t.Run(string(c.spec.Kind), func(t *testing.T) {
			got, err := c.spec.Open(rand.NewPCG(7, 8), until)
			if err != nil {
				t.Fatal(err)
			}
			want, err := c.make(rand.NewPCG(7, 8))
			if err != nil {
				t.Fatal(err)
			}
			a, b := drain(t, got), drain(t, want)
			if len(a) == 0 || !slices.Equal(a, b) {
				t.Fatalf("spec drew %d arrivals, the constructor %d (or they differ)", len(a), len(b))
			}
		})
	}
}

// Users split their stream off first and stamp every arrival.
func TestSpecUsers(t *testing.T) {
	s := Spec{Kind: KindPoisson, Rate: 100, Users: 50, UserSkew: 1}
	src, err := s.Open(rand.NewPCG(1, 2), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	got := drain(t, src)
	// The same draws by hand: two words for the user stream, then the arrivals.
	pcg := rand.NewPCG(1, 2)
	users := rand.NewPCG(pcg.Uint64(), pcg.Uint64())
	in, _ := NewPoisson(100, time.Minute, pcg)
	u, _ := NewUsers(in, 50, 1, users)
	want := drain(t, u)
	if len(got) == 0 || !slices.Equal(got, want) {
		t.Fatalf("%d arrivals, want %d (or they differ)", len(got), len(want))
	}
	for _, a := range got {
		if a.User < 1 || a.User > 50 {
			t.Fatalf("user %d out of 1..50", a.User)
		}
	}
}

// The intensity a Spec reports is its rate function, checked against
// closed forms: a diurnal cycle's integral over whole periods is Rate times
// their length, a spike multiplies its window, the stationary bursty mean.
func TestSpecIntensity(t *testing.T) {
	const h = time.Hour
	d := Spec{Kind: KindDiurnal, Rate: 40, Amplitude: 0.5, Period: h, Peak: 15 * time.Minute}
	in, err := d.Intensity(3 * h)
	if err != nil {
		t.Fatal(err)
	}
	if got := in.MeanCount(0, 2*3600); math.Abs(got-40*7200) > 1e-6 {
		t.Errorf("diurnal over two periods: %v, want %v", got, 40*7200)
	}
	if got := in.RateAt(15 * 60); math.Abs(got-60) > 1e-9 {
		t.Errorf("diurnal at its peak: %v, want 60", got)
	}
	sp := Spec{Kind: KindSpikes, Rate: 10, Spikes: []Spike{{At: time.Minute, Duration: time.Minute, Multiplier: 3}}}
	if n, ok := sp.ExpectedCount(10 * time.Minute); !ok || math.Abs(n-(10*600+20*60)) > 1e-9 {
		t.Errorf("spikes: %v %v, want %v", n, ok, 10*600+20*60)
	}
	p := Spec{Kind: KindPoisson, Rate: 7, Users: 3}
	if n, ok := p.ExpectedCount(time.Minute); !ok || n != 420 {
		t.Errorf("poisson with users: %v %v, want 420", n, ok)
	}
	b := Spec{Kind: KindBursty, Phases: []Phase{{Rate: 10, Dwell: 3 * time.Minute}, {Rate: 100, Dwell: time.Minute}}}
	if _, err := b.Intensity(h); !errors.Is(err, ErrNoIntensity) {
		t.Errorf("bursty intensity: %v, want ErrNoIntensity", err)
	}
	if n, ok := b.ExpectedCount(h); !ok || math.Abs(n-(10*3+100)/4.0*3600) > 1e-9 {
		t.Errorf("bursty: %v %v, want %v", n, ok, (10*3+100)/4.0*3600)
	}
	r := Spec{Kind: KindReplay, Recording: Recording{Path: "testdata/requests.csv"}}
	if _, err := r.Intensity(h); !errors.Is(err, ErrNoIntensity) {
		t.Errorf("per-request recording: %v, want ErrNoIntensity", err)
	}
	if _, ok := r.ExpectedCount(h); ok {
		t.Error("per-request recording: an expected count without reading it")
	}
}

func TestSpecCheck(t *testing.T) {
	for _, s := range []Spec{
		{Kind: KindPoisson, Rate: -1},
		{Kind: KindDiurnal, Rate: 1, Amplitude: 2, Period: time.Hour},
		{Kind: KindBursty, Phases: []Phase{{Rate: 1, Dwell: time.Second}}},
		{Kind: "sine", Rate: 1},
		{Kind: KindReplay, Recording: Recording{Path: "testdata/missing.csv"}},
	} {
		if err := s.Check(); err == nil {
			t.Errorf("%+v: no error", s)
		}
	}
	if err := (&Spec{Kind: KindPoisson, Rate: 1, Users: 2}).Check(); err != nil {
		t.Error(err)
	}
}
