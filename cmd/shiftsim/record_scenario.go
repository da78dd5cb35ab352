package main

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"

	"github.com/shiftsim/shiftsim/awsexec"
	"github.com/shiftsim/shiftsim/importer"
	"github.com/shiftsim/shiftsim/strategies"
)

// replayAlternatives are the strategies a recorded deployment is compared
// with, after its own: the predefined Lambda configurations people pick
// most, from the fastest to the most careful.
var replayAlternatives = []string{"AllAtOnce", "Canary10Percent5Minutes", "Canary10Percent15Minutes", "Linear10PercentEvery1Minute", "Linear10PercentEvery3Minutes"}

// deploymentScenario is the scenario record --deployment-id writes next to
// the recording: the function, alias and versions of the deployment, its
// deployment group's alarms (as describe-alarms printed them, through the
// alarms importer) and auto-rollback setting, its own configuration and
// the usual alternatives. Replay takes traffic and behaviour from the
// recording; the scenario's traffic and version defaults are not used.
func deploymentScenario(d *awsexec.Deployment) ([]byte, error) {
	id := d.Info.DeploymentId
	from := "the recorded deployment " + id
	draft := &importer.Draft{Source: id}
	if len(d.Alarms) > 0 {
		// The state the alarms were in when recorded is no state of the
		// replay's: its alarms start as new ones do.
		alarms := make([]map[string]any, len(d.Alarms))
		for i, a := range d.Alarms {
			alarms[i] = maps.Clone(a)
			delete(alarms[i], "StateValue")
		}
		b, err := json.Marshal(map[string]any{"MetricAlarms": alarms, "CompositeAlarms": []any{}})
		if err != nil {
			return nil, err
		}
		if draft, err = importer.AlarmsImport(id+" (deployment group "+d.Info.DeploymentGroupName+", describe-alarms)", b, importer.Options{}); err != nil {
			return nil, err
		}
	}
	draft.Command = "shiftsim record --deployment-id " + id
	draft.Name = "replay-" + id
	draft.Function = &importer.Function{Name: d.Function, Alias: d.Alias, NameFrom: from, AliasFrom: from}
	draft.Versions = &importer.Versions{Current: d.Current, Target: d.Target, CurrentFrom: from, TargetFrom: from}
	rollback := d.Info.AutoRollback
	draft.AutoRollback, draft.RollbackFrom = &rollback, "the deployment group "+d.Info.DeploymentGroupName
	draft.Application, draft.ApplicationFrom = d.Info.ApplicationName, from
	draft.DeploymentGroup, draft.DeploymentGroupFrom = d.Info.DeploymentGroupName, from
	draft.Strategies = nil
	own := strings.TrimPrefix(d.Info.DeploymentConfigName, "CodeDeployDefault.Lambda")
	if _, err := strategies.Lookup(own); err == nil {
		draft.Strategies = append(draft.Strategies, importer.Strategy{Name: own, From: "the configuration of " + id})
	} else {
		routing := d.Routing
		draft.Strategies = append(draft.Strategies, importer.Strategy{Custom: &strategies.DeploymentConfig{DeploymentConfigName: d.Info.DeploymentConfigName,
			ComputePlatform: strategies.Lambda, TrafficRoutingConfig: &routing}, From: "the configuration of " + id})
	}
	for _, name := range replayAlternatives {
		if !slices.ContainsFunc(draft.Strategies, func(s importer.Strategy) bool { return s.Key() == name }) {
			draft.Strategies = append(draft.Strategies, importer.Strategy{Name: name, From: "an alternative to compare"})
		}
	}
	doc, err := draft.Scenario()
	if err != nil {
		return nil, err
	}
	return append([]byte(replayScenarioHeader), doc...), nil
}

// replayScenarioHeader opens the scenario record writes: what a replay
// takes from it and what from the recording.
const replayScenarioHeader = `# The scenario of a recorded deployment, for: shiftsim compare --replay-deployment RECORDING
# A replay takes the traffic, each version's error rate and latency, the deployment's start and
# the horizon from the recording (docs/replay.md); from this file it takes the alarms, monitoring
# (metric delay, alarm poll interval), auto_rollback and the strategies to compare. Edit those.
#
`
