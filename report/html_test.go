package report

import (
	"strings"
	"testing"
)

// The page opens with one verdict per strategy and the scenario summary,
// traffic first (counted from run 0), before the results table.
func TestHTMLOpensWithVerdictAndScenario(t *testing.T) {
	cause := "alarm:errors"
	end, full := 442.0, 300.0
	doc := Compared{Scenario: "s", Seed: 1, Horizon: 1800, Results: []Result{
		{Strategy: "AllAtOnce", Status: "Succeeded", DeploymentStart: 300, FullShift: &full, TargetFailedRequests: 7569},
		{Strategy: "Canary10Percent5Minutes", Status: "Stopped", RolledBack: true, RollbackCause: &cause, DeploymentStart: 300, End: &end, TargetFailedRequests: 59},
	}}
	run0 := Result{Strategy: "AllAtOnce", Versions: []Version{{Version: "1", Requests: 100000}, {Version: "2", Requests: 80000}}}
	var b strings.Builder
	err := HTML(&b, Page{Single: &doc, Timelines: []Result{run0}, Scenario: []SummaryItem{{"faults", "none"}, {"hooks", "none"}}})
	if err != nil {
		t.Fatal(err)
	}
	page := b.String()
	order := []string{
		"<h2>Verdict</h2>",
		"AllAtOnce: Succeeded, all traffic on the new version at t&#43;0m00s; 7569 failed requests on the new version",
		"Canary10Percent5Minutes: Stopped, rolled back at t&#43;2m22s (alarm:errors); 59 failed requests on the new version",
		"<h2>Scenario</h2>",
		// 180,000 requests over 1,800 s.
		"<dt>traffic</dt><dd>180000 requests in 30m00s of virtual time (100.0 per second on average; run 0 of AllAtOnce)</dd>",
		"<dt>faults</dt><dd>none</dd>",
		"<dt>hooks</dt><dd>none</dd>",
		"<table",
	}
	at := 0
	for _, s := range order {
		i := strings.Index(page[at:], s)
		if i < 0 {
			t.Fatalf("after offset %d the page lacks %q", at, s)
		}
		at += i + len(s)
	}
	for _, bad := range []string{"width: 1400px", "max-width: 50%", "width: 50%"} {
		if strings.Contains(page, bad) {
			t.Errorf("the page has a fixed width %q", bad)
		}
	}
}
