package sim

import (
	"runtime"
	"sync"
)

// Compare runs every strategy on the same model and seed: the same arrivals
// and the same per-request dice (common random numbers), so differences
// between results come from the strategies alone. Runs go in parallel;
// results come back in the order of strats, identical whatever GOMAXPROCS.
func Compare(m *Model, strats []Strategy) ([]*Result, error) {
	out := make([]*Result, len(strats))
	errs := make([]error, len(strats))
	workers := min(runtime.GOMAXPROCS(0), len(strats))
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				out[i], errs[i] = Run(m, strats[i])
			}
		}()
	}
	for i := range strats {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
