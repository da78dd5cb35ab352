package awsexec_test

import (
	"slices"
	"testing"
	"time"

	"github.com/shiftsim/shiftsim/awsexec"
)

// A recording of a deployment spans margin before its creation to margin
// after its completion, on whole minutes, and stops at now.
func TestDeploymentWindow(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	created, complete := at("2026-12-01T10:03:20Z"), at("2026-12-01T10:14:05Z")
	for _, tc := range []struct {
		name             string
		complete, now    time.Time
		wantFrom, wantTo string
	}{
		// 10:03:20 − 15m = 09:48:20 → 09:48; 10:14:05 + 15m = 10:29:05 → 10:30 (its minute included).
		{"ended long ago", complete, at("2026-12-02T00:00:00Z"), "2026-12-01T09:48:00Z", "2026-12-01T10:30:00Z"},
		{"ended less than the margin ago", complete, at("2026-12-01T10:20:00Z"), "2026-12-01T09:48:00Z", "2026-12-01T10:20:00Z"},
		{"still running", time.Time{}, at("2026-12-01T10:07:31Z"), "2026-12-01T09:48:00Z", "2026-12-01T10:07:31Z"},
	} {
		d := &awsexec.Deployment{Function: "orders", Alias: "live", Current: "1", Target: "2", Created: created, Complete: tc.complete}
		from, to := d.Window(15*time.Minute, tc.now)
		if from != at(tc.wantFrom) || to != at(tc.wantTo) {
			t.Errorf("%s: [%v, %v), want [%s, %s)", tc.name, from, to, tc.wantFrom, tc.wantTo)
		}
		r := d.RecordRequest(time.Minute, from, to)
		if r.Function != "orders" || r.Alias != "live" || r.Current != "1" || r.Target != "2" || !slices.Equal(r.Versions, []string{"1", "2"}) ||
			r.Period != time.Minute || r.From != from || r.To != to {
			t.Errorf("%s: request %+v", tc.name, r)
		}
	}
}
