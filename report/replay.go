package report

import (
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"
)

// Replayed is the JSON document of `shiftsim compare --replay-deployment`:
// a recorded deployment window replayed under every strategy of a
// scenario, next to what actually happened. Results hold compare's
// fields for each plan, plus vs_actual.
type Replayed struct {
	Scenario string  `json:"scenario"`
	Seed     uint64  `json:"seed"`
	Horizon  float64 `json:"horizon_s"`
	// Runs is how many times each strategy replayed the recording (--runs):
	// results hold run 0 in full and, with more, what the runs say.
	Runs    int            `json:"runs"`
	Replay  ReplayInfo     `json:"replay"`
	Actual  ActualResult   `json:"actual"`
	Results []ReplayResult `json:"results"`
}

// ReplayInfo says what was replayed: the window, the versions, and per
// version which periods were recorded and which estimated.
type ReplayInfo struct {
	Recording      string  `json:"recording"`
	Function       string  `json:"function"`
	Alias          string  `json:"alias"`
	CurrentVersion string  `json:"current_version"`
	TargetVersion  string  `json:"target_version"`
	DeploymentID   *string `json:"deployment_id"`
	Start          string  `json:"start"` // t = 0, RFC 3339
	Period         float64 `json:"period_s"`
	// DeploymentStart is when every plan starts, and DeploymentStartFrom
	// what in the recording says so.
	DeploymentStart     float64         `json:"deployment_start_s"`
	DeploymentStartFrom string          `json:"deployment_start_from"`
	Requests            int64           `json:"requests"`
	Estimation          string          `json:"estimation"`
	Versions            []ReplayVersion `json:"versions"`
}

// ReplayVersion is one version's replayed behaviour.
type ReplayVersion struct {
	Version          string         `json:"version"`
	Role             string         `json:"role"` // current or target
	Periods          int            `json:"periods"`
	Estimated        int            `json:"periods_estimated"`         // no invocations: error rate and latency pooled
	LatencyEstimated int            `json:"periods_latency_estimated"` // no Duration percentiles of their own
	Series           []ReplayPeriod `json:"series"`
}

// ReplayPeriod is one period of a version: what was recorded and the
// behaviour replayed.
type ReplayPeriod struct {
	At               float64  `json:"t_s"`
	Invocations      int64    `json:"invocations"`
	Errors           int64    `json:"errors"`
	ErrorRate        float64  `json:"error_rate"`
	P50              float64  `json:"p50_ms"`
	P99              float64  `json:"p99_ms"`
	Estimated        bool     `json:"estimated"`
	LatencyEstimated bool     `json:"latency_estimated"`
	PooledFrom       *float64 `json:"pooled_from_s,omitempty"` // the periods an estimate pools: [from, to]
	PooledTo         *float64 `json:"pooled_to_s,omitempty"`
}

// ActualResult is what happened in the recording: counts are its sums,
// exactly; times come from CodeDeploy (source "codedeploy") or from when
// each version got invocations (source "invocations"), null where unknown.
// The recording holds no users: users and users_affected are null.
type ActualResult struct {
	Source               string   `json:"source"`
	Config               *string  `json:"config"`
	Status               *string  `json:"status"`
	ErrorCode            *string  `json:"error_code"` // CodeDeploy's: ALARM_ACTIVE, HOOK_EXECUTION_FAILURE, ...
	RolledBack           bool     `json:"rolled_back"`
	DeploymentStart      float64  `json:"deployment_start_s"`
	FullShift            *float64 `json:"full_shift_s"`
	End                  *float64 `json:"end_s"`
	Detected             *float64 `json:"detected_s"`
	Requests             int64    `json:"requests"`
	TargetRequests       int64    `json:"target_requests"`
	FailedRequests       int64    `json:"failed_requests"`
	TargetFailedRequests int64    `json:"target_failed_requests"`
	Users                *int64   `json:"users"`
	UsersAffected        *int64   `json:"users_affected"`
}

// ReplayResult is one plan's replay: compare's fields, and how it differs
// from what actually happened.
type ReplayResult struct {
	Result
	VsActual VsActual `json:"vs_actual"`
	// Repeated summarises the runs, with --runs N of 2 or more.
	Repeated *ReplayRuns `json:"repeated,omitempty"`
}

// ReplayRuns is what N replays of one strategy say: the recorded traffic
// and behaviour are the same in each, the routing and per-request dice
// differ. Intervals are 95 %: Wilson's for the probability, mean ± 1.96
// standard errors for the means.
type ReplayRuns struct {
	Runs               int        `json:"runs"`
	StoppedProbability float64    `json:"stopped_probability"`
	StoppedCI95        [2]float64 `json:"stopped_probability_ci95"`
	FailedMean         float64    `json:"failed_requests_mean"`
	FailedCI95         [2]float64 `json:"failed_requests_mean_ci95"`
	TargetFailedMean   float64    `json:"target_failed_requests_mean"`
	TargetFailedCI95   [2]float64 `json:"target_failed_requests_mean_ci95"`
	VsActualFailedMean float64    `json:"vs_actual_failed_requests_mean"`
}

// VsActual is a plan's result minus the actual one: negative numbers are
// requests the plan would have saved. Stopped is how much sooner (< 0) or
// later the plan ended a deployment that actually ended; null when either
// did not end within the window.
type VsActual struct {
	TargetRequests       int64    `json:"target_requests"`
	FailedRequests       int64    `json:"failed_requests"`
	TargetFailedRequests int64    `json:"target_failed_requests"`
	End                  *float64 `json:"end_s"`
}

// Compare fills VsActual of every result.
func (d *Replayed) Compare() {
	for i := range d.Results {
		r := &d.Results[i]
		a := d.Actual
		r.VsActual = VsActual{TargetRequests: r.TargetRequests - a.TargetRequests, FailedRequests: r.FailedRequests - a.FailedRequests,
			TargetFailedRequests: r.TargetFailedRequests - a.TargetFailedRequests}
		if r.End != nil && a.End != nil {
			x := *r.End - *a.End
			r.VsActual.End = &x
		}
	}
}

func signed(x int64) string {
	if x > 0 {
		return "+" + strconv.FormatInt(x, 10)
	}
	return strconv.FormatInt(x, 10)
}

func usersCell(users, hurt *int64) string {
	if users == nil || hurt == nil {
		return "-"
	}
	return fmt.Sprintf("%d of %d", *hurt, *users)
}

func strPtr(p *string) string {
	if p == nil || *p == "" {
		return "-"
	}
	return *p
}

// replayGrid is the people's table: the actual deployment first, then
// each plan.
func replayGrid(d Replayed) *grid {
	g := &grid{head: []string{"plan", "status", "stopped by", "detected", "ended", "full shift",
		"target reqs", "target failed", "all failed", "failed vs actual", "users hurt"},
		right: []bool{false, false, false, true, true, true, true, true, true, true, true}}
	g.drop = []int{10, 2, 5, 8}
	g.color = func(col int, cell string) string {
		if col == 1 {
			return statusColor(cell)
		}
		return ""
	}
	a := d.Actual
	start := a.DeploymentStart
	name := "actual"
	if a.Config != nil {
		name += " (" + *a.Config + ")"
	}
	stoppedBy := "-"
	switch {
	case a.ErrorCode != nil:
		stoppedBy = *a.ErrorCode
	case a.RolledBack:
		stoppedBy = "rollback"
	}
	g.add(name, strPtr(a.Status), stoppedBy, fromStart(a.Detected, start), fromStart(a.End, start), fromStart(a.FullShift, start),
		strconv.FormatInt(a.TargetRequests, 10), strconv.FormatInt(a.TargetFailedRequests, 10), strconv.FormatInt(a.FailedRequests, 10),
		"0", usersCell(a.Users, a.UsersAffected))
	for _, r := range d.Results {
		g.add(r.Strategy, r.Status, causeOf(r.RollbackCause), fromStart(r.Detected, r.DeploymentStart), fromStart(r.End, r.DeploymentStart),
			fromStart(r.FullShift, r.DeploymentStart), strconv.FormatInt(r.TargetRequests, 10), strconv.FormatInt(r.TargetFailedRequests, 10),
			strconv.FormatInt(r.FailedRequests, 10), signed(r.VsActual.FailedRequests), usersCell(r.Users, r.UsersAffected))
	}
	if d.Runs > 1 {
		g.head = append(g.head, fmt.Sprintf("P(stopped), %d runs", d.Runs), "all failed, mean")
		g.right = append(g.right, true, true)
		g.rows[0] = append(g.rows[0], "-", "-")
		for i, r := range d.Results {
			x := r.Repeated
			g.rows[i+1] = append(g.rows[i+1], probCell(x.StoppedProbability, x.StoppedCI95),
				fmt.Sprintf("%.1f [%.1f, %.1f]", x.FailedMean, x.FailedCI95[0], x.FailedCI95[1]))
		}
	}
	return g
}

func replayTitle(d Replayed) string {
	i := d.Replay
	dep := ""
	if i.DeploymentID != nil {
		dep = " " + *i.DeploymentID
	}
	return fmt.Sprintf("replay of deployment%s: %s:%s version %s -> %s, %s + %s  (scenario %s, seed %d)",
		dep, i.Function, i.Alias, i.CurrentVersion, i.TargetVersion, i.Start, horizon(d.Horizon), d.Scenario, d.Seed)
}

// ReplayNotes are the lines that say what the replay estimated and where
// its times start.
func ReplayNotes(d Replayed) []string {
	i := d.Replay
	out := []string{fmt.Sprintf("Times count from the deployment start (t+0 = %s after the window's start, from %s); every plan starts then.",
		dur(i.DeploymentStart), i.DeploymentStartFrom)}
	if d.Runs > 1 {
		out = append(out, fmt.Sprintf("Each plan replayed the recording %d times (the same traffic and behaviour, other routing and dice); the columns before P(stopped) are run 0's, seed %d.", d.Runs, d.Seed))
	}
	for _, v := range i.Versions {
		if v.Estimated == 0 && v.LatencyEstimated == 0 {
			out = append(out, fmt.Sprintf("Version %s (%s): every period replayed as recorded.", v.Version, v.Role))
			continue
		}
		out = append(out, fmt.Sprintf("Version %s (%s): %d of %d periods had no invocations (%s); their error rate and latency are estimated%s.",
			v.Version, v.Role, v.Estimated, v.Periods, spans(v.Series, i.DeploymentStart), latencyOnly(v)))
	}
	out = append(out, "Estimates: "+i.Estimation,
		"Actual: counts are the recording's sums; times from "+map[bool]string{true: "CodeDeploy's record of the deployment", false: "when each version got invocations (to the period)"}[d.Actual.Source == "codedeploy"]+
			"; the recording has no users, so the actual users hurt are unknown.")
	return out
}

func latencyOnly(v ReplayVersion) string {
	if n := v.LatencyEstimated - v.Estimated; n > 0 {
		return fmt.Sprintf("; %d more periods lack Duration percentiles and take pooled latencies", n)
	}
	return ""
}

// spans lists the estimated periods as time ranges from the deployment
// start: "t-5m..t+0, t+4m..t+30m".
func spans(ps []ReplayPeriod, start float64) string {
	var out []string
	step := 0.0
	if len(ps) > 1 {
		step = ps[1].At - ps[0].At
	}
	for k := 0; k < len(ps); k++ {
		if !ps[k].Estimated {
			continue
		}
		j := k
		for j+1 < len(ps) && ps[j+1].Estimated {
			j++
		}
		out = append(out, Since(ps[k].At, start)+".."+Since(ps[j].At+step, start))
		k = j
	}
	return strings.Join(out, ", ")
}

// TableReplay prints the replay for people.
func TableReplay(w io.Writer, d Replayed) error {
	fmt.Fprintf(w, "%s\n\n", replayTitle(d))
	if err := replayGrid(d).text(w); err != nil {
		return err
	}
	fmt.Fprintln(w)
	for _, l := range ReplayNotes(d) {
		fmt.Fprintln(w, l)
	}
	return nil
}

// MarkdownReplay prints the replay as Markdown.
func MarkdownReplay(w io.Writer, d Replayed) error {
	fmt.Fprintf(w, "**%s**\n\n", mdCell(replayTitle(d)))
	if err := replayGrid(d).markdown(w); err != nil {
		return err
	}
	fmt.Fprintln(w)
	for _, l := range ReplayNotes(d) {
		fmt.Fprintf(w, "- %s\n", l)
	}
	return nil
}

// CSVReplay prints one row per plan, the actual one first, raw.
func CSVReplay(w io.Writer, d Replayed) error {
	g := &grid{head: []string{"plan", "config", "status", "rolled_back", "deployment_start_s", "full_shift_s", "end_s", "detected_s",
		"requests", "target_requests", "failed_requests", "target_failed_requests", "vs_actual_failed_requests", "vs_actual_target_failed_requests"}}
	a := d.Actual
	cfg := ""
	if a.Config != nil {
		cfg = *a.Config
	}
	status := ""
	if a.Status != nil {
		status = *a.Status
	}
	g.add("actual", cfg, status, strconv.FormatBool(a.RolledBack), raw(a.DeploymentStart), rawPtr(a.FullShift), rawPtr(a.End), rawPtr(a.Detected),
		strconv.FormatInt(a.Requests, 10), strconv.FormatInt(a.TargetRequests, 10), strconv.FormatInt(a.FailedRequests, 10), strconv.FormatInt(a.TargetFailedRequests, 10), "0", "0")
	for _, r := range d.Results {
		g.add(r.Strategy, r.Config, r.Status, strconv.FormatBool(r.RolledBack), raw(r.DeploymentStart), rawPtr(r.FullShift), rawPtr(r.End), rawPtr(r.Detected),
			strconv.FormatInt(r.Requests, 10), strconv.FormatInt(r.TargetRequests, 10), strconv.FormatInt(r.FailedRequests, 10), strconv.FormatInt(r.TargetFailedRequests, 10),
			strconv.FormatInt(r.VsActual.FailedRequests, 10), strconv.FormatInt(r.VsActual.TargetFailedRequests, 10))
	}
	return g.csv(w)
}

// ReplayColumns are the columns of the replay table.
var ReplayColumns = []Column{
	{"plan", "the recorded deployment (actual, with its configuration where recorded), then each strategy of the scenario replayed on the recording"},
	{"status", "how the deployment ended: Succeeded, Stopped (an alarm), Failed, or InProgress at the window's end"},
	{"stopped by", "what stopped it: the alarm (or ALARM_ACTIVE for the actual one), or - when nothing did"},
	{"detected", "when an alarm that stops the deployment went into ALARM, from the deployment start"},
	{"ended", "when the deployment succeeded or its rollback finished, from the deployment start"},
	{"full shift", "when the target version first had all the traffic"},
	{"target reqs", "requests the target version served in the window"},
	{"target failed", "failed requests on the target version"},
	{"all failed", "failed requests on either version"},
	{"failed vs actual", "all failed minus the actual deployment's: negative is requests the plan would have saved"},
	{"users hurt", "users with at least one failed request, of all users (with --users; the recording has none)"},
	{"P(stopped)", "with --runs N: the share of the N replays in which an alarm stopped the plan, with its 95 % Wilson interval"},
	{"all failed, mean", "with --runs N: the mean of all failed over the N replays, with its 95 % interval"},
}

// HTMLReplay writes the replay as one self-contained page, as HTML does
// for compare: the table with the actual deployment first, the notes on
// what was estimated, the charts and each plan's timeline.
func HTMLReplay(w io.Writer, d Replayed, charts []Chart, timelines []Result, scenario []SummaryItem) error {
	var table strings.Builder
	g := replayGrid(d)
	if err := g.html(&table, "results"); err != nil {
		return err
	}
	plans := Compared{Scenario: d.Scenario, Seed: d.Seed, Horizon: d.Horizon}
	for _, r := range d.Results {
		plans.Results = append(plans.Results, r.Result)
	}
	data := pageData{Title: d.Scenario + " (replay)", Summary: replayTitle(d), Note: strings.Join(ReplayNotes(d), "\n"),
		Table: template.HTML(table.String()), Columns: columnsOf(g.head, ReplayColumns), Scenario: scenario}
	a := d.Actual
	verdict := "actual: " + strPtr(a.Status)
	if a.End != nil {
		verdict += ", ended at " + Since(*a.End, a.DeploymentStart)
	}
	data.Verdicts = append([]string{verdict + fmt.Sprintf("; %d failed requests on the new version", a.TargetFailedRequests)}, singleVerdicts(plans)...)
	data.Charts, data.Timelines = pageCharts(charts), pageTimelines(timelines)
	return pageTemplate.Execute(w, data)
}
