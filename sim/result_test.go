package sim_test

import (
	"testing"
	"time"

	"github.com/shiftsim/shiftsim/sim"
)

// Every timeline record has one canonical text, rendered from its fields.
func TestEntryText(t *testing.T) {
	v := [2]string{"1", "2"}
	for _, c := range []struct {
		e    sim.Entry
		want string
	}{
		{sim.Entry{Kind: sim.KindDeployment, Subject: "InProgress", Strategy: "Canary10Percent5Minutes", Alias: "fn:live", Versions: v},
			"deployment Canary10Percent5Minutes starts: fn:live moves from version 1 to 2"},
		{sim.Entry{Kind: sim.KindDeployment, Subject: "Succeeded", Strategy: "AllAtOnce"}, "deployment AllAtOnce: Succeeded"},
		{sim.Entry{Kind: sim.KindDeployment, Subject: "Stopped", Strategy: "AllAtOnce", ErrorCode: "ALARM_ACTIVE", Cause: "alarm:errs"},
			"deployment AllAtOnce: Stopped ALARM_ACTIVE alarm:errs"},
		{sim.Entry{Kind: sim.KindWeight, Alias: "fn:live", Versions: v, Percent: 12.5}, "UpdateAlias fn:live: version 2 weight 12.5%"},
		{sim.Entry{Kind: sim.KindWeight, Alias: "fn:live", Versions: v, Percent: 100},
			"UpdateAlias fn:live: FunctionVersion 2, no additional version (100% to 2)"},
		{sim.Entry{Kind: sim.KindWeight, Alias: "fn:live", Versions: v, Percent: 100, Bake: "; final bake: alarms watched for 10 min"},
			"UpdateAlias fn:live: FunctionVersion 2, no additional version (100% to 2); final bake: alarms watched for 10 min"},
		{sim.Entry{Kind: sim.KindRollback, Alias: "fn:live", Versions: v}, "rollback: UpdateAlias fn:live: FunctionVersion 1, no additional version"},
		{sim.Entry{Kind: sim.KindHook, Subject: "BeforeAllowTraffic", Invoked: true, Runs: 40 * time.Second, Faulty: true},
			"invoke BeforeAllowTraffic hook (runs 40s; target is faulty)"},
		{sim.Entry{Kind: sim.KindHook, Subject: "AfterAllowTraffic", Verdict: "Failed"}, "AfterAllowTraffic hook reports Failed"},
		{sim.Entry{Kind: sim.KindAlarm, Subject: "errs", From: "OK", To: "ALARM", Reason: "2 of 3 datapoints >= 5"},
			"alarm errs: OK -> ALARM (2 of 3 datapoints >= 5)"},
		{sim.Entry{Kind: sim.KindFault, Versions: v, ErrorRates: [2]float64{0.001, 0.2}}, "fault: version 1 error rate 0.001, version 2 error rate 0.2"},
	} {
		if got := c.e.Text(); got != c.want {
			t.Errorf("%s:\n got %q\nwant %q", c.e.Kind, got, c.want)
		}
	}
	e := sim.Entry{At: 90 * time.Second, Kind: sim.KindRollback, Alias: "a:b", Versions: v}
	if got := e.String(); got != "t+1m30s "+e.Text() {
		t.Errorf("String: %q", got)
	}
}
