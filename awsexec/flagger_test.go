package awsexec

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/shiftsim/shiftsim/analysis"
	"github.com/shiftsim/shiftsim/gate"
	"github.com/shiftsim/shiftsim/strategies"
)

// TestFlaggerPlanGates: a Flagger plan brings its analysis and its gates to
// the controller, as in the simulator; a gate the executor cannot read with
// one GetMetricData window (kayenta, sequential, the newest-datapoint
// lookback of Flagger's built-ins) is refused before anything runs.
func TestFlaggerPlanGates(t *testing.T) {
	min := 1.0
	fp := &strategies.FlaggerPlan{Analysis: analysis.Flagger{Interval: time.Minute, StepWeight: 10},
		Metrics: []strategies.FlaggerMetric{{Check: analysis.FlaggerMetric{Name: "errors", Range: analysis.Range{Max: &min}},
			Query: gate.Query{Kind: gate.ErrorRate, Window: 2 * time.Minute}}}}
	p := Plan{Executor: ExecAlias, Function: "fn", Alias: "live", Current: "1", Target: "2", Strategy: "f",
		Config: strategies.Config{Name: "f", Type: strategies.FlaggerType, Flagger: fp}}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	cfg := p.controllerConfig()
	if cfg.Flagger != fp || len(cfg.Gates) != 1 || cfg.Gates[0].Name != "errors" {
		t.Errorf("controller config %+v", cfg)
	}
	for _, q := range []gate.Query{{Kind: gate.Kayenta}, {Kind: gate.Sequential}} {
		fp.Metrics[0].Query = q
		if err := p.Validate(); err == nil || !strings.Contains(err.Error(), "measured by the simulator only") {
			t.Errorf("%v: %v", q, err)
		}
	}
	// Flagger's built-in checks look back for the newest datapoint: the
	// executor asks window after window, as the simulator reads them.
	fp.Metrics[0].Query = gate.Query{Kind: gate.SuccessRate, Version: gate.Target, Window: time.Minute, Lookback: 10}
	if err := p.Validate(); err != nil {
		t.Errorf("a lookback query: %v", err)
	}
}

// TestFlaggerPlanJournal: the journal's begin record holds a Flagger plan's
// analysis and checks, so that --resume replays the same gated controller
// and not a bare schedule; a begin record without them is refused with the
// way to reset the alias by hand.
func TestFlaggerPlanJournal(t *testing.T) {
	max := 1.0
	fp := &strategies.FlaggerPlan{Analysis: analysis.Flagger{Interval: time.Minute, StepWeight: 10, MaxWeight: 50, Threshold: 2},
		Metrics: []strategies.FlaggerMetric{{Check: analysis.FlaggerMetric{Name: "errors", Range: analysis.Range{Max: &max}, Interval: 2 * time.Minute},
			Query: gate.Query{Kind: gate.ErrorRate, Version: gate.Target, Window: 2 * time.Minute}}}}
	p := Plan{Executor: ExecAlias, Function: "fn", Alias: "live", Current: "1", Target: "2", Strategy: "f",
		Config: strategies.Config{Name: "f", Type: strategies.FlaggerType, Flagger: fp}}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(p.record())
	if err != nil {
		t.Fatal(err)
	}
	var rec planRecord
	if err := json.Unmarshal(b, &rec); err != nil {
		t.Fatal(err)
	}
	got, err := rec.plan()
	if err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	if !reflect.DeepEqual(got.Config.Flagger, fp) {
		t.Errorf("journaled Flagger plan %+v, want %+v\n%s", got.Config.Flagger, fp, b)
	}
	if !reflect.DeepEqual(got.controllerConfig().Gates, p.controllerConfig().Gates) {
		t.Errorf("gates after the journal %+v, want %+v", got.controllerConfig().Gates, p.controllerConfig().Gates)
	}
	rec.Config.Flagger = nil
	if _, err := rec.plan(); err == nil || !strings.Contains(err.Error(), "cannot be replayed") || !strings.Contains(err.Error(), "update-alias --function-name fn --name live --function-version 1") {
		t.Errorf("a begin record without the analysis: %v", err)
	}
}
