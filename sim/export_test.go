package sim

import "time"

// RunBatchedCells is RunBatched with arrival-count cells of width cell on
// the metric buckets' grid instead of one per bucket: where the cells fall
// decides which draws a run takes, never their law, which the tests hold
// to (TestBatchedCellWidthKeepsTheLaw).
func RunBatchedCells(m *Model, s Strategy, cell time.Duration) (*Result, error) {
	pm := *m
	pm.Engine = Batched
	r, err := newRunner(&pm, s)
	if err != nil {
		return nil, err
	}
	r.bat.step = int64(cell)
	return r.run()
}
