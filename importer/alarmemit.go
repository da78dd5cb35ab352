package importer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"

	"go.yaml.in/yaml/v3"

	"github.com/shiftsim/shiftsim/scenario"
)

// AlarmSpec is an alarm on a Lambda function's errors, to be written in
// the forms AWS takes (AlarmResource, PutMetricAlarmJSON): the count of
// errors per period (Errors, Sum) or, with Rate, their rate in percent by
// metric math (RateExpression over Errors and Invocations).
type AlarmSpec struct {
	Name       string
	Namespace  string // AWS/Lambda when empty
	Dimensions []scenario.Dimension
	Rate       bool
	// RateExpression is the rate's metric math over the ids "errors" and
	// "invocations", e.g. 100 * errors / invocations.
	RateExpression     string
	Period             int // seconds
	EvaluationPeriods  int
	DatapointsToAlarm  int
	Threshold          float64
	ComparisonOperator string
	TreatMissingData   string
	// Description, when set, is the AlarmDescription.
	Description string
}

// Props returns the alarm as AWS::CloudWatch::Alarm properties (the
// scenario's alarm shape, which the scenario loader reads back).
func (a AlarmSpec) Props() scenario.Alarm {
	ns := a.Namespace
	if ns == "" {
		ns = "AWS/Lambda"
	}
	period, n, m, t := a.Period, a.EvaluationPeriods, a.DatapointsToAlarm, a.Threshold
	p := scenario.Alarm{AlarmName: a.Name, AlarmDescription: a.Description, EvaluationPeriods: &n, DatapointsToAlarm: &m,
		Threshold: &t, ComparisonOperator: a.ComparisonOperator, TreatMissingData: a.TreatMissingData}
	if !a.Rate {
		p.Namespace, p.MetricName, p.Dimensions, p.Statistic, p.Period = ns, "Errors", a.Dimensions, "Sum", &period
		return p
	}
	no, yes := false, true
	metric := func(id, name string) scenario.MetricDataQuery {
		return scenario.MetricDataQuery{Id: id, ReturnData: &no, MetricStat: &scenario.MetricStat{
			Metric: scenario.Metric{Namespace: ns, MetricName: name, Dimensions: a.Dimensions}, Period: &period, Stat: "Sum"}}
	}
	p.Metrics = []scenario.MetricDataQuery{metric("errors", "Errors"), metric("invocations", "Invocations"),
		{Id: "rate", Expression: a.RateExpression, Label: "Error rate (%)", ReturnData: &yes}}
	return p
}

// AlarmResource writes the alarm as a CloudFormation resource, ready to
// paste under a template's Resources: its logical ID (from the alarm's
// name), Type AWS::CloudWatch::Alarm and its Properties.
func AlarmResource(a AlarmSpec) ([]byte, error) {
	p := a.Props()
	props := alarmNode(&p)
	res := mapN(false)
	set(res, "Type", strN("AWS::CloudWatch::Alarm"), "")
	set(res, "Properties", props, "")
	doc := mapN(false)
	set(doc, logicalID(a.Name, "Alarm"), res, "")
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("importer: alarm resource: %w", err)
	}
	return b.Bytes(), enc.Close()
}

// putDimension, putMetric, putMetricStat, putQuery and PutMetricAlarm are
// the shape of `aws cloudwatch put-metric-alarm --cli-input-json`: the
// PutMetricAlarm API's field names (held to aws-sdk-go-v2's
// PutMetricAlarmInput by a test).
type putDimension struct {
	Name  string `json:"Name"`
	Value string `json:"Value"`
}

type putMetric struct {
	Namespace  string         `json:"Namespace"`
	MetricName string         `json:"MetricName"`
	Dimensions []putDimension `json:"Dimensions"`
}

type putMetricStat struct {
	Metric putMetric `json:"Metric"`
	Period int       `json:"Period"`
	Stat   string    `json:"Stat"`
}

type putQuery struct {
	Id         string         `json:"Id"`
	MetricStat *putMetricStat `json:"MetricStat,omitempty"`
	Expression string         `json:"Expression,omitempty"`
	Label      string         `json:"Label,omitempty"`
	ReturnData bool           `json:"ReturnData"`
}

// PutMetricAlarm is a put-metric-alarm --cli-input-json document.
type PutMetricAlarm struct {
	AlarmName          string         `json:"AlarmName"`
	AlarmDescription   string         `json:"AlarmDescription,omitempty"`
	Namespace          string         `json:"Namespace,omitempty"`
	MetricName         string         `json:"MetricName,omitempty"`
	Dimensions         []putDimension `json:"Dimensions,omitempty"`
	Statistic          string         `json:"Statistic,omitempty"`
	Period             *int           `json:"Period,omitempty"`
	Metrics            []putQuery     `json:"Metrics,omitempty"`
	EvaluationPeriods  int            `json:"EvaluationPeriods"`
	DatapointsToAlarm  int            `json:"DatapointsToAlarm"`
	Threshold          float64        `json:"Threshold"`
	ComparisonOperator string         `json:"ComparisonOperator"`
	TreatMissingData   string         `json:"TreatMissingData"`
}

// PutMetricAlarmInput returns the alarm as a put-metric-alarm document.
func (a AlarmSpec) PutMetricAlarmInput() PutMetricAlarm {
	p := a.Props()
	dims := func(ds []scenario.Dimension) []putDimension {
		out := make([]putDimension, len(ds))
		for i, d := range ds {
			out[i] = putDimension{d.Name, d.Value}
		}
		return out
	}
	in := PutMetricAlarm{AlarmName: p.AlarmName, AlarmDescription: p.AlarmDescription, Namespace: p.Namespace, MetricName: p.MetricName,
		Dimensions: dims(p.Dimensions), Statistic: p.Statistic, Period: p.Period,
		EvaluationPeriods: *p.EvaluationPeriods, DatapointsToAlarm: *p.DatapointsToAlarm, Threshold: *p.Threshold,
		ComparisonOperator: p.ComparisonOperator, TreatMissingData: p.TreatMissingData}
	for _, q := range p.Metrics {
		pq := putQuery{Id: q.Id, Expression: q.Expression, Label: q.Label, ReturnData: q.ReturnData != nil && *q.ReturnData}
		if ms := q.MetricStat; ms != nil {
			pq.MetricStat = &putMetricStat{Metric: putMetric{Namespace: ms.Metric.Namespace, MetricName: ms.Metric.MetricName,
				Dimensions: dims(ms.Metric.Dimensions)}, Period: *ms.Period, Stat: ms.Stat}
		}
		in.Metrics = append(in.Metrics, pq)
	}
	return in
}

// PutMetricAlarmJSON writes the alarm as the document of `aws cloudwatch
// put-metric-alarm --cli-input-json file://alarm.json`, indented.
func PutMetricAlarmJSON(a AlarmSpec) ([]byte, error) {
	b, err := json.MarshalIndent(a.PutMetricAlarmInput(), "", "  ")
	if err != nil {
		return nil, fmt.Errorf("importer: put-metric-alarm document: %w", err)
	}
	return append(b, '\n'), nil
}

// ThresholdText writes a threshold as briefly as it round-trips.
func ThresholdText(t float64) string { return strconv.FormatFloat(t, 'g', -1, 64) }
