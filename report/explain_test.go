package report

import (
	"strings"
	"testing"
	"time"

	"github.com/shiftsim/shiftsim/sim"
)

// The narration reads the engine's records, not their text: an entry
// whose text says something else is told from its record.
func TestNarrateReadsRecords(t *testing.T) {
	recs := []sim.Entry{
		{Kind: sim.KindDeployment, Subject: "InProgress", Strategy: "AllAtOnce", Alias: "fn:live", Versions: [2]string{"1", "2"}},
		{Kind: sim.KindHook, Subject: "BeforeAllowTraffic", Invoked: true, Runs: 40 * time.Second},
		{Kind: sim.KindAlarm, Subject: "errs", From: "OK", To: "ALARM", Reason: "3 datapoints were greater than the threshold"},
		{Kind: sim.KindHook, Subject: "BeforeAllowTraffic", Verdict: "Failed"},
	}
	r := Result{Strategy: "AllAtOnce", Config: "AllAtOnce", Versions: []Version{{Version: "1"}, {Version: "2"}}}
	for i, rec := range recs {
		rec.At = time.Duration(i) * time.Second
		r.Timeline = append(r.Timeline, Entry{At: rec.At.Seconds(), Kind: string(rec.Kind), Subject: rec.Subject,
			From: rec.From, To: rec.To, Text: "(not this text)", Record: rec})
	}
	lines, _ := Narrate(r)
	want := []string{
		"CodeDeploy starts the deployment (AllAtOnce): fn:live moves from version 1 to 2.",
		"CodeDeploy invokes the BeforeAllowTraffic hook, the user's own test function (runs 40s; target is healthy).",
		"CloudWatch moves alarm errs from OK to ALARM: 3 datapoints were greater than the threshold. CodeDeploy stops",
		"The BeforeAllowTraffic hook reports Failed:",
	}
	if len(lines) != len(want) {
		t.Fatalf("%d lines, want %d: %+v", len(lines), len(want), lines)
	}
	for i, l := range lines {
		if !strings.HasPrefix(l.Text, want[i]) {
			t.Errorf("line %d:\n got %s\nwant %s...", i, l.Text, want[i])
		}
	}
	// An entry made by hand, without a record, is told as its text.
	r.Timeline = []Entry{{Kind: "note", Text: "something else"}}
	if lines, _ := Narrate(r); len(lines) != 1 || lines[0].Text != "something else" {
		t.Errorf("hand-made entry: %+v", lines)
	}
}
