package sim

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// The 4-ary heap against sorting: every pop yields the minimum.
func TestHeapAgainstSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var h []int64
	var ref []int64
	for step := 0; step < 20000; step++ {
		if len(h) == 0 || rng.IntN(3) > 0 {
			x := rng.Int64N(1000)
			h = heapPush(h, x)
			ref = append(ref, x)
			continue
		}
		slices.Sort(ref)
		if h[0] != ref[0] {
			t.Fatalf("step %d: top %d, want %d", step, h[0], ref[0])
		}
		h = heapPop(h)
		ref = ref[1:]
	}
}
