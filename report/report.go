// Package report prints simulation results for people (tables, timelines)
// and for scripts (JSON). It computes no metric of its own: every number it
// prints comes from sim.Result.
package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/shiftsim/shiftsim/sim"
	"github.com/shiftsim/shiftsim/strategies"
)

// Compared is the JSON document of `shiftsim compare` (and `run`): the
// field names are a contract that scripts and acceptance tests rely on.
type Compared struct {
	Scenario string   `json:"scenario"`
	Seed     uint64   `json:"seed"`
	Horizon  float64  `json:"horizon_s"`
	Results  []Result `json:"results"`
}

// Result is one strategy's outcome. Times are seconds of virtual time since
// the simulation started; null where the event never happened.
type Result struct {
	Strategy string `json:"strategy"`
	Config   string `json:"config"`
	// Family is the system whose plan ran: CodeDeploy, AppConfig, ECS,
	// Argo Rollouts or Flagger (strategies.Config.Family); the narration
	// speaks its words. Plan is the plan itself (absent from JSON; a
	// Result without it is told in CodeDeploy's words).
	Family        string            `json:"family,omitempty"`
	Plan          strategies.Config `json:"-"`
	Status        string            `json:"status"`
	RolledBack    bool              `json:"rolled_back"`
	RollbackCause *string           `json:"rollback_cause"`
	// StopCause is what ended a deployment that did not succeed ("alarm:…",
	// "hook:…", "gate:…", "manual"), whether or not it rolled back: a plan
	// with auto-rollback off (or ECS's rollback: false) stops in place, and
	// rollback_cause is null.
	StopCause       *string  `json:"stop_cause"`
	DeploymentStart float64  `json:"deployment_start_s"`
	FullShift       *float64 `json:"full_shift_s"`
	End             *float64 `json:"end_s"`
	Detected        *float64 `json:"detected_s"`
	PollPhase       float64  `json:"poll_phase_s"`      // CloudWatch's minute and CodeDeploy's polls fall this long after the clock's minute
	PollPhaseRandom bool     `json:"poll_phase_random"` // drawn from the seed (monitoring.poll_phase: random)
	// FalseRollbackProbability is, in compare's one-run document, whether
	// the healthy twin's run (same seed, the target behaving exactly like
	// the current version) rolled back: 0 or 1; FalseRollbackCause is the
	// alarm or hook responsible. Absent from run's document.
	FalseRollbackProbability *float64  `json:"false_rollback_probability,omitempty"`
	FalseRollbackCause       *string   `json:"false_rollback_cause,omitempty"`
	Requests                 int64     `json:"requests"`
	TargetRequests           int64     `json:"target_requests"`
	FailedRequests           int64     `json:"failed_requests"`
	TargetFailedRequests     int64     `json:"target_failed_requests"`
	Timeouts                 int64     `json:"timeout_requests"`
	FinalTargetWeight        float64   `json:"final_target_weight"`
	FailedByCause            Causes    `json:"failed_by_cause"`
	ColdStarts               int64     `json:"cold_starts"`
	Users                    *int64    `json:"users"`          // null when the stream carries no user ids
	UsersAffected            *int64    `json:"users_affected"` // users with at least one failed request
	SLOBudgetConsumed        *float64  `json:"slo_budget_consumed"`
	CostUSD                  float64   `json:"cost_usd"` // the total; the breakdown is in cost
	Cost                     Cost      `json:"cost"`
	ThrottledRequests        int64     `json:"throttled_requests"`
	MeanConcurrency          *float64  `json:"mean_concurrency"` // execution model only
	PeakConcurrency          *int64    `json:"peak_concurrency"`
	Versions                 []Version `json:"versions"`
	Phases                   []Phase   `json:"phases"`
	Alarms                   []Alarm   `json:"alarms"`
	Timeline                 []Entry   `json:"timeline,omitempty"`
	// AppConfigState is the deployment's last state in AppConfig's words
	// (DEPLOYING, BAKING, COMPLETE, ROLLED_BACK): AppConfig strategies only.
	AppConfigState *string `json:"appconfig_state,omitempty"`
	// Steps are the controller's records in their canonical text
	// (deploy.Record), with the timeline: every weight step, hook, alarm
	// delivery, gate measurement and finish, e.g.
	// "4m0s Measurement 0 52.58 -> Rollback; Finish Stopped gate:error-rate weight=0".
	Steps []string `json:"steps,omitempty"`
}

// Causes splits failed requests by cause.
type Causes struct {
	Error    int64 `json:"error"`
	Timeout  int64 `json:"timeout"`
	Throttle int64 `json:"throttle"`
}

// Cost is what the run cost over the horizon, in USD.
type Cost struct {
	Requests    float64 `json:"requests"`
	Duration    float64 `json:"duration"`
	Provisioned float64 `json:"provisioned_concurrency"`
	Total       float64 `json:"total"`
	GBSeconds   float64 `json:"gb_seconds"`
}

// Version is one version's share of the run.
type Version struct {
	Version    string   `json:"version"`
	Requests   int64    `json:"requests"`
	Failed     int64    `json:"failed_requests"`
	Errors     int64    `json:"errors"`
	Timeouts   int64    `json:"timeouts"`
	Throttles  int64    `json:"throttles"`
	ColdStarts int64    `json:"cold_starts"`
	LatencyP50 *float64 `json:"latency_p50_ms"`
	LatencyP90 *float64 `json:"latency_p90_ms"`
	LatencyP99 *float64 `json:"latency_p99_ms"`
	LatencyMax *float64 `json:"latency_max_ms"`
}

func finite(x float64) *float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return &x
}

// Phase is a span of constant alias weight.
type Phase struct {
	From           float64 `json:"from_s"`
	To             float64 `json:"to_s"`
	TargetWeight   float64 `json:"target_weight"`
	Requests       int64   `json:"requests"`
	TargetRequests int64   `json:"target_requests"`
	TargetFailed   int64   `json:"target_failed_requests"`
	Failed         int64   `json:"failed_requests"`
}

// Alarm is an alarm's final state.
type Alarm struct {
	Name  string `json:"name"`
	State string `json:"state"`
}

// Entry is a timeline line.
type Entry struct {
	At      float64 `json:"t_s"`
	Kind    string  `json:"kind"`
	Subject string  `json:"subject,omitempty"`
	From    string  `json:"from,omitempty"` // an alarm's state before
	To      string  `json:"to,omitempty"`   // an alarm's state after
	Weight  float64 `json:"target_weight"`
	Text    string  `json:"text"` // Record.Text()
	// AppConfigEvent and AppConfigState are AppConfig's words for the
	// entry (an AppConfig strategy's run only; SetAppConfigStates).
	AppConfigEvent string `json:"appconfig_event,omitempty"`
	AppConfigState string `json:"appconfig_state,omitempty"`
	// Record is the engine's record the entry comes from: what the
	// narration and the charts read (never Text). A hand-made entry
	// without it is narrated by its text.
	Record sim.Entry `json:"-"`
}

// native is AppConfig's words for e, as the timelines print them after its
// text ("  [AppConfig PERCENTAGE_UPDATED -> DEPLOYING]"), or "".
func (e Entry) native() string {
	if e.AppConfigState == "" {
		return ""
	}
	return "  [AppConfig " + e.AppConfigEvent + " -> " + e.AppConfigState + "]"
}

func seconds(d time.Duration) float64 { return d.Seconds() }

func secondsPtr(d *time.Duration) *float64 {
	if d == nil {
		return nil
	}
	s := d.Seconds()
	return &s
}

// FromSim converts an engine result; timeline says whether to include the
// event timeline.
func FromSim(r *sim.Result, config string, timeline bool) Result {
	out := Result{
		Strategy:             r.Strategy,
		Config:               config,
		Family:               r.Plan.Family(),
		Plan:                 r.Plan,
		Status:               string(r.Status),
		RolledBack:           r.RolledBack,
		DeploymentStart:      seconds(r.DeploymentStart),
		FullShift:            secondsPtr(r.FullShift),
		End:                  secondsPtr(r.End),
		Detected:             secondsPtr(r.Detected),
		PollPhase:            seconds(r.PollPhase),
		PollPhaseRandom:      r.PollPhaseRandom,
		Requests:             r.Requests,
		TargetRequests:       r.TargetRequests,
		FailedRequests:       r.FailedRequests,
		TargetFailedRequests: r.TargetFailedRequests,
		Timeouts:             r.Timeouts,
		FinalTargetWeight:    r.FinalWeight,
		Phases:               []Phase{},
		Alarms:               []Alarm{},
	}
	for _, v := range r.Versions {
		out.Versions = append(out.Versions, Version{Version: v.Version, Requests: v.Requests, Failed: v.Failed,
			Errors: v.Errors, Timeouts: v.Timeouts, Throttles: v.Throttles, ColdStarts: v.ColdStarts,
			LatencyP50: finite(v.LatencyP50), LatencyP90: finite(v.LatencyP90), LatencyP99: finite(v.LatencyP99),
			LatencyMax: finite(v.LatencyMax)})
		out.FailedByCause.Error += v.Errors
		out.FailedByCause.Timeout += v.Timeouts
		out.FailedByCause.Throttle += v.Throttles
		out.ColdStarts += v.ColdStarts
	}
	out.Cost = Cost{Requests: r.Cost.Requests, Duration: r.Cost.Duration, Provisioned: r.Cost.Provisioned, Total: r.Cost.Total, GBSeconds: r.Cost.GBSeconds}
	out.CostUSD = r.Cost.Total
	out.ThrottledRequests = out.FailedByCause.Throttle
	if r.Concurrency != nil {
		mean, peak := r.Concurrency.Mean, r.Concurrency.Peak
		out.MeanConcurrency, out.PeakConcurrency = &mean, &peak
	}
	if r.Users > 0 {
		out.Users, out.UsersAffected = &r.Users, &r.UsersAffected
	}
	if r.SLOBudgetConsumed != nil {
		out.SLOBudgetConsumed = finite(*r.SLOBudgetConsumed)
	}
	if r.RollbackCause != "" {
		c := r.RollbackCause
		out.StopCause = &c
		if r.RolledBack {
			out.RollbackCause = &c
		}
	}
	for _, p := range r.Phases {
		out.Phases = append(out.Phases, Phase{From: seconds(p.From), To: seconds(p.To), TargetWeight: p.Weight,
			Requests: p.Requests, TargetRequests: p.TargetRequests, TargetFailed: p.TargetFailed, Failed: p.Failed})
	}
	for _, a := range r.Alarms {
		out.Alarms = append(out.Alarms, Alarm{Name: a.Name, State: a.State})
	}
	if timeline {
		out.Timeline = []Entry{}
		for _, st := range r.Steps {
			out.Steps = append(out.Steps, st.String())
		}
		for _, e := range r.Timeline {
			out.Timeline = append(out.Timeline, Entry{At: seconds(e.At), Kind: string(e.Kind), Subject: e.Subject, From: e.From, To: e.To,
				Weight: e.Weight, Text: e.Text(), Record: e})
		}
	}
	if r.Plan.Type == strategies.AppConfig {
		out.SetAppConfigStates()
	}
	return out
}

// SchemaVersion is the version of every JSON document shiftsim prints,
// its first key "schema_version". It goes up when a key is renamed or
// removed, or its meaning changes; adding keys does not change it. Keys are
// snake_case, times and durations in seconds (a "_s" suffix), except names
// that are AWS's (TrafficRoutingConfig and what it holds).
const SchemaVersion = 1

// JSON writes doc, which must encode as a JSON object, as indented JSON with
// a final newline, "schema_version" first. HTML characters are not escaped:
// alarm reasons hold >= and <.
func JSON(w io.Writer, doc any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return err
	}
	b := buf.Bytes()
	head := fmt.Sprintf("{\n  \"schema_version\": %d", SchemaVersion)
	switch {
	case bytes.Equal(b, []byte("{}\n")):
		_, err := io.WriteString(w, head+"\n}\n")
		return err
	case bytes.HasPrefix(b, []byte("{\n")):
		if _, err := io.WriteString(w, head+",\n"); err != nil {
			return err
		}
		_, err := w.Write(b[2:])
		return err
	}
	return fmt.Errorf("report.JSON: %T does not encode as a JSON object", doc)
}

func clock(p *float64) string {
	if p == nil {
		return "-"
	}
	return sim.Clock(time.Duration(*p * float64(time.Second)))
}

func pct(num, den int64) string {
	if den == 0 {
		return "-"
	}
	return strconv.FormatFloat(100*float64(num)/float64(den), 'f', 2, 64) + "%"
}

// Table writes one row per strategy, for people.
func Table(w io.Writer, doc Compared) error {
	phase := ""
	if len(doc.Results) > 0 { // one run: every strategy shares its phase
		r := doc.Results[0]
		phase = fmt.Sprintf("  poll phase %v", time.Duration(r.PollPhase*float64(time.Second)))
		if r.PollPhaseRandom {
			phase += " (drawn from the seed)"
		}
	}
	fmt.Fprintf(w, "scenario %s  seed %d  horizon %s%s\n%s\n\n", doc.Scenario, doc.Seed, sim.Clock(time.Duration(doc.Horizon*float64(time.Second))), phase, originLine(doc))
	if err := singleGrid(doc).text(w); err != nil {
		return err
	}
	if line := TwinLine(doc); line != "" {
		fmt.Fprintf(w, "\n%s\n", line)
	}
	fmt.Fprintln(w, "\n"+singleNote)
	return nil
}

// singleNote closes every people's view of one run per strategy.
const singleNote = "Times are virtual and count from the deployment start (t+0), as 'detected after' does with --runs.\n" +
	"'full shift': the new version first has 100 % of traffic; 'detected': the first alarm or hook failure;\n" +
	"'ended': the deployment succeeded, or its rollback finished. Every column: shiftsim help compare."

// originLine states the time origin of a single-run view.
func originLine(doc Compared) string {
	if len(doc.Results) == 0 {
		return "times count from the deployment start"
	}
	return "times count from the deployment start (t+0), " + dur(doc.Results[0].DeploymentStart) + " into the simulated window"
}

// Timeline writes one strategy's run as a timeline, then its phases.
func Timeline(w io.Writer, scenario string, seed uint64, r Result) error {
	how := ""
	if r.PollPhaseRandom {
		how = ", drawn from the seed"
	}
	fmt.Fprintf(w, "scenario %s  seed %d  strategy %s (%s)  poll phase %v%s\n", scenario, seed, r.Strategy, r.Config,
		time.Duration(r.PollPhase*float64(time.Second)), how)
	fmt.Fprintf(w, "t+ counts from the deployment start, %s into the simulated window (t- is before it)\n\n", dur(r.DeploymentStart))
	for _, e := range r.Timeline {
		fmt.Fprintf(w, "%-12s %s%s\n", Since(e.At, r.DeploymentStart), e.Text, e.native())
	}
	fmt.Fprintln(w, "\nphases (target weight, requests in the span):")
	g := &grid{head: []string{"from", "to", "target %", "requests", "to target", "target failed"}}
	for _, p := range r.Phases {
		g.add(Since(p.From, r.DeploymentStart), Since(p.To, r.DeploymentStart), strconv.FormatFloat(100*p.TargetWeight, 'f', -1, 64),
			strconv.FormatInt(p.Requests, 10), strconv.FormatInt(p.TargetRequests, 10), strconv.FormatInt(p.TargetFailed, 10))
	}
	if err := g.text(w); err != nil {
		return err
	}
	cause := "none"
	if r.RollbackCause != nil {
		cause = *r.RollbackCause
	}
	status := r.StatusWords()
	fmt.Fprintf(w, "\nstatus %s, rolled back %v (cause %s); requests %d, to target %d, failed %d (target %d)\n",
		status, r.RolledBack, cause, r.Requests, r.TargetRequests, r.FailedRequests, r.TargetFailedRequests)
	var states []string
	for _, a := range r.Alarms {
		states = append(states, a.Name+"="+a.State)
	}
	if len(states) > 0 {
		fmt.Fprintf(w, "alarms at the horizon: %s\n", strings.Join(states, ", "))
	}
	return nil
}

// SetTwin records the healthy twin's run of the same strategy and seed in r.
func (r *Result) SetTwin(twin *sim.Result) {
	p := 0.0
	if twin.RolledBack {
		p = 1
		c := twin.RollbackCause
		r.FalseRollbackCause = &c
	}
	r.FalseRollbackProbability = &p
}

// TwinLine says, for one run per strategy, which strategies the healthy
// twin's run rolled back (false rollbacks, docs/advice.md); "" when the
// document has no twin runs.
func TwinLine(doc Compared) string {
	var falses []string
	seen := false
	for _, r := range doc.Results {
		if r.FalseRollbackProbability == nil {
			continue
		}
		seen = true
		if *r.FalseRollbackProbability > 0 && r.FalseRollbackCause != nil {
			falses = append(falses, r.Strategy+" ("+*r.FalseRollbackCause+")")
		}
	}
	switch {
	case !seen:
		return ""
	case len(falses) == 0:
		return "Healthy twin (the new version behaving exactly like the current one, same seed): no strategy rolls it back."
	}
	return "Healthy twin (the new version behaving exactly like the current one, same seed): rolled back, falsely, by " +
		strings.Join(falses, ", ") + ". compare --runs N gives false_rollback_probability."
}
