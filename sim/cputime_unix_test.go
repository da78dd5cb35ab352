//go:build unix

package sim_test

import "syscall"

// cpuSeconds is the CPU time (user + system, every thread, the garbage
// collector's included) the process has used so far: what req/CPU-s
// divides by, so that a figure measured on a shared machine counts the
// work done, not the time spent waiting for a core.
func cpuSeconds() (float64, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9, true
}
