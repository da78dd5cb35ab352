package deploy

import (
	"strings"
	"testing"
	"time"

	"github.com/shiftsim/shiftsim/strategies"
)

// fuzzRun decodes data into a configuration and an event sequence, runs it,
// and returns the timeline in canonical text. The first bytes choose the
// config; then every 3 bytes are one event: kind, time advance, argument.
func fuzzRun(t *testing.T, data []byte) string {
	byteAt := func(i int) byte {
		if i < len(data) {
			return data[i]
		}
		return 0
	}
	pre := strategies.Predefined()
	sc := pre[int(byteAt(0))%len(pre)]
	model := strategies.LinearModel(byteAt(1) & 1)
	plan := sc.Plan(model)
	cfg := Config{Plan: plan, AutoRollback: byteAt(1)&2 != 0}
	if byteAt(1)&4 != 0 {
		cfg.Hooks = append(cfg.Hooks, AfterAllowTraffic)
	}
	if byteAt(1)&8 != 0 {
		cfg.Hooks = append(cfg.Hooks, BeforeAllowTraffic)
	}
	if byteAt(1)&16 != 0 {
		cfg.HookTimeout = time.Duration(byteAt(2)) * time.Second
	}
	for i := 0; i < int(byteAt(1)>>5)%4; i++ {
		cfg.Alarms = append(cfg.Alarms, string(rune('A'+i)))
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New(%+v): %v", cfg, err)
	}

	var (
		tl       strings.Builder
		now      time.Duration
		weight   float64
		finishes int
		invoked  = map[Hook]int{}
		finish   Action
	)
	for i := 3; i+2 < len(data); i += 3 {
		kind, adv, arg := data[i], data[i+1], data[i+2]
		// Time mostly moves forward by up to ~64 min, sometimes back (clamped).
		if adv == 255 {
			now -= time.Minute
		} else {
			now += time.Duration(adv) * 15 * time.Second
		}
		var ev Event
		switch kind % 6 {
		case 0:
			ev = Event{Kind: Start}
		case 1:
			ev = Event{Kind: Tick}
		case 2:
			ev = Event{Kind: AlarmState, Alarm: int(arg%5) - 1, InAlarm: arg&8 != 0 && arg&16 != 0}
		case 3:
			h := BeforeAllowTraffic
			if arg&1 != 0 {
				h = AfterAllowTraffic
			}
			ev = Event{Kind: HookResult, Hook: h, Succeeded: arg&2 != 0}
		case 4:
			ev = Event{Kind: Stop, Rollback: arg&1 != 0}
		case 5: // jump to the deadline, as a simulator would
			if at, ok := c.Deadline(); ok && at > now {
				now = at
			}
			ev = Event{Kind: Tick}
		}
		if back, err := ParseEvent(ev.String()); err != nil || back != ev {
			t.Fatalf("event %#v does not round-trip: %v, %v", ev, back, err)
		}
		wasTerminal := c.Status().Terminal()
		acts := c.Step(now, ev)
		if wasTerminal && len(acts) > 0 {
			t.Fatalf("%v after Finish returned %v", ev, acts)
		}
		for j, a := range acts {
			tl.WriteString(now.String() + " " + ev.String() + " -> " + a.String() + "\n")
			switch a.Kind {
			case SetWeight:
				if a.Percent < weight || a.Percent < 1 || a.Percent > 100 {
					t.Fatalf("SetWeight %v after %v\n%s", a.Percent, weight, tl.String())
				}
				weight = a.Percent
			case Rollback:
				weight = 0
			case InvokeHook:
				invoked[a.Hook]++
				if invoked[a.Hook] > 1 {
					t.Fatalf("%s invoked twice\n%s", a.Hook, tl.String())
				}
			case Finish:
				finishes++
				finish = a
				if j != len(acts)-1 {
					t.Fatalf("Finish is not the last action: %v", acts)
				}
				if a.Percent != weight || a.Status != c.Status() {
					t.Fatalf("Finish %v but weight %v, status %s", a, weight, c.Status())
				}
			default:
				t.Fatalf("unknown action %v", a)
			}
		}
		checkState(t, c, plan, weight, finishes, tl.String())
	}
	if finishes == 1 && finish.Status == Succeeded && weight != 100 {
		t.Fatalf("Succeeded with weight %v", weight)
	}
	return tl.String()
}

// checkState checks the invariants that hold after every Step.
func checkState(t *testing.T, c *Controller, plan strategies.Plan, weight float64, finishes int, tl string) {
	t.Helper()
	st := c.Status()
	if st.Terminal() != (finishes == 1) || finishes > 1 {
		t.Fatalf("status %s after %d Finish actions\n%s", st, finishes, tl)
	}
	at, ok := c.Deadline()
	if ok != (st == InProgress) {
		t.Fatalf("Deadline ok=%v in status %s", ok, st)
	}
	if ok && at <= c.now {
		t.Fatalf("Deadline %v is not after now %v: something due was not applied\n%s", at, c.now, tl)
	}
	life := c.Lifecycle()
	running := 0
	for _, e := range life {
		switch e.Status {
		case LifecycleInProgress:
			running++
			if e.Start > c.now {
				t.Fatalf("%v started in the future", e)
			}
		case LifecycleSucceeded, LifecycleFailed:
			if e.End < e.Start {
				t.Fatalf("%v ends before it starts", e)
			}
		}
	}
	if (st == InProgress) != (running == 1) || running > 1 {
		t.Fatalf("status %s with %d lifecycle events in progress: %v", st, running, life)
	}
	// The slow twin: while shifting, the weight is the plan's at the elapsed time.
	if allow := life[lcAllow]; allow.Status == LifecycleInProgress {
		if want := plan.PercentAt(c.now - allow.Start); weight != want {
			t.Fatalf("weight %v at %v into AllowTraffic, plan says %v\n%s", weight, c.now-allow.Start, want, tl)
		}
	}
	if life[lcAllow].Status == LifecycleSucceeded && !st.Terminal() && weight != 100 {
		t.Fatalf("AllowTraffic done with weight %v", weight)
	}
}

// FuzzStep feeds random event sequences and checks the invariants: no panic;
// the weight never decreases except by Rollback and always matches the plan
// while shifting; at most one Finish, last in its Step, and Status terminal
// exactly after it; nothing after Finish; Deadline strictly in the future;
// each hook invoked at most once; and a replay gives the same timeline.
func FuzzStep(f *testing.F) {
	f.Add([]byte{0, 0x2e, 0, 0, 0, 0, 5, 0, 0, 5, 0, 0})
	f.Add([]byte{4, 0x4f, 0, 2, 0, 25, 0, 1, 0, 5, 0, 0, 2, 4, 25, 5, 0, 0})
	f.Add([]byte{7, 0x0c, 0, 0, 0, 0, 3, 2, 2, 5, 0, 0, 1, 200, 0, 3, 4, 3})
	f.Add([]byte{8, 0xfe, 10, 2, 0, 25, 0, 0, 0, 5, 0, 0, 4, 1, 1})
	f.Add([]byte{5, 0x01, 0, 0, 0, 0, 1, 255, 0, 1, 20, 0, 5, 0, 0, 5, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		first := fuzzRun(t, data)
		if again := fuzzRun(t, data); again != first {
			t.Fatalf("replay differs:\n%s\nvs\n%s", first, again)
		}
	})
}
