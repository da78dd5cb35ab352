package awsfake_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"

	"github.com/shiftsim/shiftsim/internal/awsfake"
)

func newFake(t *testing.T) (*awsfake.Server, *lambda.Client, *codedeploy.Client, *cloudwatch.Client) {
	t.Helper()
	s := awsfake.New(nil, 1)
	t.Cleanup(s.Close)
	cfg := s.AWSConfig(3)
	return s, lambda.NewFromConfig(cfg), codedeploy.NewFromConfig(cfg), cloudwatch.NewFromConfig(cfg)
}

func code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// TestLambdaWire drives the REST-JSON operations through the real SDK client.
func TestLambdaWire(t *testing.T) {
	s, lc, _, _ := newFake(t)
	ctx := context.Background()
	s.PutFunction("orders", awsfake.Version{Version: "1"}, awsfake.Version{Version: "2", MemorySize: 512, Timeout: 10, Architectures: []string{"arm64"}})
	s.SetAlias("orders", "live", "1", nil)

	a, err := lc.GetAlias(ctx, &lambda.GetAliasInput{FunctionName: aws.String("orders"), Name: aws.String("live")})
	if err != nil {
		t.Fatal(err)
	}
	if *a.FunctionVersion != "1" || a.RoutingConfig != nil || *a.RevisionId == "" {
		t.Fatalf("GetAlias = version %s routing %v revision %q", *a.FunctionVersion, a.RoutingConfig, *a.RevisionId)
	}
	u, err := lc.UpdateAlias(ctx, &lambda.UpdateAliasInput{FunctionName: aws.String("orders"), Name: aws.String("live"),
		FunctionVersion: aws.String("1"), RevisionId: a.RevisionId,
		RoutingConfig: &ltypes.AliasRoutingConfiguration{AdditionalVersionWeights: map[string]float64{"2": 0.1}}})
	if err != nil {
		t.Fatal(err)
	}
	if w := u.RoutingConfig.AdditionalVersionWeights["2"]; w != 0.1 {
		t.Fatalf("weight %v, want 0.1", w)
	}
	// A stale revision is refused: optimistic locking.
	_, err = lc.UpdateAlias(ctx, &lambda.UpdateAliasInput{FunctionName: aws.String("orders"), Name: aws.String("live"),
		FunctionVersion: aws.String("2"), RevisionId: a.RevisionId})
	var pf *ltypes.PreconditionFailedException
	if !errors.As(err, &pf) {
		t.Fatalf("stale RevisionId: err %v, want PreconditionFailedException", err)
	}
	// An empty routing config clears the routing.
	u, err = lc.UpdateAlias(ctx, &lambda.UpdateAliasInput{FunctionName: aws.String("orders"), Name: aws.String("live"),
		FunctionVersion: aws.String("2"), RevisionId: u.RevisionId,
		RoutingConfig: &ltypes.AliasRoutingConfiguration{AdditionalVersionWeights: map[string]float64{}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Alias("orders", "live"); got.String() != "2" {
		t.Fatalf("alias %s, want 2", got)
	}
	c, err := lc.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String("orders"), Qualifier: aws.String("2")})
	if err != nil {
		t.Fatal(err)
	}
	if *c.MemorySize != 512 || *c.Timeout != 10 || c.Architectures[0] != ltypes.ArchitectureArm64 || *c.Version != "2" {
		t.Fatalf("configuration %+v", c)
	}
	_, err = lc.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String("orders"), Qualifier: aws.String("9")})
	var nf *ltypes.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Fatalf("missing version: err %v", err)
	}

	s.SetHook("pre", awsfake.Hook{Result: awsfake.HookErrors, Duration: 30 * time.Second})
	start := s.Clock.Now()
	out, err := lc.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("pre"), Payload: []byte(`{"DeploymentId":"x"}`)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.FunctionError) != "Unhandled" || s.Clock.Now().Sub(start) != 30*time.Second {
		t.Fatalf("Invoke: function error %q, clock moved %v", aws.ToString(out.FunctionError), s.Clock.Now().Sub(start))
	}
	if got := s.Invocations("pre"); len(got) != 1 || got[0] != `{"DeploymentId":"x"}` {
		t.Fatalf("invocations %q", got)
	}
}

// TestCodeDeployWire runs a canary deployment, then one stopped by an alarm.
func TestCodeDeployWire(t *testing.T) {
	s, lc, cd, _ := newFake(t)
	ctx := context.Background()
	s.AddFunction("orders", "1", "2", "3")
	s.SetAlias("orders", "live", "1", nil)
	s.AddAlarm("errors", awsfake.OK)
	s.AddDeploymentGroup("app", awsfake.DeploymentGroup{Name: "dg", Alarms: []string{"errors"}, AutoRollback: true})

	_, err := cd.CreateDeploymentConfig(ctx, &codedeploy.CreateDeploymentConfigInput{
		DeploymentConfigName: aws.String("Canary20Percent2Minutes"), ComputePlatform: cdtypes.ComputePlatformLambda,
		TrafficRoutingConfig: &cdtypes.TrafficRoutingConfig{Type: cdtypes.TrafficRoutingTypeTimeBasedCanary,
			TimeBasedCanary: &cdtypes.TimeBasedCanary{CanaryPercentage: 20, CanaryInterval: 2}}})
	if err != nil {
		t.Fatal(err)
	}
	gc, err := cd.GetDeploymentConfig(ctx, &codedeploy.GetDeploymentConfigInput{DeploymentConfigName: aws.String("Canary20Percent2Minutes")})
	if err != nil || gc.DeploymentConfigInfo.TrafficRoutingConfig.TimeBasedCanary.CanaryPercentage != 20 {
		t.Fatalf("GetDeploymentConfig: %v %+v", err, gc)
	}
	_, err = cd.GetDeploymentConfig(ctx, &codedeploy.GetDeploymentConfigInput{DeploymentConfigName: aws.String("nope")})
	if code(err) != "DeploymentConfigDoesNotExistException" {
		t.Fatalf("missing config: %v", err)
	}

	appspec := func(cur, tgt string) *cdtypes.RevisionLocation {
		c := "version: 0.0\nResources:\n  - orders:\n      Type: AWS::Lambda::Function\n      Properties:\n        Name: \"orders\"\n        Alias: \"live\"\n        CurrentVersion: \"" + cur + "\"\n        TargetVersion: \"" + tgt + "\"\n"
		return &cdtypes.RevisionLocation{RevisionType: cdtypes.RevisionLocationTypeAppSpecContent, AppSpecContent: &cdtypes.AppSpecContent{Content: aws.String(c)}}
	}
	d, err := cd.CreateDeployment(ctx, &codedeploy.CreateDeploymentInput{ApplicationName: aws.String("app"), DeploymentGroupName: aws.String("dg"),
		DeploymentConfigName: aws.String("Canary20Percent2Minutes"), Revision: appspec("1", "2")})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Alias("orders", "live"); got.String() != "1+2@0.2" {
		t.Fatalf("after create: alias %s", got)
	}
	_, err = cd.CreateDeployment(ctx, &codedeploy.CreateDeploymentInput{ApplicationName: aws.String("app"), DeploymentGroupName: aws.String("dg"), Revision: appspec("1", "2")})
	if code(err) != "DeploymentLimitExceededException" {
		t.Fatalf("second deployment: %v", err)
	}
	ld, err := cd.ListDeployments(ctx, &codedeploy.ListDeploymentsInput{ApplicationName: aws.String("app"), DeploymentGroupName: aws.String("dg"),
		IncludeOnlyStatuses: []cdtypes.DeploymentStatus{cdtypes.DeploymentStatusInProgress}})
	if err != nil || len(ld.Deployments) != 1 {
		t.Fatalf("ListDeployments: %v %v", err, ld)
	}
	s.Clock.Advance(2 * time.Minute)
	gd, err := cd.GetDeployment(ctx, &codedeploy.GetDeploymentInput{DeploymentId: d.DeploymentId})
	if err != nil {
		t.Fatal(err)
	}
	if gd.DeploymentInfo.Status != cdtypes.DeploymentStatusSucceeded || gd.DeploymentInfo.CompleteTime.Sub(awsfake.Epoch) != 2*time.Minute {
		t.Fatalf("status %s complete %v", gd.DeploymentInfo.Status, gd.DeploymentInfo.CompleteTime)
	}
	tg, err := cd.GetDeploymentTarget(ctx, &codedeploy.GetDeploymentTargetInput{DeploymentId: d.DeploymentId, TargetId: aws.String("orders:live")})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range tg.DeploymentTarget.LambdaTarget.LifecycleEvents {
		names = append(names, *e.LifecycleEventName+" "+string(e.Status))
	}
	if got := strings.Join(names, ", "); got != "Start Succeeded, BeforeAllowTraffic Skipped, AllowTraffic Succeeded, AfterAllowTraffic Skipped, End Succeeded" {
		t.Fatalf("lifecycle: %s", got)
	}

	// 2 → 3, the alarm fires 30 s into a linear shift: Stopped, rolled back.
	s.SetAlarmAt("errors", s.Clock.Now().Add(90*time.Second), awsfake.ALARM)
	d2, err := cd.CreateDeployment(ctx, &codedeploy.CreateDeploymentInput{ApplicationName: aws.String("app"), DeploymentGroupName: aws.String("dg"),
		DeploymentConfigName: aws.String("CodeDeployDefault.LambdaLinear10PercentEvery1Minute"), Revision: appspec("2", "3")})
	if err != nil {
		t.Fatal(err)
	}
	s.Clock.Advance(5 * time.Minute)
	gd, err = cd.GetDeployment(ctx, &codedeploy.GetDeploymentInput{DeploymentId: d2.DeploymentId})
	if err != nil {
		t.Fatal(err)
	}
	if gd.DeploymentInfo.Status != cdtypes.DeploymentStatusStopped || gd.DeploymentInfo.ErrorInformation.Code != cdtypes.ErrorCodeAlarmActive ||
		gd.DeploymentInfo.RollbackInfo == nil || aws.ToString(gd.DeploymentInfo.RollbackInfo.RollbackDeploymentId) == "" {
		t.Fatalf("deployment %s %+v %+v", gd.DeploymentInfo.Status, gd.DeploymentInfo.ErrorInformation, gd.DeploymentInfo.RollbackInfo)
	}
	var hist []string
	for _, h := range s.AliasHistory("orders", "live") {
		hist = append(hist, h.At.Sub(awsfake.Epoch).String()+" "+h.String())
	}
	want := "0s 1, 0s 1+2@0.2, 2m0s 2, 2m0s 2+3@0.1, 3m0s 2+3@0.2, 3m30s 2"
	if got := strings.Join(hist, ", "); got != want {
		t.Fatalf("alias history\n got %s\nwant %s", got, want)
	}
	a, err := lc.GetAlias(ctx, &lambda.GetAliasInput{FunctionName: aws.String("orders"), Name: aws.String("live")})
	if err != nil || *a.FunctionVersion != "2" || a.RoutingConfig != nil {
		t.Fatalf("alias after rollback: %v %+v", err, a)
	}
}

// TestCloudWatchWire checks the RPC v2 CBOR operations.
func TestCloudWatchWire(t *testing.T) {
	s, _, _, cw := newFake(t)
	ctx := context.Background()
	s.AddAlarm("a", awsfake.OK)
	s.AddAlarm("b", awsfake.InsufficientData)
	s.SetAlarmAt("a", awsfake.Epoch.Add(time.Minute), awsfake.ALARM)
	out, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{"a", "b", "gone"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.MetricAlarms) != 2 || out.MetricAlarms[0].StateValue != cwtypes.StateValueOk || out.MetricAlarms[1].StateValue != cwtypes.StateValueInsufficientData {
		t.Fatalf("DescribeAlarms %+v", out.MetricAlarms)
	}
	s.Clock.Advance(time.Minute)
	out, err = cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{"a"}})
	if err != nil || out.MetricAlarms[0].StateValue != cwtypes.StateValueAlarm || !out.MetricAlarms[0].StateUpdatedTimestamp.Equal(awsfake.Epoch.Add(time.Minute)) {
		t.Fatalf("after a minute: %v %+v", err, out.MetricAlarms)
	}

	dims := map[string]string{"FunctionName": "orders", "Resource": "orders:live", "ExecutedVersion": "2"}
	for m := range 3 {
		at := awsfake.Epoch.Add(time.Duration(m) * time.Minute)
		s.PutMetric("AWS/Lambda", "Duration", dims, at.Add(10*time.Second), 10, 20, 30, 40)
	}
	s.SetMetricPageSize(2)
	q := func(stat string) cwtypes.MetricDataQuery {
		var ds []cwtypes.Dimension
		for _, k := range []string{"FunctionName", "Resource", "ExecutedVersion"} {
			ds = append(ds, cwtypes.Dimension{Name: aws.String(k), Value: aws.String(dims[k])})
		}
		return cwtypes.MetricDataQuery{Id: aws.String(strings.ToLower(stat)), MetricStat: &cwtypes.MetricStat{
			Metric: &cwtypes.Metric{Namespace: aws.String("AWS/Lambda"), MetricName: aws.String("Duration"), Dimensions: ds},
			Period: aws.Int32(60), Stat: aws.String(stat)}}
	}
	in := &cloudwatch.GetMetricDataInput{MetricDataQueries: []cwtypes.MetricDataQuery{q("Average"), q("p75")},
		StartTime: aws.Time(awsfake.Epoch), EndTime: aws.Time(awsfake.Epoch.Add(time.Hour)), ScanBy: cwtypes.ScanByTimestampAscending}
	got := map[string][]float64{}
	pages := 0
	for p := cloudwatch.NewGetMetricDataPaginator(cw, in); p.HasMorePages(); pages++ {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.MetricDataResults {
			got[*r.Id] = append(got[*r.Id], r.Values...)
			for i, ts := range r.Timestamps {
				if ts.Second() != 0 {
					t.Fatalf("timestamp %v not on a minute (%d)", ts, i)
				}
			}
		}
	}
	if pages != 3 || len(got["average"]) != 3 || got["average"][0] != 25 || got["p75"][2] != 30 {
		t.Fatalf("pages %d, results %v", pages, got)
	}
	lm, err := cw.ListMetrics(ctx, &cloudwatch.ListMetricsInput{Namespace: aws.String("AWS/Lambda"),
		Dimensions: []cwtypes.DimensionFilter{{Name: aws.String("Resource"), Value: aws.String("orders:live")}}})
	if err != nil || len(lm.Metrics) != 1 || len(lm.Metrics[0].Dimensions) != 3 {
		t.Fatalf("ListMetrics: %v %+v", err, lm)
	}
}

// TestFaults checks that every fault kind reaches the SDK as what it is.
func TestFaults(t *testing.T) {
	s, lc, cd, cw := newFake(t)
	ctx := context.Background()
	s.AddFunction("orders", "1")
	s.SetAlias("orders", "live", "1", nil)
	get := func() error {
		_, err := lc.GetAlias(ctx, &lambda.GetAliasInput{FunctionName: aws.String("orders"), Name: aws.String("live")})
		return err
	}
	// Two throttles then success: the standard retryer's three attempts suffice.
	s.AddFault(&awsfake.Fault{Service: awsfake.Lambda, Kind: awsfake.Throttle, Count: 2})
	if err := get(); err != nil {
		t.Fatalf("after 2 throttles: %v", err)
	}
	s.ClearFaults()
	s.AddFault(&awsfake.Fault{Service: awsfake.Lambda, Kind: awsfake.Throttle})
	var tm *ltypes.TooManyRequestsException
	if err := get(); !errors.As(err, &tm) {
		t.Fatalf("always throttled: %v", err)
	}
	s.ClearFaults()
	s.AddFault(&awsfake.Fault{Kind: awsfake.ServerError})
	if _, err := cd.ListDeployments(ctx, &codedeploy.ListDeploymentsInput{}); code(err) != "InternalFailure" {
		t.Fatalf("CodeDeploy 500: %v", err)
	}
	if _, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{}); code(err) != "InternalServiceFault" {
		t.Fatalf("CloudWatch 500: %v", err)
	}
	s.ClearFaults()
	s.AddFault(&awsfake.Fault{Service: awsfake.CloudWatch, Kind: awsfake.Throttle})
	if _, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{}); code(err) != "Throttling" {
		t.Fatalf("CloudWatch throttle: %v", err)
	}
	s.ClearFaults()
	s.AddFault(&awsfake.Fault{Kind: awsfake.Drop, Count: 1})
	if err := get(); err != nil {
		t.Fatalf("one dropped connection is retried: %v", err)
	}
	s.ClearFaults()
	s.AddFault(&awsfake.Fault{Kind: awsfake.Slow, Delay: 1500 * time.Millisecond, Count: 1})
	if err := get(); err != nil {
		t.Fatalf("one slow answer (client timeout) is retried: %v", err)
	}
	s.ClearFaults()
	// Each fault is counted where it fired: 2 + 3 throttled GetAlias, every
	// one of the three attempts of the others.
	for _, c := range []struct {
		kind    awsfake.FaultKind
		svc, op string
		want    int
	}{
		{awsfake.Throttle, awsfake.Lambda, "GetAlias", 5},
		{awsfake.ServerError, awsfake.CodeDeploy, "ListDeployments", 3},
		{awsfake.ServerError, awsfake.CloudWatch, "DescribeAlarms", 3},
		{awsfake.Throttle, awsfake.CloudWatch, "", 3},
		{awsfake.Drop, "", "", 1},
		{awsfake.Slow, awsfake.Lambda, "GetAlias", 1},
		{0, "", "", 16},
	} {
		if got := s.FiredCount(c.kind, c.svc, c.op); got != c.want {
			t.Errorf("FiredCount(%v, %q, %q) = %d, want %d (%v)", c.kind, c.svc, c.op, got, c.want, s.FiredCounts())
		}
	}
	for _, c := range s.Calls() {
		if !c.Signed {
			t.Fatalf("call %s %s was not signed", c.Service, c.Op)
		}
	}
}
