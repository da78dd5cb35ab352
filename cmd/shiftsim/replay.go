package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"time"

	"github.com/spf13/pflag"
	"gonum.org/v1/gonum/stat"

	"github.com/shiftsim/shiftsim/replay"
	"github.com/shiftsim/shiftsim/report"
	"github.com/shiftsim/shiftsim/scenario"
	"github.com/shiftsim/shiftsim/sim"
	"github.com/shiftsim/shiftsim/sweep"
)

// replayOpts are compare's flags of a replayed deployment.
type replayOpts struct {
	file     *string
	users    *int
	userSkew *float64
}

func declareReplay(fs *pflag.FlagSet) *replayOpts {
	var o replayOpts
	o.file = fs.String("replay-deployment", "", "replay a deployment window that 'shiftsim record' wrote (FILE and FILE's .function.json) under\nthe scenario's strategies and alarms, next to what actually happened (docs/replay.md)")
	o.users = fs.Int("users", 0, "with --replay-deployment: spread the recorded requests over this many users (Zipf), to count users hurt\n(default: the scenario's traffic.users, if any)")
	o.userSkew = fs.Float64("user-skew", 1, "with --users: the users' Zipf exponent (0: all alike)")
	return &o
}

// replayCompare is compare --replay-deployment FILE [SCENARIO].
func replayCompare(fs *pflag.FlagSet, o *compareOpts, ro *replayOpts, args []string, stdout, stderr io.Writer) error {
	switch {
	case len(args) > 1:
		return inputErrf("--replay-deployment takes at most one SCENARIO argument, got %d", len(args))
	case *o.shard != "" || *o.emit.kind != "":
		return inputErrf("--replay-deployment runs on one machine: --shard and --emit do not apply")
	case *o.engine == "batched":
		return inputErrf("--replay-deployment replays the recorded counts request by request: --engine batched does not apply (auto or per-request)")
	case *ro.users < 0 || *ro.users > 1<<26:
		return inputErrf("--users %d: want 1 to %d users", *ro.users, 1<<26)
	case !(*ro.userSkew >= 0 && *ro.userSkew <= 50):
		return inputErrf("--user-skew %v: want a Zipf exponent in [0, 50]", *ro.userSkew)
	}
	if err := checkOutput(*o.output, report.Formats...); err != nil {
		return err
	}
	if err := checkFlag("--runs", float64(*o.runs)); err != nil {
		return err
	}
	rec, err := replay.Read(*ro.file)
	if err != nil {
		return inputErrf("--replay-deployment: %v", err)
	}
	var s *scenario.Scenario
	if len(args) == 1 {
		s, err = loadScenario(args[0], stderr)
	} else {
		s, err = recordingScenario(*ro.file, stderr)
	}
	if err != nil {
		return err
	}
	if err := o.apply(fs, s); err != nil {
		return err
	}
	if n := s.Model.Versions; n[0].Name != rec.Versions[0].Name || n[1].Name != rec.Versions[1].Name {
		fmt.Fprintf(stderr, "%s: the scenario's versions %s -> %s stand for the recording's %s -> %s (alarms on ExecutedVersion follow them)\n",
			s.File, n[0].Name, n[1].Name, rec.Versions[0].Name, rec.Versions[1].Name)
	}
	beh, err := rec.Estimate()
	if err != nil {
		return asInput(err)
	}
	// Users: --users, else the scenario's traffic.users, else none.
	var users *replay.Users
	if t := s.Model.Traffic; t.Users > 0 {
		users = &replay.Users{N: t.Users, Skew: t.UserSkew}
	}
	if *ro.users > 0 {
		users = &replay.Users{N: *ro.users, Skew: *ro.userSkew}
	}
	m, err := rec.Model(s.Model, beh, users)
	if err != nil {
		return asInput(err)
	}
	results, err := sim.Compare(&m, s.Strategies)
	if err != nil {
		return err
	}
	doc := replayed(s, &m, rec, beh, results)
	if *o.runs > 1 {
		base := m.Seed
		tallies, err := replay.Repeat(m, s.Strategies, *o.runs, func(i int) uint64 { return sweep.Seed(base, i) })
		if err != nil {
			return err
		}
		doc.Runs = *o.runs
		for i, t := range tallies {
			doc.Results[i].Repeated = repeated(t, doc.Actual.FailedRequests)
		}
	}
	replayedScenario := *s
	replayedScenario.Model = m
	a := &analysis{s: &replayedScenario}
	single := compared(&replayedScenario, results, false)
	a.single = &single
	for i, r := range results {
		a.timelines = append(a.timelines, report.FromSim(r, s.Strategies[i].Config.Name, true))
	}
	if *o.plots != "" || *o.output == "html" {
		if a.charts, err = a.chartData().Render(); err != nil {
			return err
		}
	}
	if *o.plots != "" {
		if err := report.WritePlots(*o.plots, a.charts); err != nil {
			return fmt.Errorf("--plots: %w", err)
		}
	}
	out := newDataOut(*o.out, stdout)
	w := forTerminal(out.W(), *o.wide)
	switch *o.output {
	case "json":
		err = report.JSON(w, doc)
	case "csv":
		err = report.CSVReplay(w, doc)
	case "markdown":
		err = report.MarkdownReplay(w, doc)
	case "html":
		err = report.HTMLReplay(w, doc, a.charts, a.timelines, replaySummary(&replayedScenario, rec))
	default:
		err = report.TableReplay(w, doc)
	}
	return out.Close(err)
}

// recordingScenario is the scenario that 'shiftsim record' wrote next to a
// recording (FILE with .json replaced by .scenario.yaml).
func recordingScenario(file string, stderr io.Writer) (*scenario.Scenario, error) {
	path := replay.ScenarioPath(file)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, inputErrf("%s: no SCENARIO given and no %s next to the recording: name a scenario whose strategies and alarms to replay", file, path)
	}
	return loadScenario(path, stderr)
}

// replayed builds the document of a replay.
func replayed(s *scenario.Scenario, m *sim.Model, rec *replay.Recording, beh *replay.Behaviour, results []*sim.Result) report.Replayed {
	start, from := rec.DeployStart()
	info := report.ReplayInfo{Recording: rec.File, Function: rec.Function, Alias: rec.Alias,
		CurrentVersion: rec.Versions[0].Name, TargetVersion: rec.Versions[1].Name,
		Start: rec.Start.UTC().Format(time.RFC3339), Period: rec.Period.Seconds(),
		DeploymentStart: start.Seconds(), DeploymentStartFrom: from, Estimation: replay.EstimationRule}
	if rec.DeploymentID != "" {
		id := rec.DeploymentID
		info.DeploymentID = &id
	}
	for k := range rec.Traffic {
		info.Requests += int64(rec.Traffic[k])
	}
	for v, ser := range rec.Versions {
		rv := report.ReplayVersion{Version: ser.Name, Role: []string{"current", "target"}[v], Periods: rec.Periods, Series: []report.ReplayPeriod{}}
		for k, p := range beh.Versions[v] {
			at := (time.Duration(k) * rec.Period).Seconds()
			rp := report.ReplayPeriod{At: at, Invocations: int64(ser.Invocations[k]), Errors: int64(ser.Errors[k]), ErrorRate: p.ErrorRate,
				P50: p.P50, P99: p.P99, Estimated: p.Estimated, LatencyEstimated: p.LatencyEstimated}
			if p.From >= 0 {
				f, t := (time.Duration(p.From) * rec.Period).Seconds(), (time.Duration(p.To+1) * rec.Period).Seconds()
				rp.PooledFrom, rp.PooledTo = &f, &t
			}
			if p.Estimated {
				rv.Estimated++
			}
			if p.LatencyEstimated {
				rv.LatencyEstimated++
			}
			rv.Series = append(rv.Series, rp)
		}
		info.Versions = append(info.Versions, rv)
	}
	act := rec.Actual()
	secs := func(d *time.Duration) *float64 {
		if d == nil {
			return nil
		}
		x := d.Seconds()
		return &x
	}
	str := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	doc := report.Replayed{Scenario: s.Name, Seed: m.Seed, Horizon: m.Horizon.Seconds(), Replay: info,
		Actual: report.ActualResult{Source: act.Source, Config: str(act.Config), Status: str(act.Status), ErrorCode: str(act.ErrorCode), RolledBack: act.RolledBack,
			DeploymentStart: act.DeploymentStart.Seconds(), FullShift: secs(act.FullShift), End: secs(act.End), Detected: secs(act.Detected),
			Requests: act.Requests, TargetRequests: act.TargetRequests, FailedRequests: act.FailedRequests, TargetFailedRequests: act.TargetFailedRequests},
		Results: []report.ReplayResult{}}
	for i, r := range results {
		doc.Results = append(doc.Results, report.ReplayResult{Result: report.FromSim(r, s.Strategies[i].Config.Name, false)})
	}
	doc.Compare()
	return doc
}

// repeated summarises a strategy's replays.
func repeated(t replay.Tally, actualFailed int64) *report.ReplayRuns {
	p := sweep.Wilson(t.Stopped, t.Runs)
	mean := func(xs []float64) (float64, [2]float64) {
		m, sd := stat.MeanStdDev(xs, nil)
		h := 1.96 * sd / math.Sqrt(float64(len(xs)))
		return m, [2]float64{m - h, m + h}
	}
	out := &report.ReplayRuns{Runs: t.Runs, StoppedProbability: p.P, StoppedCI95: [2]float64{p.Low, p.High}}
	out.FailedMean, out.FailedCI95 = mean(t.Failed)
	out.TargetFailedMean, out.TargetFailedCI95 = mean(t.Target)
	out.VsActualFailedMean = out.FailedMean - float64(actualFailed)
	return out
}

// replaySummary is the HTML page's scenario summary of a replay: the
// scenario's (with the recording's traffic and versions) and the notes.
func replaySummary(s *scenario.Scenario, rec *replay.Recording) []report.SummaryItem {
	out := scenarioSummary(s)
	var keep []report.SummaryItem
	for _, it := range out {
		if it.Label == "fault" || it.Label == "faults" || it.Label == "version" {
			continue // one per recorded period: the notes say it better
		}
		keep = append(keep, it)
	}
	keep = append(keep, report.SummaryItem{Label: "recording", Text: fmt.Sprintf("%s: %d periods of %v from %s",
		rec.File, rec.Periods, rec.Period, rec.Start.UTC().Format(time.RFC3339))})
	return keep
}
