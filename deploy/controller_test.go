package deploy

import (
	"strings"
	"testing"
	"time"

	"github.com/shiftsim/shiftsim/strategies"
)

func TestEventText(t *testing.T) {
	tests := []struct {
		ev   Event
		text string
	}{
		{Event{Kind: Start}, "Start"},
		{Event{Kind: Tick}, "Tick"},
		{Event{Kind: AlarmState, Alarm: 3, InAlarm: true}, "AlarmState 3 ALARM"},
		{Event{Kind: AlarmState}, "AlarmState 0 OK"},
		{Event{Kind: HookResult, Hook: BeforeAllowTraffic, Succeeded: true}, "HookResult BeforeAllowTraffic Succeeded"},
		{Event{Kind: HookResult, Hook: AfterAllowTraffic}, "HookResult AfterAllowTraffic Failed"},
		{Event{Kind: Stop}, "Stop"},
		{Event{Kind: Stop, Rollback: true}, "Stop rollback"},
	}
	for _, tt := range tests {
		if got := tt.ev.String(); got != tt.text {
			t.Errorf("%#v.String() = %q, want %q", tt.ev, got, tt.text)
		}
		ev, err := ParseEvent(tt.text)
		if err != nil || ev != tt.ev {
			t.Errorf("ParseEvent(%q) = %#v, %v; want %#v", tt.text, ev, err, tt.ev)
		}
	}
	if got := (Event{}).String(); got != "EventKind(0)" {
		t.Errorf("zero Event = %q", got)
	}
	for _, bad := range []string{"", "Begin", "Start now", "AlarmState 1", "AlarmState x ALARM", "AlarmState +1 OK", "AlarmState 01 OK",
		"AlarmState 0 INSUFFICIENT_DATA", "HookResult BeforeAllowTraffic", "HookResult X Pending", "Stop now"} {
		if ev, err := ParseEvent(bad); err == nil {
			t.Errorf("ParseEvent(%q) = %v, want an error", bad, ev)
		}
	}
}

func TestActionText(t *testing.T) {
	tests := []struct {
		a    Action
		text string
	}{
		{Action{Kind: InvokeHook, Hook: AfterAllowTraffic}, "InvokeHook AfterAllowTraffic"},
		{Action{Kind: SetWeight, Percent: 10}, "SetWeight 10"},
		{Action{Kind: Rollback}, "Rollback"},
		{Action{Kind: Finish, Status: Succeeded, Percent: 100}, "Finish Succeeded weight=100"},
		{Action{Kind: Finish, Status: Stopped, ErrorCode: ErrorCodeAlarmActive, Cause: "alarm:Errors", Percent: 30},
			"Finish Stopped ALARM_ACTIVE alarm:Errors weight=30 alias-left-weighted"},
		{Action{Kind: Finish, Status: Failed, ErrorCode: ErrorCodeHookExecutionFailure, Cause: "hook:BeforeAllowTraffic"},
			"Finish Failed HOOK_EXECUTION_FAILURE hook:BeforeAllowTraffic weight=0"},
		{Action{}, "ActionKind(0)"},
	}
	for _, tt := range tests {
		if got := tt.a.String(); got != tt.text {
			t.Errorf("%#v.String() = %q, want %q", tt.a, got, tt.text)
		}
	}
}

func TestNewCopiesConfig(t *testing.T) {
	cfg := Config{
		Plan:   strategies.Plan{Steps: []strategies.Step{{At: 0, Percent: 10}, {At: time.Minute, Percent: 100}}, End: time.Minute},
		Hooks:  []Hook{BeforeAllowTraffic},
		Alarms: []string{"Errors"},
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Plan.Steps[0].Percent = 99
	cfg.Hooks[0] = "x"
	cfg.Alarms[0] = "changed"
	acts := c.Step(0, Event{Kind: Start})
	if len(acts) != 1 || acts[0].String() != "InvokeHook BeforeAllowTraffic" {
		t.Fatalf("Start: %v", acts)
	}
	acts = c.Step(time.Second, Event{Kind: HookResult, Hook: BeforeAllowTraffic, Succeeded: true})
	if len(acts) != 1 || acts[0].Percent != 10 {
		t.Errorf("after the hook: %v, want SetWeight 10", acts)
	}
	acts = c.Step(2*time.Second, Event{Kind: AlarmState, InAlarm: true})
	if got := acts[len(acts)-1].Cause; got != "alarm:Errors" {
		t.Errorf("cause %q, want alarm:Errors", got)
	}
}

func TestLifecycleIsACopy(t *testing.T) {
	c, _ := New(Config{Plan: strategies.Plan{Steps: []strategies.Step{{At: 0, Percent: 100}}}})
	l := c.Lifecycle()
	l[0].Status = LifecycleFailed
	if c.Lifecycle()[0].Status != LifecyclePending {
		t.Error("Lifecycle() exposes the controller's storage")
	}
}

// script is a whole Linear10PercentEvery1Minute deployment with both hooks and
// two alarms polled every 10 s, as the simulator would drive it: the steady
// state the benchmark and the allocation test measure.
type script struct {
	c       *Controller
	now     time.Duration
	polls   int
	pending bool // a hook is running and reports at hookAt
	hookAt  time.Duration
	hook    Hook
}

func newScript(tb testing.TB) *script {
	p, _ := strategies.Lookup("Linear10PercentEvery1Minute")
	c, err := New(Config{
		Plan:         p.Plan(strategies.EndAfterLastInterval),
		Hooks:        []Hook{BeforeAllowTraffic, AfterAllowTraffic},
		Alarms:       []string{"Errors", "Latency"},
		AutoRollback: true,
	})
	if err != nil {
		tb.Fatal(err)
	}
	return &script{c: c}
}

// next delivers the next event of the script; a finished deployment restarts.
func (s *script) next() []Action {
	c := s.c
	if c.Status().Terminal() {
		c.reset()
		s.now, s.polls, s.pending = 0, 0, false
	}
	if c.Status() == Created {
		return s.act(c.Step(s.now, Event{Kind: Start}))
	}
	// The earliest of: the controller's deadline, the hook's report, the next poll.
	at, ok := c.Deadline()
	poll := time.Duration(s.polls+1) * 10 * time.Second
	switch {
	case s.pending && s.hookAt <= poll && (!ok || s.hookAt < at):
		s.now, s.pending = s.hookAt, false
		return s.act(c.Step(s.now, Event{Kind: HookResult, Hook: s.hook, Succeeded: true}))
	case ok && at <= poll:
		s.now = at
		return s.act(c.Step(s.now, Event{Kind: Tick}))
	default:
		s.now = poll
		s.polls++
		return s.act(c.Step(s.now, Event{Kind: AlarmState, Alarm: s.polls % 2}))
	}
}

func (s *script) act(acts []Action) []Action {
	for _, a := range acts {
		if a.Kind == InvokeHook {
			s.pending, s.hookAt, s.hook = true, s.now+25*time.Second, a.Hook
		}
	}
	return acts
}

func TestScriptSucceeds(t *testing.T) {
	s := newScript(t)
	var last Action
	for i := 0; i < 1000 && !s.c.Status().Terminal(); i++ {
		for _, a := range s.next() {
			last = a
		}
	}
	// Hook 25 s, 10 m of shifting, hook 25 s.
	if got := last.String(); got != "Finish Succeeded weight=100" || s.now != 10*time.Minute+50*time.Second {
		t.Errorf("last action %q at %v, want Finish Succeeded at 10m50s", got, s.now)
	}
}

func TestStepDoesNotAllocate(t *testing.T) {
	s := newScript(t)
	if n := testing.AllocsPerRun(10000, func() { s.next() }); n != 0 {
		t.Errorf("Step allocates %v times per call, want 0", n)
	}
}

func BenchmarkStep(b *testing.B) {
	s := newScript(b)
	b.ReportAllocs()
	for b.Loop() {
		s.next()
	}
}

func TestStatusTerminal(t *testing.T) {
	for s, want := range map[Status]bool{Created: false, InProgress: false, Succeeded: true, Failed: true, Stopped: true} {
		if s.Terminal() != want {
			t.Errorf("%s.Terminal() = %v", s, !want)
		}
	}
}

func TestKindStrings(t *testing.T) {
	var names []string
	for k := Start; k <= Stop; k++ {
		names = append(names, k.String())
	}
	for k := InvokeHook; k <= Finish; k++ {
		names = append(names, k.String())
	}
	if got := strings.Join(names, " "); got != "Start Tick AlarmState HookResult Stop InvokeHook SetWeight Rollback Finish" {
		t.Errorf("kind names: %s", got)
	}
}
