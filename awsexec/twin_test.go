package awsexec_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shiftsim/shiftsim/analysis"
	"github.com/shiftsim/shiftsim/awsexec"
	"github.com/shiftsim/shiftsim/deploy"
	"github.com/shiftsim/shiftsim/gate"
	"github.com/shiftsim/shiftsim/internal/awsfake"
	"github.com/shiftsim/shiftsim/scenario"
	"github.com/shiftsim/shiftsim/sim"
	"github.com/shiftsim/shiftsim/strategies"
)

const twinScenario = `name: twin
seed: 3
function: {name: orders, alias: live}
traffic: {rate: 20}
versions:
  current: {version: "1", error_rate: 0.001, latency: {median: 50ms, p99: 200ms}}
  target: {version: "2", error_rate: 0.001}
alarms:
  - AlarmName: orders-errors
    MetricName: Errors
    Namespace: AWS/Lambda
    Dimensions: [{Name: Resource, Value: "orders:live"}, {Name: ExecutedVersion, Value: "2"}]
    Statistic: Sum
    Period: 60
    EvaluationPeriods: 3
    Threshold: 50
    ComparisonOperator: GreaterThanOrEqualToThreshold
    TreatMissingData: notBreaching
hooks:
  BeforeAllowTraffic: {duration: 40s, catch_probability: 0.9}
  AfterAllowTraffic: {duration: 15s, catch_probability: 0.9}
deployment:
  start: 3m
  strategies: [Linear10PercentEvery2Minutes, Canary10Percent5Minutes, AllAtOnce, AppConfig.Canary10Percent20Minutes,
    {DeploymentStrategy: {Name: Exp12.5, GrowthType: EXPONENTIAL, GrowthFactor: 12.5, DeploymentDurationInMinutes: 8, FinalBakeTimeInMinutes: 3}},
    {name: ecs-linear, deploymentConfiguration: {strategy: LINEAR, linearConfiguration: {stepPercent: 12.5, stepBakeTimeInMinutes: 1}, bakeTimeInMinutes: 2}},
    {name: ecs-bluegreen, deploymentConfiguration: {strategy: BLUE_GREEN, bakeTimeInMinutes: 2}, testTrafficTimeInMinutes: 3}]
`

// TestControllerTwin runs the same healthy deployment through the simulator
// and through the alias executor against the fake (hooks taking the time the
// scenario says): the same controller must make the same weight changes at
// the same times from the deployment's start, with the same words — and
// the deployment's start and end and its hooks read the same too.
func TestControllerTwin(t *testing.T) {
	s, err := scenario.Parse("twin.yaml", []byte(twinScenario))
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range s.Strategies {
		t.Run(st.Name, func(t *testing.T) {
			res, err := sim.Run(&s.Model, st)
			if err != nil {
				t.Fatal(err)
			}
			want := simTwinLines(res)
			if len(want) == 0 {
				t.Fatal("the simulator changed no weight")
			}
			if st.Name == "Exp12.5" && !strings.Contains(strings.Join(want, "\n"), "version 2 weight 12.5%") {
				t.Fatalf("no fractional weight step:\n%s", strings.Join(want, "\n"))
			}
			e := newEnv(t, 1)
			e.fake.SetHook("pre", awsfake.Hook{Duration: 40 * time.Second})
			e.fake.SetHook("post", awsfake.Hook{Duration: 15 * time.Second})
			p := twinPlan(s, st)
			out, err := e.deploy(context.Background(), p, e.opts())
			if err != nil {
				t.Fatal(err)
			}
			got := execTwinLines(e.log)
			if !slices.Equal(got, want) || string(out.Status) != string(res.Status) {
				t.Fatalf("executor (%s)\n%s\nsimulator (%s)\n%s", out.Status, strings.Join(got, "\n"), res.Status, strings.Join(want, "\n"))
			}
		})
	}
}

// twinKinds are the records both timelines write with the same sentence
// (deploy.StartText, WeightText, RollbackText, HookInvokeText,
// HookReportText, EndText). Alarm changes are left out: CloudWatch's reason
// is the fake's, not the simulator's evaluator's.
var twinKinds = map[sim.EntryKind]bool{sim.KindDeployment: true, sim.KindWeight: true, sim.KindRollback: true, sim.KindHook: true}

// simTwinLines are the simulator's records the executor writes too, timed
// from the deployment's start: an invoked hook's sentence without what only
// the simulator knows (how long it runs). The executor makes no UpdateAlias
// for a rollback before any shift (the alias is still on the current
// version: it notes so), and writes nothing after the deployment's end (a
// hook that reports after its timeout is no longer waited for).
func simTwinLines(res *sim.Result) []string {
	var out []string
	shifted := false
	for _, e := range res.Timeline {
		if !twinKinds[e.Kind] || (e.Kind == sim.KindRollback && !shifted) {
			continue
		}
		text := e.Text()
		if e.Kind == sim.KindHook && e.Invoked {
			text = deploy.HookInvokeText(deploy.Hook(e.Subject))
		}
		shifted = shifted || e.Kind == sim.KindWeight
		out = append(out, fmt.Sprintf("%v %s", e.At-res.DeploymentStart, text))
		if e.Kind == sim.KindDeployment && e.Subject != string(deploy.InProgress) && !e.UserStop {
			break
		}
	}
	return out
}

// execTwinLines are the executor's records of twinKinds, timed from the
// deployment's start.
func execTwinLines(log []awsexec.Entry) []string {
	var out []string
	for _, en := range log {
		if twinKinds[sim.EntryKind(en.Kind)] {
			out = append(out, fmt.Sprintf("%v %s", en.T, en.Text))
		}
	}
	return out
}

// twinPaths are the twin scenario's off-nominal variants: each replaces the
// versions and hooks of twinScenario.
var twinPaths = []struct {
	name, strategy   string
	versions, hooks  string
	pre              awsfake.Hook // the fake's BeforeAllowTraffic hook
	wantStatus, want string       // the simulator's outcome, and a step it must take
}{
	{"healthy", "Canary10Percent5Minutes",
		`{current: {version: "1", error_rate: 0.001, latency: {median: 50ms, p99: 200ms}}, target: {version: "2", error_rate: 0.001}}`,
		`{BeforeAllowTraffic: {duration: 40s, catch_probability: 0.9}, AfterAllowTraffic: {duration: 15s, catch_probability: 0.9}}`,
		awsfake.Hook{Duration: 40 * time.Second}, "Succeeded", "Finish Succeeded"},
	// The target fails 90 % of its requests, the hooks catch nothing: the
	// alarm stops the deployment in the middle of the shift.
	{"alarm stop", "Linear10PercentEvery2Minutes",
		`{current: {version: "1", error_rate: 0.001, latency: {median: 50ms, p99: 200ms}}, target: {version: "2", error_rate: 0.9}}`,
		`{BeforeAllowTraffic: {duration: 40s, catch_probability: 0}, AfterAllowTraffic: {duration: 15s, catch_probability: 0}}`,
		awsfake.Hook{Duration: 40 * time.Second}, "Stopped", "Rollback; Finish Stopped ALARM_ACTIVE alarm:orders-errors"},
	// The same alarm stops an AppConfig plan (no hooks) in the middle of
	// its exponential growth.
	{"appconfig alarm stop", "AppConfig.Canary10Percent20Minutes",
		`{current: {version: "1", error_rate: 0.001, latency: {median: 50ms, p99: 200ms}}, target: {version: "2", error_rate: 0.9}}`,
		`{BeforeAllowTraffic: {duration: 40s, catch_probability: 0}, AfterAllowTraffic: {duration: 15s, catch_probability: 0}}`,
		awsfake.Hook{Duration: 40 * time.Second}, "Stopped", "Rollback; Finish Stopped ALARM_ACTIVE alarm:orders-errors"},
	// The BeforeAllowTraffic hook catches the faulty target: Failed, before
	// any shift.
	{"hook failure", "Canary10Percent5Minutes",
		`{current: {version: "1", error_rate: 0.001, latency: {median: 50ms, p99: 200ms}}, target: {version: "2", error_rate: 0.5}}`,
		`{BeforeAllowTraffic: {duration: 40s, catch_probability: 1}, AfterAllowTraffic: {duration: 15s, catch_probability: 1}}`,
		awsfake.Hook{Duration: 40 * time.Second, Result: awsfake.HookFails}, "Failed", "Finish Failed HOOK_EXECUTION_FAILURE hook:BeforeAllowTraffic"},
	// The BeforeAllowTraffic hook runs CodeDeploy's whole hour: it times out
	// (a result that arrives at the deadline is too late).
	{"hook timeout", "Canary10Percent5Minutes",
		`{current: {version: "1", error_rate: 0.001, latency: {median: 50ms, p99: 200ms}}, target: {version: "2", error_rate: 0.001}}`,
		`{BeforeAllowTraffic: {duration: 1h, catch_probability: 0.9}, AfterAllowTraffic: {duration: 15s, catch_probability: 0.9}}`,
		awsfake.Hook{Duration: time.Hour}, "Failed", "1h0m0s Rollback; Finish Failed HOOK_EXECUTION_FAILURE hook:BeforeAllowTraffic"},
}

// TestControllerTwinPaths holds the alias executor (against the fake) to the
// simulator on the paths that end early, step by step: every controller step
// that yielded actions — its time from the deployment's start and its
// actions — must be the same in the executor's journal and in the
// simulator's Result.Steps. The alarm is set to fire in the fake when the
// simulator's poll saw it fire, and the executor polls at that instant.
// (The manual stop's twin is TestControllerTwinManualStop; the gates' is
// TestControllerTwinGates.)
func TestControllerTwinPaths(t *testing.T) {
	for _, tc := range twinPaths {
		t.Run(tc.name, func(t *testing.T) {
			src := twinScenario[:strings.Index(twinScenario, "versions:")] + "horizon: 2h\nversions: " + tc.versions + "\n" +
				twinScenario[strings.Index(twinScenario, "alarms:"):strings.Index(twinScenario, "hooks:")] + "hooks: " + tc.hooks + "\n" +
				twinScenario[strings.Index(twinScenario, "deployment:"):]
			src = strings.Replace(src, `Dimensions: [{Name: Resource`, `Dimensions: [{Name: FunctionName, Value: orders}, {Name: Resource`, 1)
			s, err := scenario.Parse("twin.yaml", []byte(src))
			if err != nil {
				t.Fatal(err)
			}
			var st sim.Strategy
			for _, x := range s.Strategies {
				if x.Name == tc.strategy {
					st = x
				}
			}
			res, err := sim.Run(&s.Model, st)
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			alarmAt := time.Duration(0)
			for _, r := range res.Steps {
				want = append(want, stepLine(r.T-res.DeploymentStart, r.Actions))
				if r.Event.Kind == deploy.AlarmState && r.Event.InAlarm {
					alarmAt = r.T - res.DeploymentStart
				}
			}
			if string(res.Status) != tc.wantStatus || !strings.Contains(strings.Join(want, "\n"), tc.want) {
				t.Fatalf("the simulator ends %s, want %s with %q:\n%s", res.Status, tc.wantStatus, tc.want, strings.Join(want, "\n"))
			}

			e := newEnv(t, 1)
			e.fake.SetHook("pre", tc.pre)
			e.fake.SetHook("post", awsfake.Hook{Duration: 15 * time.Second})
			o := e.opts()
			if alarmAt > 0 {
				e.fake.SetAlarmAt("orders-errors", awsfake.Epoch.Add(alarmAt), awsfake.ALARM)
				o.AlarmPoll = alarmAt // the executor's second poll is the simulator's that saw ALARM
			}
			p := twinPlan(s, st)
			out, err := e.deploy(context.Background(), p, o)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, l := range strings.Split(strings.TrimSpace(e.journalText()), "\n") {
				var r awsexec.Record
				if err := json.Unmarshal([]byte(l), &r); err != nil {
					t.Fatal(err)
				}
				if r.Type == awsexec.RecStep && len(r.Actions) > 0 {
					d, _ := time.ParseDuration(r.T)
					got = append(got, fmt.Sprintf("%v %s", d, strings.Join(r.Actions, "; ")))
				}
			}
			if !slices.Equal(got, want) || string(out.Status) != string(res.Status) {
				t.Fatalf("executor (%s)\n%s\nsimulator (%s)\n%s", out.Status, strings.Join(got, "\n"), res.Status, strings.Join(want, "\n"))
			}
			// The same steps in the same words.
			if wantText, gotText := simTwinLines(res), execTwinLines(e.log); !slices.Equal(gotText, wantText) {
				t.Fatalf("executor's timeline\n%s\nsimulator's\n%s", strings.Join(gotText, "\n"), strings.Join(wantText, "\n"))
			}
		})
	}
}

func stepLine(t time.Duration, acts []deploy.Action) string {
	s := make([]string, len(acts))
	for i, a := range acts {
		s[i] = a.String()
	}
	return fmt.Sprintf("%v %s", t, strings.Join(s, "; "))
}

// twinPlan is the alias executor's plan for a strategy of a twin scenario,
// made as deploy makes it: scenario.DeploySpec, then awsexec.NewPlan (the
// fake's hook functions "pre" and "post" given as flags would be; a plan
// without lifecycle hooks, AppConfig's, runs none).
func twinPlan(s *scenario.Scenario, st sim.Strategy) awsexec.Plan {
	spec, _, err := s.DeploySpec(st, "pre", "post")
	if err != nil {
		panic(err)
	}
	p, _, err := awsexec.NewPlan(spec, awsexec.Overrides{Executor: awsexec.ExecAlias})
	if err != nil {
		panic(err)
	}
	return p
}

// gateScenario is a deployment whose target fails 6 % of its requests, no
// alarms, no hooks: only the gates of the Argo plans below can stop it. The
// CloudWatch minute is pinned to the deployment's start (poll_phase 0s), as
// the fake's clock starts on a whole minute.
const gateScenario = `name: twin-gates
seed: 5
function: {name: orders, alias: live}
traffic: {rate: 50}
horizon: 1h
monitoring: {poll_phase: 0s, metric_delay: 1m}
versions:
  current: {version: "1", error_rate: 0.005, latency: {median: 50ms, p99: 200ms}}
  target: {version: "2", error_rate: TARGET_ERRORS}
deployment:
  start: 3m
  strategies: [AllAtOnce]
`

// argoCanary is an Argo Rollouts canary: 20 %, a 2-minute pause, an
// analysis whose error-rate metric (the target's, over 2 minutes) is
// measured 3 times a minute apart and must stay under 5 %, then 50 %, a
// 2-minute pause, and the promotion to 100 %. A background analysis from
// the second step measures the alias's success rate (both versions, held
// to successCondition) every 2 minutes after an initial delay of 3 (before,
// nothing is published).
func argoCanary(successCondition string) strategies.Config {
	w := func(v float64) *float64 { return &v }
	errRate := strategies.DefaultAnalysisMetric()
	errRate.Name, errRate.Interval, errRate.Count, errRate.SuccessCondition = "error-rate", time.Minute, 3, "result < 5"
	errRate.Provider = gate.Query{Kind: gate.ErrorRate, Version: gate.Target, Window: 2 * time.Minute}
	success := strategies.DefaultAnalysisMetric()
	success.Name, success.Interval, success.SuccessCondition = "success-rate", 2*time.Minute, successCondition
	success.InitialDelay = 3 * time.Minute
	success.Provider = gate.Query{Kind: gate.SuccessRate, Version: gate.Both, Window: 2 * time.Minute}
	r := &strategies.Rollout{
		Canary: &strategies.RolloutCanary{Steps: []strategies.ArgoStep{
			{SetWeight: w(20)}, {Pause: &strategies.ArgoPause{Duration: 2 * time.Minute}},
			{Analysis: &strategies.RolloutAnalysis{Templates: []string{"error-rate"}}},
			{SetWeight: w(50)}, {Pause: &strategies.ArgoPause{Duration: 2 * time.Minute}},
		}, Analysis: &strategies.BackgroundAnalysis{RolloutAnalysis: strategies.RolloutAnalysis{Templates: []string{"success"}}, StartingStep: 1}},
		Templates: []strategies.AnalysisTemplate{{Name: "error-rate", Metrics: []strategies.AnalysisMetric{errRate}},
			{Name: "success", Metrics: []strategies.AnalysisMetric{success}}},
	}
	return strategies.Config{Name: "argo-canary", Type: strategies.ArgoCanary, Rollout: r}
}

// TestControllerTwinGates holds the alias executor's gates to the
// simulator's, step by step: the simulator runs the Argo canary; the fake
// CloudWatch is given, minute by minute, the invocations and errors of each
// version the simulator counted; the executor measures its gates with
// GetMetricData on the fake and must take the same measurements (values and
// judgements, word for word), the same controller steps at the same times,
// and end the same way — with a faulty target, stopped by the error-rate
// gate and rolled back at the instant the simulator says.
func TestControllerTwinGates(t *testing.T) {
	for _, tc := range []struct {
		name, errors, success, status, cause string
	}{
		{"healthy", "0.005", "result >= 90", "Succeeded", ""},
		{"faulty target", "0.06", "result >= 90", "Stopped", "gate:error-rate"},
		// 4 % passes the error-rate analysis; the background analysis of
		// the alias's success rate, held to 99 %, fails at 50 %.
		{"background analysis fails", "0.04", "result >= 99", "Stopped", "gate:success-rate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, e, p := gateTwin(t, tc.errors, tc.success)
			var want, wantGates []string
			for _, r := range res.Steps { // every step, measurements included, as the journal has them
				r.T -= res.DeploymentStart
				want = append(want, r.String())
			}
			for _, e := range res.Timeline {
				if e.Kind == sim.KindGate {
					wantGates = append(wantGates, fmt.Sprintf("%v %s", e.At-res.DeploymentStart, e.Text()))
				}
			}
			if string(res.Status) != tc.status || res.RollbackCause != tc.cause || len(wantGates) == 0 {
				t.Fatalf("the simulator ends %s (%s) with %d measurements, want %s (%s):\n%s", res.Status, res.RollbackCause, len(wantGates), tc.status, tc.cause, strings.Join(wantGates, "\n"))
			}
			out, err := e.deploy(context.Background(), p, e.opts())
			if err != nil {
				t.Fatal(err)
			}
			got := journalSteps(t, e.journal)
			var gotGates []string
			for _, en := range e.log {
				if en.Kind == "gate" {
					gotGates = append(gotGates, fmt.Sprintf("%v %s", en.T, en.Text))
				}
			}
			if !slices.Equal(gotGates, wantGates) {
				t.Fatalf("measurements: executor\n%s\nsimulator\n%s", strings.Join(gotGates, "\n"), strings.Join(wantGates, "\n"))
			}
			if !slices.Equal(got, want) || string(out.Status) != string(res.Status) || out.Cause != res.RollbackCause {
				t.Fatalf("executor (%s %s)\n%s\nsimulator (%s %s)\n%s", out.Status, out.Cause, strings.Join(got, "\n"), res.Status, res.RollbackCause, strings.Join(want, "\n"))
			}
			if tc.status == "Stopped" { // all traffic back on version 1, by one UpdateAlias at the simulator's instant
				h := e.fake.AliasHistory("orders", "live")
				last := h[len(h)-1]
				if last.String() != "1" || last.At.Sub(awsfake.Epoch) != *res.End-res.DeploymentStart {
					t.Errorf("alias %s at %v, the simulator rolled back at %v", last, last.At.Sub(awsfake.Epoch), *res.End-res.DeploymentStart)
				}
			}
			if n := e.fake.CallCount(awsfake.CloudWatch, "GetMetricData"); n != len(wantGates) {
				t.Errorf("%d GetMetricData calls for %d measurements", n, len(wantGates))
			}
			t.Logf("%d measurements, %d steps; ends %s %s", len(wantGates), len(want), res.Status, res.RollbackCause)
		})
	}
}

// gateTwin runs the Argo canary in the simulator (target error rate
// targetErrors, the background analysis held to successCondition), and
// returns its result, a fake account whose CloudWatch holds, minute by
// minute, the invocations and errors per version the simulator counted
// (and for the alias as a whole), and the alias executor's plan.
func gateTwin(t *testing.T, targetErrors, successCondition string) (*sim.Result, *env, awsexec.Plan) {
	t.Helper()
	return gateTwinOf(t, targetErrors, sim.Strategy{Name: "argo-canary", Config: argoCanary(successCondition)})
}

// gateTwinOf is gateTwin for any gated plan st.
func gateTwinOf(t *testing.T, targetErrors string, st sim.Strategy) (*sim.Result, *env, awsexec.Plan) {
	t.Helper()
	s, err := scenario.Parse("twin-gates.yaml", []byte(strings.Replace(gateScenario, "TARGET_ERRORS", targetErrors, 1)))
	if err != nil {
		t.Fatal(err)
	}
	res, err := sim.Run(&s.Model, st)
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, 1)
	for _, b := range res.Buckets {
		at := awsfake.Epoch.Add(b.Start - res.DeploymentStart)
		for v, ver := range []string{"1", "2"} {
			dims := map[string]string{"FunctionName": "orders", "Resource": "orders:live", "ExecutedVersion": ver}
			e.fake.PutMetric("AWS/Lambda", "Invocations", dims, at, float64(b.Requests[v]))
			e.fake.PutMetric("AWS/Lambda", "Errors", dims, at, float64(b.Failed[v]))
		}
		dims := map[string]string{"FunctionName": "orders", "Resource": "orders:live"}
		e.fake.PutMetric("AWS/Lambda", "Invocations", dims, at, float64(b.Requests[0]+b.Requests[1]))
		e.fake.PutMetric("AWS/Lambda", "Errors", dims, at, float64(b.Failed[0]+b.Failed[1]))
	}
	spec, _, err := s.DeploySpec(st, "", "")
	if err != nil {
		t.Fatal(err)
	}
	p, _, err := awsexec.NewPlan(spec, awsexec.Overrides{})
	if err != nil {
		t.Fatal(err)
	}
	return res, e, p
}

// journalSteps is the journal's controller steps in deploy.Record's text.
func journalSteps(t *testing.T, path string) []string {
	t.Helper()
	var out []string
	for _, r := range journalRecords(t, path) {
		if r.Type == awsexec.RecStep {
			line := r.T + " " + r.Event
			if len(r.Actions) > 0 {
				line += " -> " + strings.Join(r.Actions, "; ")
			}
			out = append(out, line)
		}
	}
	return out
}

// TestAliasGatesResume kills the executor at each of its GetMetricData
// calls in turn (the Measure action journaled, its measurement not), then
// resumes from the journal at the same instant: the measurements already
// journaled are replayed, not taken again; the one asked for and never
// reported is taken; and the deployment takes exactly the simulator's
// steps to the same end.
func TestAliasGatesResume(t *testing.T) {
	res, _, _ := gateTwin(t, "0.04", "result >= 99")
	var want []string
	measured := 0 // the simulator's measurements: the executor's GetMetricData calls
	for _, r := range res.Steps {
		if r.Event.Kind == deploy.Measurement {
			measured++
		}
		r.T -= res.DeploymentStart
		want = append(want, r.String())
	}
	if measured < 2 {
		t.Fatalf("the simulator measured %d times: nothing to resume between\n%s", measured, strings.Join(want, "\n"))
	}
	for n := 1; n <= measured; n++ {
		t.Run(fmt.Sprint("measurement ", n), func(t *testing.T) {
			_, e, p := gateTwin(t, "0.04", "result >= 99")
			ctx, cancel := context.WithCancel(context.Background())
			count := 0
			e.fake.Intercept = func(c awsfake.Call) bool {
				if c.Op == "GetMetricData" {
					if count++; count == n {
						cancel()
						return false
					}
				}
				return true
			}
			_, err := e.deploy(ctx, p, e.opts())
			e.fake.Intercept = nil
			if !errors.Is(err, awsexec.ErrKilled) {
				t.Fatalf("killed run: %v", err)
			}
			before := e.fake.CallCount(awsfake.CloudWatch, "GetMetricData")
			o := e.opts()
			o.Resume = true
			out, err := e.deploy(context.Background(), awsexec.Plan{}, o)
			if err != nil {
				t.Fatalf("resume: %v\n%s", err, e.timeline())
			}
			if got := journalSteps(t, e.journal); !slices.Equal(got, want) || string(out.Status) != string(res.Status) {
				t.Fatalf("resumed (%s)\n%s\nsimulator (%s)\n%s", out.Status, strings.Join(got, "\n"), res.Status, strings.Join(want, "\n"))
			}
			if taken := e.fake.CallCount(awsfake.CloudWatch, "GetMetricData") - before; taken != measured-n+1 {
				t.Errorf("the resume made %d GetMetricData calls, want %d (the measurements not journaled)", taken, measured-n+1)
			}
		})
	}
}

// TestDryRunGates: the dry run of a gated plan prints each GetMetricData
// call it would make, when, and the passing value it assumes, between the
// UpdateAlias calls, in the order the controller asks for them.
func TestDryRunGates(t *testing.T) {
	_, e, p := gateTwin(t, "0.04", "result >= 99")
	var b strings.Builder
	if err := awsexec.DryRun(context.Background(), p, e.clients, e.opts(), &b); err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	var got []string
	for _, l := range strings.Split(b.String(), "\n") {
		op, rest, _ := strings.Cut(l, " ")
		if op != "GetMetricData" && op != "UpdateAlias" {
			continue
		}
		_, note, _ := strings.Cut(rest, "    # ")
		got = append(got, op+" "+note)
	}
	want := []string{
		"UpdateAlias t+0m00s: version 2 at 20%",
		"GetMetricData t+2m00s: gate error-rate (error_rate target 2m0s); if all goes well it reads < 5% (successCondition result < 5); the dry run goes on with 0%",
		"GetMetricData t+3m00s: gate error-rate (error_rate target 2m0s); if all goes well it reads < 5% (successCondition result < 5); the dry run goes on with 0%",
		"GetMetricData t+3m00s: gate success-rate (success_rate both 2m0s); if all goes well it reads ≥ 99% (successCondition result >= 99); the dry run goes on with 100%",
		"GetMetricData t+4m00s: gate error-rate (error_rate target 2m0s); if all goes well it reads < 5% (successCondition result < 5); the dry run goes on with 0%",
		"UpdateAlias t+4m00s: version 2 at 50%",
		"GetMetricData t+5m00s: gate success-rate (success_rate both 2m0s); if all goes well it reads ≥ 99% (successCondition result >= 99); the dry run goes on with 100%",
		"UpdateAlias t+6m00s: version 2 at 100%",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("got\n%s\nwant\n%s\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"), b.String())
	}
	for _, w := range []string{`"MetricName":"Invocations","Stat":"Sum","Period":60,"Dimensions":{"ExecutedVersion":"2","FunctionName":"orders","Resource":"orders:live"}`,
		`StartTime=<t+2m00s − 2m0s, to the minute> EndTime=<t+2m00s − 1m0s (metric delay), to the minute>`} {
		if !strings.Contains(b.String(), w) {
			t.Errorf("no %s in\n%s", w, b.String())
		}
	}
	if n := e.fake.CallCount(awsfake.CloudWatch, "GetMetricData"); n != 0 {
		t.Errorf("the dry run made %d GetMetricData calls", n)
	}
}

// TestControllerTwinFlagger holds a Flagger canary on a real alias to the
// simulator, step by step: its built-in request-success-rate check reads,
// as Flagger's CloudWatch provider does, the newest datapoint published
// within 10 intervals — with a one-minute metric delay the window ending
// now is never published, so both look one window back. Healthy, the plan
// promotes; with a target failing 6 %, two failed checks roll it back at
// the simulator's instant.
func TestControllerTwinFlagger(t *testing.T) {
	min := 99.0
	q, _ := strategies.BuiltinQuery(analysis.RequestSuccessRate, time.Minute)
	fp := &strategies.FlaggerPlan{Analysis: analysis.Flagger{Interval: time.Minute, StepWeight: 20, MaxWeight: 60, Threshold: 2},
		Metrics: []strategies.FlaggerMetric{{Check: analysis.FlaggerMetric{Name: analysis.RequestSuccessRate, Range: analysis.Range{Min: &min}, Interval: time.Minute}, Query: q}}}
	st := sim.Strategy{Name: "flagger", Config: strategies.Config{Name: "flagger", Type: strategies.FlaggerType, Flagger: fp}}
	for _, tc := range []struct{ name, errors, status, cause string }{
		{"healthy", "0.001", "Succeeded", ""},
		{"faulty target", "0.06", "Stopped", "gate:request-success-rate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, e, p := gateTwinOf(t, tc.errors, st)
			var want []string
			for _, r := range res.Steps {
				r.T -= res.DeploymentStart
				want = append(want, r.String())
			}
			if string(res.Status) != tc.status || res.RollbackCause != tc.cause {
				t.Fatalf("the simulator ends %s (%s), want %s (%s):\n%s", res.Status, res.RollbackCause, tc.status, tc.cause, strings.Join(want, "\n"))
			}
			out, err := e.deploy(context.Background(), p, e.opts())
			if err != nil {
				t.Fatal(err)
			}
			// The simulator keeps the steps that did something or measured
			// (sim.Result.Steps); the journal has every step the driver
			// observed, here also Flagger's Start, which shifts nothing.
			var got []string
			for _, l := range journalSteps(t, e.journal) {
				if strings.Contains(l, " -> ") || strings.Contains(l, " Measurement ") {
					got = append(got, l)
				}
			}
			if !slices.Equal(got, want) || string(out.Status) != string(res.Status) || out.Cause != res.RollbackCause {
				t.Fatalf("executor (%s %s)\n%s\nsimulator (%s %s)\n%s", out.Status, out.Cause, strings.Join(got, "\n"), res.Status, res.RollbackCause, strings.Join(want, "\n"))
			}
			n := 0
			for _, w := range want {
				if strings.Contains(w, " Measurement ") {
					n++
				}
			}
			if calls := e.fake.CallCount(awsfake.CloudWatch, "GetMetricData"); n == 0 || calls < n {
				t.Errorf("%d GetMetricData calls for %d measurements", calls, n)
			}
			t.Logf("%d measurements, %d steps; ends %s %s", n, len(want), res.Status, res.RollbackCause)
		})
	}
}
