package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/shiftsim/shiftsim/internal/limits"
	"github.com/shiftsim/shiftsim/internal/safeio"
	"github.com/shiftsim/shiftsim/sim"
)

// onWork is called when a command starts simulating, its estimate within
// bounds. The hostile-input test replaces it to prove that every input it
// refuses is refused before any work starts.
var onWork = func() {}

// job is some runs of some strategies on one model; with twin, every run
// is also run on the model's healthy twin (sweep.Run does, for the false
// rollback probability), which doubles the work.
type job struct {
	model      *sim.Model
	strategies int
	runs       int
	twin       bool
}

// estimate is the expected cost of a command's jobs.
type estimate struct {
	requests float64 // over every run
	cpu      time.Duration
	memory   float64 // bytes at the peak
	engine   sim.Engine
	perRun   sim.Work // of the costliest model
}

// estimateJobs adds up jobs run one after the other, each on every core.
func estimateJobs(jobs []job) estimate {
	var e estimate
	workers := float64(runtime.GOMAXPROCS(0))
	for _, j := range jobs {
		w := sim.Estimate(j.model)
		n := float64(j.strategies) * float64(j.runs)
		if j.twin {
			n *= 2
		}
		e.requests += w.Requests * n
		e.cpu += time.Duration(min(float64(w.CPU)*n, float64(1<<62)))
		// The runs in flight, one full result kept per strategy, and the
		// reduced outcome of every run (a few hundred bytes).
		mem := min(workers, n)*w.Memory + float64(j.strategies)*w.Result + n*512
		if mem > e.memory {
			e.memory, e.engine, e.perRun = mem, w.Engine, w
		}
		if e.cpu < 0 {
			e.cpu = 1 << 62
		}
	}
	return e
}

func (e estimate) String() string {
	return fmt.Sprintf("%s requests, %s of CPU, %s of memory (%s engine)",
		strconv.FormatFloat(e.requests, 'g', 3, 64), roughly(e.cpu), limits.FormatBytes(e.memory), e.engine)
}

// roughly writes an estimated duration to the precision it has.
func roughly(d time.Duration) string {
	switch {
	case d >= time.Hour:
		d = d.Round(time.Minute)
	case d >= time.Minute:
		d = d.Round(time.Second)
	default:
		d = d.Round(time.Millisecond)
	}
	return limits.FormatDuration(d)
}

// startWork checks the estimate of jobs against the bounds on a command's
// cost (docs/limits.md) and, when within them, lets the work start; beyond
// them it refuses with the estimate and how to shrink it (exit 2), instead
// of running out of memory or computing for hours.
func startWork(file string, jobs ...job) error {
	e := estimateJobs(jobs)
	maxCPU, maxMem, err := workLimits(os.Getenv)
	if err != nil {
		return err
	}
	if float64(e.cpu) > maxCPU || e.memory > maxMem {
		runs, strategies := 0, 0
		for _, j := range jobs {
			runs = max(runs, j.runs)
			strategies = max(strategies, j.strategies)
		}
		hint := "a shorter horizon, a lower traffic rate or fewer strategies"
		if runs > 1 {
			hint = "fewer --runs, " + hint
		}
		if e.engine == sim.PerRequest {
			hint += "; the batched engine (--engine batched or auto) simulates counts, not requests, where the model allows"
		}
		return inputErrf("%s: estimate: this would take %s (%d strategies × %d runs, %s requests per run): above the limit of %s of CPU and %s of memory (docs/limits.md); shrink it: %s; or raise the limits with %s and %s",
			file, e, strategies, runs, strconv.FormatFloat(e.perRun.Requests, 'g', 3, 64),
			limits.FormatDuration(time.Duration(maxCPU)), limits.FormatBytes(maxMem), hint, envMaxCPU, envMaxMemory)
	}
	onWork()
	return nil
}

// The environment variables that raise (or lower) the cost limits, for a
// study that is meant to be big: SHIFTSIM_MAX_CPU=3h, SHIFTSIM_MAX_MEMORY=16GiB.
const (
	envMaxCPU    = "SHIFTSIM_MAX_CPU"
	envMaxMemory = "SHIFTSIM_MAX_MEMORY"
)

// workLimits returns the CPU (ns) and memory (bytes) a command may use:
// the bounds table's, or the environment's when set (parsed strictly).
func workLimits(getenv func(string) string) (cpu, mem float64, err error) {
	cpu, mem = limits.Of("estimate.cpu").Max, limits.Of("estimate.memory").Max
	if v := getenv(envMaxCPU); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return 0, 0, inputErrf("%s=%s: want a positive duration such as 3h", envMaxCPU, safeio.Clip(v))
		}
		cpu = float64(d)
	}
	if v := getenv(envMaxMemory); v != "" {
		n, ok := parseBytes(v)
		if !ok {
			return 0, 0, inputErrf("%s=%s: want a size such as 16GiB or 512MiB", envMaxMemory, safeio.Clip(v))
		}
		mem = n
	}
	return cpu, mem, nil
}

// parseBytes reads 16GiB, 512MiB, 64KiB or a plain count of bytes.
func parseBytes(s string) (float64, bool) {
	mult := 1.0
	for _, u := range []struct {
		suffix string
		mult   float64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if rest, ok := strings.CutSuffix(s, u.suffix); ok {
			s, mult = rest, u.mult
			break
		}
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n == 0 || float64(n)*mult > 1<<50 {
		return 0, false
	}
	return float64(n) * mult, true
}
