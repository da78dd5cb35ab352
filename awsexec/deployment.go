package awsexec

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"

	"github.com/shiftsim/shiftsim/strategies"
)

// DeploymentInfo is what a recording's sidecar says of the CodeDeploy
// deployment it covers (record --deployment-id): the times are
// CloudWatch's, as the CLI prints them.
type DeploymentInfo struct {
	DeploymentId         string `json:"DeploymentId"`
	ApplicationName      string `json:"ApplicationName"`
	DeploymentGroupName  string `json:"DeploymentGroupName"`
	DeploymentConfigName string `json:"DeploymentConfigName"`
	// TrafficRouting is the configuration's TrafficRoutingConfig, in
	// words: "AllAtOnce", "TimeBasedCanary 10% then 100% after 5 min",
	// "TimeBasedLinear 10% every 1 min".
	TrafficRouting    string   `json:"TrafficRouting"`
	Status            string   `json:"Status"`
	ErrorCode         string   `json:"ErrorCode,omitempty"`
	ErrorMessage      string   `json:"ErrorMessage,omitempty"`
	CreateTime        string   `json:"CreateTime"`
	AllowTrafficStart string   `json:"AllowTrafficStart,omitempty"`
	AllowTrafficEnd   string   `json:"AllowTrafficEnd,omitempty"`
	CompleteTime      string   `json:"CompleteTime,omitempty"`
	RolledBack        bool     `json:"RolledBack"`
	RollbackId        string   `json:"RollbackDeploymentId,omitempty"`
	Alarms            []string `json:"Alarms"` // the deployment group's alarm configuration, when enabled
	AutoRollback      bool     `json:"AutoRollback"`
}

// WeightStep is the alias's weight on the target version from At on.
type WeightStep struct {
	At           string  `json:"At"`
	TargetWeight float64 `json:"TargetWeight"`
}

// Deployment is a past (or running) Lambda deployment found by its id:
// what to record, and what the sidecar says of it.
type Deployment struct {
	Function, Alias, Current, Target string
	Created, Complete                time.Time // Complete zero: not finished
	Info                             DeploymentInfo
	Weights                          []WeightStep
	// Alarms are the deployment group's alarms as describe-alarms prints
	// them (MetricAlarms entries), for the recording's scenario.
	Alarms []map[string]any
	// Routing is the deployment configuration's TrafficRoutingConfig.
	Routing strategies.TrafficRoutingConfig
}

// Window is the span a recording of d covers: from margin before its
// creation to margin after its completion, on whole minutes (the end
// rounded up, so the completion's minute is in), and never past now (a
// deployment still running, or one that ended less than margin ago, is
// recorded up to now).
func (d *Deployment) Window(margin time.Duration, now time.Time) (from, to time.Time) {
	from, to = d.Created.Add(-margin).Truncate(time.Minute), now
	if !d.Complete.IsZero() {
		if e := d.Complete.Add(margin + time.Minute - 1).Truncate(time.Minute); e.Before(now) {
			to = e
		}
	}
	return from, to
}

// RecordRequest is the recording of d's function and alias, its two
// versions one by one, every period, over [from, to).
func (d *Deployment) RecordRequest(period time.Duration, from, to time.Time) RecordRequest {
	return RecordRequest{Function: d.Function, Alias: d.Alias, Current: d.Current, Target: d.Target,
		Versions: []string{d.Current, d.Target}, Period: period, From: from, To: to}
}

// FindDeployment reads a CodeDeploy deployment of a Lambda function: the
// function, alias and versions from its deployment target
// (GetDeploymentTarget's LambdaFunctionInfo), its times and outcome from
// GetDeployment and the AllowTraffic lifecycle event, its traffic steps
// from its configuration (GetDeploymentConfig), and its deployment
// group's alarms (GetDeploymentGroup, DescribeAlarms).
func FindDeployment(ctx context.Context, c Clients, id string) (*Deployment, error) {
	gd, err := c.CodeDeploy.GetDeployment(ctx, &codedeploy.GetDeploymentInput{DeploymentId: aws.String(id)})
	if err != nil {
		return nil, wrapErr("GetDeployment", err)
	}
	di := gd.DeploymentInfo
	if di == nil {
		return nil, fmt.Errorf("GetDeployment %s: no deploymentInfo", id)
	}
	if di.ComputePlatform != "" && di.ComputePlatform != cdtypes.ComputePlatformLambda {
		return nil, fmt.Errorf("deployment %s deploys to %s, not Lambda: only Lambda deployments can be recorded", id, di.ComputePlatform)
	}
	d := &Deployment{Info: DeploymentInfo{DeploymentId: id, ApplicationName: aws.ToString(di.ApplicationName), DeploymentGroupName: aws.ToString(di.DeploymentGroupName),
		DeploymentConfigName: aws.ToString(di.DeploymentConfigName), Status: string(di.Status), Alarms: []string{}}}
	if di.CreateTime == nil {
		return nil, fmt.Errorf("GetDeployment %s: no createTime", id)
	}
	d.Created = di.CreateTime.UTC()
	d.Info.CreateTime = d.Created.Format(cliTime)
	if di.CompleteTime != nil {
		d.Complete = di.CompleteTime.UTC()
		d.Info.CompleteTime = d.Complete.Format(cliTime)
	}
	if e := di.ErrorInformation; e != nil {
		d.Info.ErrorCode, d.Info.ErrorMessage = string(e.Code), aws.ToString(e.Message)
	}
	if rb := di.RollbackInfo; rb != nil && aws.ToString(rb.RollbackDeploymentId) != "" {
		d.Info.RolledBack, d.Info.RollbackId = true, aws.ToString(rb.RollbackDeploymentId)
	}

	lt, err := c.CodeDeploy.ListDeploymentTargets(ctx, &codedeploy.ListDeploymentTargetsInput{DeploymentId: aws.String(id)})
	if err != nil {
		return nil, wrapErr("ListDeploymentTargets", err)
	}
	if len(lt.TargetIds) != 1 {
		return nil, fmt.Errorf("deployment %s has %d targets: a Lambda deployment has one", id, len(lt.TargetIds))
	}
	dt, err := c.CodeDeploy.GetDeploymentTarget(ctx, &codedeploy.GetDeploymentTargetInput{DeploymentId: aws.String(id), TargetId: aws.String(lt.TargetIds[0])})
	if err != nil {
		return nil, wrapErr("GetDeploymentTarget", err)
	}
	lam := dt.DeploymentTarget.LambdaTarget
	if dt.DeploymentTarget == nil || lam == nil || lam.LambdaFunctionInfo == nil {
		return nil, fmt.Errorf("deployment %s: its target %s is not a Lambda function", id, lt.TargetIds[0])
	}
	fi := lam.LambdaFunctionInfo
	d.Function, d.Alias = aws.ToString(fi.FunctionName), aws.ToString(fi.FunctionAlias)
	d.Current, d.Target = aws.ToString(fi.CurrentVersion), aws.ToString(fi.TargetVersion)
	if d.Function == "" || d.Alias == "" || d.Current == "" || d.Target == "" {
		return nil, fmt.Errorf("deployment %s: its target does not name the function, alias and versions", id)
	}
	var allow, allowEnd time.Time
	for _, e := range lam.LifecycleEvents {
		if aws.ToString(e.LifecycleEventName) == "AllowTraffic" && e.StartTime != nil {
			allow = e.StartTime.UTC()
			d.Info.AllowTrafficStart = allow.Format(cliTime)
			if e.EndTime != nil {
				allowEnd = e.EndTime.UTC()
				d.Info.AllowTrafficEnd = allowEnd.Format(cliTime)
			}
		}
	}

	cfg, err := c.CodeDeploy.GetDeploymentConfig(ctx, &codedeploy.GetDeploymentConfigInput{DeploymentConfigName: aws.String(d.Info.DeploymentConfigName)})
	if err != nil {
		return nil, wrapErr("GetDeploymentConfig", err)
	}
	var tr *cdtypes.TrafficRoutingConfig
	if cfg.DeploymentConfigInfo != nil {
		tr = cfg.DeploymentConfigInfo.TrafficRoutingConfig
	}
	d.Info.TrafficRouting = describeRouting(tr)
	if tr != nil {
		d.Routing.Type = string(tr.Type)
		if c := tr.TimeBasedCanary; c != nil {
			d.Routing.TimeBasedCanary = &strategies.TimeBasedCanary{CanaryPercentage: int(c.CanaryPercentage), CanaryInterval: int(c.CanaryInterval)}
		}
		if l := tr.TimeBasedLinear; l != nil {
			d.Routing.TimeBasedLinear = &strategies.TimeBasedLinear{LinearPercentage: int(l.LinearPercentage), LinearInterval: int(l.LinearInterval)}
		}
	}
	if !allow.IsZero() {
		d.Weights = weightSteps(tr, allow, allowEnd, d.Complete, d.Info.Status, d.Info.RolledBack)
	}

	g, err := c.CodeDeploy.GetDeploymentGroup(ctx, &codedeploy.GetDeploymentGroupInput{ApplicationName: di.ApplicationName, DeploymentGroupName: di.DeploymentGroupName})
	if err != nil {
		return nil, wrapErr("GetDeploymentGroup", err)
	}
	if gi := g.DeploymentGroupInfo; gi != nil {
		if ac := gi.AlarmConfiguration; ac != nil && ac.Enabled {
			for _, a := range ac.Alarms {
				d.Info.Alarms = append(d.Info.Alarms, aws.ToString(a.Name))
			}
		}
		if ar := gi.AutoRollbackConfiguration; ar != nil {
			d.Info.AutoRollback = ar.Enabled
		}
	}
	if len(d.Info.Alarms) > 0 {
		out, err := c.CloudWatch.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: d.Info.Alarms, MaxRecords: aws.Int32(100)})
		if err != nil {
			return nil, wrapErr("DescribeAlarms", err)
		}
		for _, a := range out.MetricAlarms {
			d.Alarms = append(d.Alarms, alarmJSON(a))
		}
	}
	return d, nil
}

// weightSteps are the alias weights the deployment went through: its
// configuration's schedule from the start of AllowTraffic
// (docs/codedeploy.md), cut at its end; a rollback puts the weight back
// to 0 when the deployment completed, a success leaves it at 1.
func weightSteps(tr *cdtypes.TrafficRoutingConfig, allow, allowEnd, complete time.Time, status string, rolledBack bool) []WeightStep {
	type step struct {
		at  time.Duration
		pct int32
	}
	var plan []step
	switch {
	case tr != nil && tr.Type == cdtypes.TrafficRoutingTypeTimeBasedCanary && tr.TimeBasedCanary != nil:
		c := tr.TimeBasedCanary
		plan = []step{{0, c.CanaryPercentage}, {time.Duration(c.CanaryInterval) * time.Minute, 100}}
	case tr != nil && tr.Type == cdtypes.TrafficRoutingTypeTimeBasedLinear && tr.TimeBasedLinear != nil:
		l := tr.TimeBasedLinear
		for k := int32(1); l.LinearPercentage > 0; k++ {
			plan = append(plan, step{time.Duration(k-1) * time.Duration(l.LinearInterval) * time.Minute, min(k*l.LinearPercentage, 100)})
			if k*l.LinearPercentage >= 100 {
				break
			}
		}
	default:
		plan = []step{{0, 100}}
	}
	end := complete
	if !allowEnd.IsZero() && (end.IsZero() || allowEnd.Before(end)) {
		end = allowEnd
	}
	var out []WeightStep
	for _, s := range plan {
		at := allow.Add(s.at)
		if !end.IsZero() && at.After(end) {
			break
		}
		if !end.IsZero() && at.Equal(end) && s.pct < 100 && rolledBack {
			break
		}
		out = append(out, WeightStep{At: at.Format(cliTime), TargetWeight: float64(s.pct) / 100})
	}
	switch {
	case rolledBack && !complete.IsZero():
		out = append(out, WeightStep{At: complete.Format(cliTime), TargetWeight: 0})
	case status == string(cdtypes.DeploymentStatusSucceeded) && (len(out) == 0 || out[len(out)-1].TargetWeight < 1):
		at := complete
		if !allowEnd.IsZero() {
			at = allowEnd
		}
		out = append(out, WeightStep{At: at.Format(cliTime), TargetWeight: 1})
	}
	return out
}

// alarmJSON is a metric alarm as `aws cloudwatch describe-alarms` prints
// it, with the fields a simulated alarm needs (and its name and state).
func alarmJSON(a cwtypes.MetricAlarm) map[string]any {
	m := map[string]any{"AlarmName": aws.ToString(a.AlarmName)}
	str := func(k string, v *string) {
		if v != nil {
			m[k] = *v
		}
	}
	str("AlarmArn", a.AlarmArn)
	str("Namespace", a.Namespace)
	str("MetricName", a.MetricName)
	str("ExtendedStatistic", a.ExtendedStatistic)
	str("EvaluateLowSampleCountPercentile", a.EvaluateLowSampleCountPercentile)
	str("TreatMissingData", a.TreatMissingData)
	str("ThresholdMetricId", a.ThresholdMetricId)
	if a.StateValue != "" {
		m["StateValue"] = string(a.StateValue)
	}
	if a.Statistic != "" {
		m["Statistic"] = string(a.Statistic)
	}
	if a.ComparisonOperator != "" {
		m["ComparisonOperator"] = string(a.ComparisonOperator)
	}
	if a.Unit != "" {
		m["Unit"] = string(a.Unit)
	}
	if a.Period != nil {
		m["Period"] = *a.Period
	}
	if a.EvaluationPeriods != nil {
		m["EvaluationPeriods"] = *a.EvaluationPeriods
	}
	if a.DatapointsToAlarm != nil {
		m["DatapointsToAlarm"] = *a.DatapointsToAlarm
	}
	if a.Threshold != nil {
		m["Threshold"] = *a.Threshold
	}
	dims := func(ds []cwtypes.Dimension) []map[string]string {
		out := []map[string]string{}
		for _, d := range ds {
			out = append(out, map[string]string{"Name": aws.ToString(d.Name), "Value": aws.ToString(d.Value)})
		}
		return out
	}
	if len(a.Dimensions) > 0 {
		m["Dimensions"] = dims(a.Dimensions)
	}
	if len(a.Metrics) > 0 {
		var qs []map[string]any
		for _, q := range a.Metrics {
			e := map[string]any{"Id": aws.ToString(q.Id)}
			if q.Expression != nil {
				e["Expression"] = *q.Expression
			}
			if q.Label != nil {
				e["Label"] = *q.Label
			}
			if q.ReturnData != nil {
				e["ReturnData"] = *q.ReturnData
			}
			if s := q.MetricStat; s != nil && s.Metric != nil {
				ms := map[string]any{"Metric": map[string]any{"Namespace": aws.ToString(s.Metric.Namespace), "MetricName": aws.ToString(s.Metric.MetricName),
					"Dimensions": dims(s.Metric.Dimensions)}, "Stat": aws.ToString(s.Stat)}
				if s.Period != nil {
					ms["Period"] = *s.Period
				}
				e["MetricStat"] = ms
			}
			if q.Period != nil {
				e["Period"] = *q.Period
			}
			qs = append(qs, e)
		}
		m["Metrics"] = qs
	}
	return m
}
