package sim

import (
	"hash/fnv"
	"math/rand/v2"
)

// Stream names: each component draws from its own generator, seeded from the
// scenario seed and the stream's name, so adding a component (or a draw to
// one) never shifts another component's draws.
const (
	streamArrivals = "traffic.arrivals"
	streamRouting  = "alias.routing"
	streamErrors   = "version.errors"
	streamLatency  = "version.latency"
	streamHooks    = "hooks"
	streamInit     = "lambda.init"
	streamFaults   = "faults"
	// streamPollPhase draws a run's poll phase: one draw, apart from every
	// other stream so that a random phase shifts nothing else.
	streamPollPhase = "monitoring.poll_phase"
)

// splitmix64 is Steele, Lea and Flood's 64-bit mixer (SplitMix64 finaliser).
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// streamSeed derives the two PCG seed words of a named stream from seed.
// It is a fixed function (FNV-1a of the name, then SplitMix64), unlike
// hash/maphash, which is seeded anew in every process.
func streamSeed(seed uint64, name string) (uint64, uint64) {
	h := fnv.New64a()
	h.Write([]byte(name))
	k := h.Sum64()
	a := splitmix64(seed ^ k)
	return a, splitmix64(a ^ 0x5851f42d4c957f2d)
}

// NewStream returns the generator of a named stream.
func NewStream(seed uint64, name string) *rand.PCG {
	a, b := streamSeed(seed, name)
	return rand.NewPCG(a, b)
}
