package awsfake

import (
	"context"
	"sort"
	"sync"
	"time"
)

// Clock is a virtual clock shared by the fake services and the code under
// test. Time moves only when someone moves it: Advance, Sleep (which advances
// at once, so a loop that sleeps runs in no real time) or a fake Lambda hook
// function that "runs" for a while. After registers a waiter that fires when
// time reaches it, so code that waits for something else with a deadline
// (a hook result, say) sees the deadline only if time really gets there.
type Clock struct {
	mu      sync.Mutex
	now     time.Time
	waiters []waiter
}

type waiter struct {
	at time.Time
	ch chan time.Time
}

// Epoch is where NewClock(time.Time{}) starts: a fixed, whole-second instant,
// so that every run of a test sees the same times.
var Epoch = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// NewClock returns a clock at start, or at Epoch if start is zero.
func NewClock(start time.Time) *Clock {
	if start.IsZero() {
		start = Epoch
	}
	return &Clock{now: start}
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves time forward by d (nothing happens for d <= 0) and fires the
// waiters that are due, earliest first.
func (c *Clock) Advance(d time.Duration) {
	if d <= 0 {
		return
	}
	c.mu.Lock()
	c.now = c.now.Add(d)
	due := c.dueLocked()
	now := c.now
	c.mu.Unlock()
	for _, w := range due {
		w.ch <- now
	}
}

// AdvanceTo moves time forward to t if t is later than now.
func (c *Clock) AdvanceTo(t time.Time) {
	c.Advance(t.Sub(c.Now()))
}

func (c *Clock) dueLocked() []waiter {
	sort.SliceStable(c.waiters, func(i, j int) bool { return c.waiters[i].at.Before(c.waiters[j].at) })
	n := 0
	for n < len(c.waiters) && !c.waiters[n].at.After(c.now) {
		n++
	}
	due := append([]waiter(nil), c.waiters[:n]...)
	c.waiters = append(c.waiters[:0], c.waiters[n:]...)
	return due
}

// Sleep advances the clock by d at once, unless ctx is already done, in which
// case it returns ctx's error without moving time.
func (c *Clock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.Advance(d)
	return nil
}

// After returns a channel that receives the time once the clock reaches
// now+d; it is ready at once for d <= 0. The clock does not move by itself.
func (c *Clock) After(d time.Duration) <-chan time.Time {
	ch := make(chan time.Time, 1)
	c.mu.Lock()
	defer c.mu.Unlock()
	if d <= 0 {
		ch <- c.now
		return ch
	}
	c.waiters = append(c.waiters, waiter{at: c.now.Add(d), ch: ch})
	return ch
}
