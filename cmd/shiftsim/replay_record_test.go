package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"

	"github.com/shiftsim/shiftsim/internal/awsfake"
	"github.com/shiftsim/shiftsim/replay"
	"github.com/shiftsim/shiftsim/scenario"
)

const replayAppSpec = `version: 0.0
Resources:
  - orders:
      Type: AWS::Lambda::Function
      Properties: {Name: orders, Alias: live, CurrentVersion: "1", TargetVersion: "2"}
`

// badDeployment runs, on the fake account, a Canary10Percent5Minutes
// deployment of orders:live 1 -> 2 created at minute 5 that the alarm on
// version 2's errors stops at minute 8, and stores the metrics Lambda
// would have published: 100 invocations a minute on the alias, 10 of them
// on version 2 in minutes 5 to 7, which fails 6 of them from minute 6 (the
// alarm's Sum >= 5 is breached by minute 6, published at minute 8 with
// Lambda's one-minute delay); version 1 fails one a minute. It returns the deployment's id.
func badDeployment(t *testing.T, f *awsfake.Server) string {
	t.Helper()
	f.PutFunction("orders", awsfake.Version{Version: "1"}, awsfake.Version{Version: "2"})
	f.SetAlias("orders", "live", "1", nil)
	f.AddMetricAlarm(awsfake.MetricAlarm{Name: "orders-v2-errors", Namespace: "AWS/Lambda", MetricName: "Errors", Statistic: "Sum",
		Dimensions: map[string]string{"FunctionName": "orders", "Resource": "orders:live", "ExecutedVersion": "2"},
		Period:     60, EvaluationPeriods: 1, Threshold: 5, ComparisonOperator: "GreaterThanOrEqualToThreshold", TreatMissingData: "notBreaching"}, awsfake.OK)
	f.AddDeploymentGroup("app", awsfake.DeploymentGroup{Name: "dg", ConfigName: "CodeDeployDefault.LambdaCanary10Percent5Minutes",
		Alarms: []string{"orders-v2-errors"}, AutoRollback: true})
	f.Clock.AdvanceTo(awsfake.Epoch.Add(5 * time.Minute))
	cd := codedeploy.NewFromConfig(f.AWSConfig(1))
	out, err := cd.CreateDeployment(context.Background(), &codedeploy.CreateDeploymentInput{ApplicationName: aws.String("app"), DeploymentGroupName: aws.String("dg"),
		Revision: &cdtypes.RevisionLocation{RevisionType: cdtypes.RevisionLocationTypeAppSpecContent, AppSpecContent: &cdtypes.AppSpecContent{Content: aws.String(replayAppSpec)}}})
	if err != nil {
		t.Fatal(err)
	}
	f.SetAlarmAt("orders-v2-errors", awsfake.Epoch.Add(8*time.Minute), awsfake.ALARM)
	f.Clock.AdvanceTo(awsfake.Epoch.Add(40 * time.Minute))
	dims := func(v string) map[string]string {
		m := map[string]string{"FunctionName": "orders", "Resource": "orders:live"}
		if v != "" {
			m["ExecutedVersion"] = v
		}
		return m
	}
	put := func(at time.Time, v string, n, errs int, ms float64) {
		ones, durs := make([]float64, n), make([]float64, n)
		for i := range ones {
			ones[i], durs[i] = 1, ms+float64(i%7)
		}
		for _, d := range []string{"", v} {
			f.PutMetric("AWS/Lambda", "Invocations", dims(d), at, ones...)
			f.PutMetric("AWS/Lambda", "Duration", dims(d), at, durs...)
			for range errs {
				f.PutMetric("AWS/Lambda", "Errors", dims(d), at, 1)
			}
		}
	}
	for m := range 30 {
		at := awsfake.Epoch.Add(time.Duration(m)*time.Minute + 17*time.Second)
		tgt, errs := 0, 0
		if m >= 5 && m < 8 {
			tgt = 10
			if m >= 6 {
				errs = 6
			}
		}
		put(at, "1", 100-tgt, 1, 50)
		if tgt > 0 {
			put(at, "2", tgt, errs, 70)
		}
	}
	return aws.ToString(out.DeploymentId)
}

// TestRecordDeploymentReplay: record --deployment-id against the fake
// account, then compare --replay-deployment on what it wrote: the sidecar
// says what CodeDeploy did, the scenario holds the group's alarm, and the
// actual row is exactly what was stored.
func TestRecordDeploymentReplay(t *testing.T) {
	f := fakeAccount(t)
	id := badDeployment(t, f)
	out := filepath.Join(t.TempDir(), "tuesday.json")
	code, stdout, stderr := runCLI("record", "--deployment-id", id, "--margin", "5m", "--endpoint-url", f.URL, "--out", out)
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	noSecrets(t, stdout, stderr)
	var side struct {
		From, To                      string
		CurrentVersion, TargetVersion string
		Deployment                    struct {
			DeploymentConfigName, Status, ErrorCode     string
			CreateTime, AllowTrafficStart, CompleteTime string
			RolledBack, AutoRollback                    bool
			Alarms                                      []string
		}
		Weights []struct {
			At           string
			TargetWeight float64
		}
		WeightsFrom string
	}
	b, err := os.ReadFile(replay.SidecarPath(out))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &side); err != nil {
		t.Fatal(err)
	}
	d := side.Deployment
	if side.From != "2026-06-01T12:00:00+00:00" || side.To != "2026-06-01T12:13:00+00:00" || side.CurrentVersion != "1" || side.TargetVersion != "2" ||
		d.DeploymentConfigName != "CodeDeployDefault.LambdaCanary10Percent5Minutes" || d.Status != "Stopped" || d.ErrorCode != "ALARM_ACTIVE" ||
		!d.RolledBack || !d.AutoRollback || d.CreateTime != "2026-06-01T12:05:00+00:00" || d.AllowTrafficStart != "2026-06-01T12:05:00+00:00" ||
		d.CompleteTime != "2026-06-01T12:08:00+00:00" || len(d.Alarms) != 1 || side.WeightsFrom != "deployment configuration" {
		t.Fatalf("sidecar %s", b)
	}
	if len(side.Weights) != 2 || side.Weights[0].TargetWeight != 0.1 || side.Weights[0].At != "2026-06-01T12:05:00+00:00" ||
		side.Weights[1].TargetWeight != 0 || side.Weights[1].At != "2026-06-01T12:08:00+00:00" {
		t.Fatalf("weights %+v", side.Weights)
	}
	s, err := scenario.Load(replay.ScenarioPath(out))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Model.Alarms) != 1 || s.Model.Alarms[0].Name != "orders-v2-errors" || s.Strategies[0].Name != "Canary10Percent5Minutes" || len(s.Strategies) != 5 {
		t.Fatalf("scenario: %d alarms, strategies %v", len(s.Model.Alarms), s.Strategies)
	}

	code, stdout, stderr = runCLI("compare", "--replay-deployment", out, "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	var doc struct {
		Actual struct {
			Source, Status       string
			DeploymentStart      float64 `json:"deployment_start_s"`
			End                  float64 `json:"end_s"`
			Detected             float64 `json:"detected_s"`
			Requests             int64
			TargetRequests       int64 `json:"target_requests"`
			FailedRequests       int64 `json:"failed_requests"`
			TargetFailedRequests int64 `json:"target_failed_requests"`
		}
		Results []struct {
			Strategy string
			Requests int64
		}
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatal(err)
	}
	a := doc.Actual
	// 13 minutes of 100 invocations; version 2: 30 invocations, 12 errors;
	// version 1: one error a minute.
	if a.Source != "codedeploy" || a.Status != "Stopped" || a.DeploymentStart != 300 || a.End != 480 || a.Detected != 480 || a.Requests != 1300 ||
		a.TargetRequests != 30 || a.TargetFailedRequests != 12 || a.FailedRequests != 25 {
		t.Fatalf("actual %+v", a)
	}
	if len(doc.Results) != 5 || doc.Results[0].Strategy != "Canary10Percent5Minutes" || doc.Results[0].Requests != 1300 {
		t.Fatalf("results %+v", doc.Results)
	}
	// The table says it for people.
	if code, table, _ := runCLI("compare", "--replay-deployment", out); code != 0 || !strings.Contains(table, "actual (CodeDeployDefault.LambdaCanary10Percent5Minutes)") {
		t.Fatalf("exit %d\n%s", code, table)
	}
}
