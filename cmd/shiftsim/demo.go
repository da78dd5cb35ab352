package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/shiftsim/shiftsim/report"
	"github.com/shiftsim/shiftsim/scenario"
	"github.com/shiftsim/shiftsim/sim"
	"github.com/shiftsim/shiftsim/strategies"
)

func init() {
	register("demo", "play a deployment in the terminal at a chosen speed, narrated", cmdDemo)
}

// sleep is the demo's only use of the wall clock; tests replace it.
var sleep = time.Sleep

// wall is when, after the playback starts, virtual second at is shown: the
// waits are differences of these, so they add up to the window exactly
// however the events fall (sums of rounded deltas would drift).
func wall(at, speed float64) time.Duration {
	return time.Duration(at / speed * float64(time.Second))
}

// bar draws a weight as a 20-cell bar.
func bar(w float64) string {
	n := int(w*20 + 0.5)
	return "[" + strings.Repeat("#", n) + strings.Repeat(".", 20-n) + "]"
}

func cmdDemo(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("demo", "[SCENARIO]", "Plays one simulated deployment in the terminal, narrated step by step, at --speed times real\ntime. SCENARIO is a built-in scenario's name (default bad-canary) or a scenario file. The\nsimulation itself is instant and deterministic; only the playback waits.", stdout)
	speed := fs.Float64("speed", 60, "virtual seconds per real second (60: a minute a second; 0: no waiting)")
	strategy := fs.StringP("strategy", "s", "", "strategy to play (default: the scenario's first canary, else its first)")
	seed := fs.Uint64("seed", 0, "random seed (default: the scenario's seed)")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	name := "bad-canary"
	switch len(fs.Args()) {
	case 0:
	case 1:
		name = fs.Arg(0)
	default:
		return inputErrf("want at most one SCENARIO argument, got %d (see --help)", len(fs.Args()))
	}
	if err := checkFlag("--speed", *speed); err != nil {
		return err
	}
	s, err := loadScenario(name, stderr)
	if err != nil {
		return err
	}
	if fs.Changed("seed") {
		s.Model.Seed = *seed
	}
	chosen, err := demoStrategy(s, *strategy)
	if err != nil {
		return err
	}
	if err := startWork(s.File, job{&s.Model, 1, 1, false}); err != nil {
		return err
	}
	res, err := sim.Run(&s.Model, chosen)
	if err != nil {
		return err
	}
	r := report.FromSim(res, chosen.Config.Name, true)
	fmt.Fprintf(stdout, "shiftsim demo: %s, strategy %s, seed %d", s.Name, chosen.Name, s.Model.Seed)
	if *speed > 0 {
		fmt.Fprintf(stdout, ", %gx real time", *speed)
	}
	start := s.Model.DeployStart.Seconds()
	fmt.Fprintf(stdout, "\nt+ counts from the deployment start, %s into the simulated window (t- is before it)\n%s\n\n",
		sim.Clock(s.Model.DeployStart), strings.Repeat("-", 72))
	lines, summary := report.Narrate(r)
	prev := 0.0
	for _, l := range lines {
		if *speed > 0 && l.At > prev {
			sleep(wall(l.At, *speed) - wall(prev, *speed))
		}
		prev = l.At
		fmt.Fprintf(stdout, "%-11s %s %3.0f%%  %s\n", report.Since(l.At, start), bar(l.Weight), 100*l.Weight, l.Text)
	}
	if *speed > 0 && s.Model.Horizon.Seconds() > prev {
		sleep(wall(s.Model.Horizon.Seconds(), *speed) - wall(prev, *speed))
	}
	fmt.Fprintf(stdout, "%-11s end of the simulated window\n\n%s\n", report.Since(s.Model.Horizon.Seconds(), start), summary)
	return nil
}

// demoStrategy is --strategy, resolved as everywhere; by default the
// scenario's first canary (the most telling to watch), else its first.
func demoStrategy(s *scenario.Scenario, name string) (sim.Strategy, error) {
	if name != "" || len(s.Strategies) == 1 {
		return pickStrategy(s, name)
	}
	for _, st := range s.Strategies {
		if st.Config.Type == strategies.Canary {
			return st, nil
		}
	}
	return s.Strategies[0], nil
}
