package main

import (
	"bytes"
	"context"
	"flag"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"

	"github.com/shiftsim/shiftsim/internal/awsfake"
	"github.com/shiftsim/shiftsim/replay"
)

var updateExample = flag.Bool("update-example", false, "rewrite examples/deployment*.{json,yaml} from the fake account")

// exampleDeployment is the story of examples/deployment.json, played on the
// fake account and recorded with `shiftsim record --deployment-id`:
// orders:live serves about 20 requests a second (a slow rise, Poisson
// noise per minute). At 12:10 a Canary10Percent5Minutes deployment sends
// version 2 a tenth of them; version 2 is slower (median 62 ms against
// 48 ms) and, from 12:12, fails 6 % of its requests where version 1 fails
// 0.2 %. The group's alarm — version 2's Errors, Sum >= 5 in a minute —
// goes into ALARM when the first such minute is published (one minute
// after it ends) and CodeDeploy stops the deployment and rolls back.
// Durations are log-normal per request; all draws come from one seed.
func exampleDeployment(t *testing.T, f *awsfake.Server) string {
	t.Helper()
	rng := rand.New(rand.NewPCG(2026, 6))
	f.PutFunction("orders", awsfake.Version{Version: "1", MemorySize: 512}, awsfake.Version{Version: "2", MemorySize: 512})
	f.SetAlias("orders", "live", "1", nil)
	f.AddMetricAlarm(awsfake.MetricAlarm{Name: "orders-live-new-version-errors", Namespace: "AWS/Lambda", MetricName: "Errors", Statistic: "Sum",
		Dimensions: map[string]string{"FunctionName": "orders", "Resource": "orders:live", "ExecutedVersion": "2"},
		Period:     60, EvaluationPeriods: 1, Threshold: 5, ComparisonOperator: "GreaterThanOrEqualToThreshold", TreatMissingData: "notBreaching"}, awsfake.OK)
	f.AddDeploymentGroup("orders-app", awsfake.DeploymentGroup{Name: "orders-live", ConfigName: "CodeDeployDefault.LambdaCanary10Percent5Minutes",
		Alarms: []string{"orders-live-new-version-errors"}, AutoRollback: true})
	const start, minutes = 10, 40
	dims := func(v string) map[string]string {
		m := map[string]string{"FunctionName": "orders", "Resource": "orders:live"}
		if v != "" {
			m["ExecutedVersion"] = v
		}
		return m
	}
	poisson := func(mean float64) int { // Knuth's, in chunks: exact, fine at these means
		n := 0
		for mean > 0 {
			m := min(mean, 30)
			mean -= m
			l, p := math.Exp(-m), 1.0
			for p *= rng.Float64(); p > l; p *= rng.Float64() {
				n++
			}
		}
		return n
	}
	alarmAt := time.Time{}
	for m := range minutes {
		at := awsfake.Epoch.Add(time.Duration(m)*time.Minute + 30*time.Second)
		total := poisson(60 * (18 + 4*float64(m)/minutes))
		share := 0.0
		if m >= start && (alarmAt.IsZero() || at.Before(alarmAt)) {
			share = 0.1
		}
		var n [2]int
		for range total {
			if rng.Float64() < share {
				n[1]++
			} else {
				n[0]++
			}
		}
		for v, name := range []string{"1", "2"} {
			if n[v] == 0 {
				continue
			}
			ones, durs := make([]float64, n[v]), make([]float64, n[v])
			errs := 0
			median, rate := 48.0, 0.002
			if v == 1 {
				median = 62
				if m >= start+2 {
					rate = 0.06
				}
			}
			for i := range ones {
				ones[i] = 1
				durs[i] = math.Round(median*math.Exp(0.45*rng.NormFloat64())*100) / 100
				if rng.Float64() < rate {
					errs++
				}
			}
			for _, d := range []string{"", name} {
				f.PutMetric("AWS/Lambda", "Invocations", dims(d), at, ones...)
				f.PutMetric("AWS/Lambda", "Duration", dims(d), at, durs...)
				f.PutMetric("AWS/Lambda", "Errors", dims(d), at, make([]float64, n[v]-errs)...)
				for range errs {
					f.PutMetric("AWS/Lambda", "Errors", dims(d), at, 1)
				}
			}
			if v == 1 && errs >= 5 && alarmAt.IsZero() {
				alarmAt = awsfake.Epoch.Add(time.Duration(m+2) * time.Minute)
			}
		}
	}
	if alarmAt.IsZero() {
		t.Fatal("the example's alarm never fires")
	}
	f.Clock.AdvanceTo(awsfake.Epoch.Add(start * time.Minute))
	cd := codedeploy.NewFromConfig(f.AWSConfig(1))
	out, err := cd.CreateDeployment(context.Background(), &codedeploy.CreateDeploymentInput{ApplicationName: aws.String("orders-app"), DeploymentGroupName: aws.String("orders-live"),
		Revision: &cdtypes.RevisionLocation{RevisionType: cdtypes.RevisionLocationTypeAppSpecContent, AppSpecContent: &cdtypes.AppSpecContent{Content: aws.String(replayAppSpec)}}})
	if err != nil {
		t.Fatal(err)
	}
	f.SetAlarmAt("orders-live-new-version-errors", alarmAt, awsfake.ALARM)
	f.Clock.AdvanceTo(awsfake.Epoch.Add(minutes * time.Minute))
	return aws.ToString(out.DeploymentId)
}

// TestExampleRecording: examples/deployment.json and its sidecar and
// scenario are what `shiftsim record --deployment-id` writes for the
// story of exampleDeployment (go test -run TestExampleRecording
// -update-example rewrites them), and they replay.
func TestExampleRecording(t *testing.T) {
	f := fakeAccount(t)
	id := exampleDeployment(t, f)
	dir := t.TempDir()
	out := filepath.Join(dir, "deployment.json")
	if code, stdout, stderr := runCLI("record", "--deployment-id", id, "--margin", "10m", "--endpoint-url", f.URL, "--out", out); code != 0 {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	for _, p := range []string{out, replay.SidecarPath(out), replay.ScenarioPath(out)} {
		got, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		golden := filepath.Join("..", "..", "examples", filepath.Base(p))
		if *updateExample {
			if err := os.WriteFile(golden, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is not what record writes for the example's story: go test ./cmd/shiftsim -run TestExampleRecording -update-example", golden)
		}
	}
	code, stdout, stderr := runCLI("compare", "--replay-deployment", filepath.Join("..", "..", "examples", "deployment.json"))
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	t.Log(stdout)
}
