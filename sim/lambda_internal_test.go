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

// The radix heap of busy environments against the binary heap, on the
// pattern it serves (pushes at or after the last pop, pops of everything
// due by a clock that moves forward) and with ties: the same times come out
// in the same order.
func TestTimeQueueAgainstHeap(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var q timeQueue
	var h []int64
	now := int64(0)
	for step := 0; step < 200000; step++ {
		now += rng.Int64N(1000)
		for len(h) > 0 && h[0] <= now {
			if q.n != len(h) || q.min() != h[0] {
				t.Fatalf("step %d: min %d (n %d), heap %d (n %d)", step, q.min(), q.n, h[0], len(h))
			}
			q.pop()
			h = heapPop(h)
		}
		if q.n != len(h) || (q.n > 0 && q.min() <= now) {
			t.Fatalf("step %d: %d queued, heap %d", step, q.n, len(h))
		}
		for range rng.IntN(3) {
			x := now + rng.Int64N(1<<uint(rng.IntN(40)))
			if rng.IntN(10) == 0 {
				x = now // ties with the clock
			}
			q.push(x)
			h = heapPush(h, x)
		}
	}
}
