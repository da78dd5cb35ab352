package main

import (
	"strings"
	"testing"
)

// `run` on a Flagger plan gated by the continuous sequential test: a
// target whose latency median is 60 % above the current version's is
// stopped by the gate (cause gate:latency-seq), the same plan on a twin
// target succeeds, and the timeline narrates the p-values.
func TestRunSequentialLatencyGate(t *testing.T) {
	doc := func(targetMedian string) string {
		return `name: seqlat
seed: 2
horizon: 20m
function: {name: f, alias: live}
traffic: {rate: 20}
versions:
  current: {version: "1", error_rate: 0, latency: {median: 50ms, p99: 150ms}}
  target:  {version: "2", error_rate: 0, latency: {median: ` + targetMedian + `, p99: 150ms}}
monitoring: {metric_delay: 0s, alarm_poll_interval: 0s, poll_phase: 0s}
deployment:
  start: 0s
  strategies:
    - name: flagger-seq
      analysis:
        interval: 1m
        threshold: 1
        stepWeight: 10
        maxWeight: 50
        metrics:
          - name: latency-seq
            thresholdRange: {min: 0.05}
            provider: {query: sequential_latency, oneSided: true}
`
	}
	slow := runJSON(t, writeTemp(t, "slow.yaml", doc("80ms")), "--strategy", "flagger-seq").Results[0]
	if slow.Status != "Stopped" || slow.Cause != "gate:latency-seq" || !slow.RolledBack {
		t.Errorf("slower target: %s %q rolled back %v", slow.Status, slow.Cause, slow.RolledBack)
	}
	twin := runJSON(t, writeTemp(t, "twin.yaml", doc("50ms")), "--strategy", "flagger-seq").Results[0]
	if twin.Status != "Succeeded" {
		t.Errorf("twin: %s %q", twin.Status, twin.Cause)
	}
	seen := false
	for _, e := range twin.Timeline {
		seen = seen || (e.Kind == "gate" && strings.Contains(e.Text, "sequential_latency"))
	}
	if !seen {
		t.Error("no gate entry names the sequential_latency query")
	}
}
