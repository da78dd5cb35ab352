package awsexec

import (
	"context"
	"time"
)

// Clock is where the executors get time: the wall clock in production, a
// virtual one (internal/awsfake.Clock) in tests.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// Sleep waits for d, or until ctx is done (then it returns ctx's error).
	Sleep(ctx context.Context, d time.Duration) error
	// After returns a channel that receives once d has passed; the executor
	// uses it while waiting for something else too (a hook's result).
	After(d time.Duration) <-chan time.Time
}

// Wall is the real clock.
type Wall struct{}

// Now returns time.Now().
func (Wall) Now() time.Time { return time.Now() }

// Sleep waits for d or for ctx.
func (Wall) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// After is time.After.
func (Wall) After(d time.Duration) <-chan time.Time { return time.After(d) }
