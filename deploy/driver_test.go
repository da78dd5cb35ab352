package deploy

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/shiftsim/shiftsim/strategies"
)

// driverLog is an applier and observer that writes what it sees.
type driverLog struct {
	lines []string
	fail  func(Action) error
}

func (l *driverLog) Apply(a Action) error {
	l.lines = append(l.lines, "apply "+a.String())
	if l.fail != nil {
		return l.fail(a)
	}
	return nil
}

func (l *driverLog) observe(r Record) error {
	l.lines = append(l.lines, "record "+r.String())
	return nil
}

func canaryDriver(t *testing.T, l *driverLog) *Driver {
	t.Helper()
	cfg, err := strategies.Lookup("Canary10Percent5Minutes")
	if err != nil {
		t.Fatal(err)
	}
	d, err := NewDriver(Config{Plan: cfg.Plan(strategies.EndAfterLastInterval), Hooks: []Hook{BeforeAllowTraffic},
		Alarms: []string{"errors"}, AutoRollback: true}, l, l.observe)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestDriver: every step is observed before its actions are carried out, in
// order; an empty Tick is not observed.
func TestDriver(t *testing.T) {
	l := &driverLog{}
	d := canaryDriver(t, l)
	for _, s := range []struct {
		t  time.Duration
		ev Event
	}{
		{0, Event{Kind: Start}},
		{30 * time.Second, Event{Kind: HookResult, Hook: BeforeAllowTraffic, Succeeded: true}},
		{time.Minute, Event{Kind: Tick}},
		{5*time.Minute + 30*time.Second, Event{Kind: Tick}},
	} {
		if err := d.Run(s.t, s.ev); err != nil {
			t.Fatal(err)
		}
	}
	want := `record 0s Start -> InvokeHook BeforeAllowTraffic
apply InvokeHook BeforeAllowTraffic
record 30s HookResult BeforeAllowTraffic Succeeded -> SetWeight 10
apply SetWeight 10
record 5m30s Tick -> SetWeight 100; Finish Succeeded weight=100
apply SetWeight 100
apply Finish Succeeded weight=100`
	if got := strings.Join(l.lines, "\n"); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	if d.Status() != Succeeded {
		t.Fatal(d.Status())
	}
}

// TestDriverStopInsideApply: an action that fails stops the deployment from
// inside Apply; the forward actions queued behind it are dropped, and the
// rollback and finish the stop yields are carried out in the same Drain.
func TestDriverStopInsideApply(t *testing.T) {
	l := &driverLog{}
	d := canaryDriver(t, l)
	errAWS := errors.New("UpdateAlias failed")
	l.fail = func(a Action) error {
		if a.Kind == SetWeight {
			if stopped, err := d.Stop(time.Minute, true); !stopped || err != nil {
				t.Fatalf("Stop: %v %v", stopped, err)
			}
		}
		return nil
	}
	d.Run(0, Event{Kind: Start})
	d.Run(30*time.Second, Event{Kind: HookResult, Hook: BeforeAllowTraffic, Succeeded: true})
	want := `record 0s Start -> InvokeHook BeforeAllowTraffic
apply InvokeHook BeforeAllowTraffic
record 30s HookResult BeforeAllowTraffic Succeeded -> SetWeight 10
apply SetWeight 10
record 1m0s Stop rollback -> Rollback; Finish Stopped MANUAL_STOP manual weight=0
apply Rollback
apply Finish Stopped MANUAL_STOP manual weight=0`
	if got := strings.Join(l.lines, "\n"); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}

	// A failure that ends the drain leaves the rest queued.
	l2 := &driverLog{fail: func(a Action) error {
		if a.Kind == SetWeight {
			return errAWS
		}
		return nil
	}}
	d2 := canaryDriver(t, l2)
	d2.Run(0, Event{Kind: Start})
	d2.Run(30*time.Second, Event{Kind: HookResult, Hook: BeforeAllowTraffic, Succeeded: true})
	if err := d2.Run(6*time.Minute, Event{Kind: AlarmState, Alarm: 0, InAlarm: true}); !errors.Is(err, errAWS) {
		t.Fatal(err)
	}
	// The step at 6m applied the late 100 % and then the alarm: SetWeight 100
	// failed; Rollback and Finish are still queued. Stopping now keeps them.
	if stopped, err := d2.Stop(6*time.Minute, true); stopped || err != nil {
		t.Fatalf("Stop after the end: %v %v", stopped, err)
	}
	var left []string
	for _, a := range d2.Pending() {
		left = append(left, a.String())
	}
	if got := strings.Join(left, "; "); got != "Finish Succeeded weight=100" {
		t.Fatalf("pending %q", got)
	}
}

// TestDriverObserverFails: an action is never carried out unless its step
// was observed (a journal write that fails stops everything).
func TestDriverObserverFails(t *testing.T) {
	l := &driverLog{}
	d := canaryDriver(t, l)
	errDisk := errors.New("disk full")
	d.Use(l, func(Record) error { return errDisk })
	if err := d.Run(0, Event{Kind: Start}); !errors.Is(err, errDisk) || len(l.lines) != 0 || len(d.Pending()) != 0 {
		t.Fatalf("%v %q %v", err, l.lines, d.Pending())
	}
}

// countApplier counts actions: an applier that costs nothing.
type countApplier struct{ n int }

func (c *countApplier) Apply(Action) error { c.n++; return nil }

// TestDriverAllocs: once built, a driver steps and carries out actions
// without allocating (the simulator runs it for every controller event).
func TestDriverAllocs(t *testing.T) {
	cfg, _ := strategies.Lookup("Linear10PercentEvery1Minute")
	ap := &countApplier{}
	var d *Driver
	allocs := testing.AllocsPerRun(20, func() {
		d, _ = NewDriver(Config{Plan: cfg.Plan(strategies.EndAfterLastInterval), Alarms: []string{"errors"}, AutoRollback: true}, ap, nil)
	})
	perRun := testing.AllocsPerRun(20, func() {
		d.ctl.reset()
		d.Run(0, Event{Kind: Start})
		for m := time.Duration(1); m <= 10; m++ {
			d.Run(m*time.Minute, Event{Kind: Tick})
		}
	})
	if perRun != 0 || ap.n == 0 {
		t.Fatalf("a run of %d actions allocates %v times (building the driver: %v)", ap.n, perRun, allocs)
	}
}
