//go:build !unix

package sim_test

// cpuSeconds is not measured here: benchmarks report no per-CPU-second figure.
func cpuSeconds() (float64, bool) { return 0, false }
