package awsexec

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// RecordRequest says which function's metrics to record, over which window.
type RecordRequest struct {
	Function, Alias string
	From, To        time.Time
	Period          time.Duration // default one minute: Lambda's metric interval
	// Versions are the ExecutedVersion values to record one by one; empty
	// means: find them with ListMetrics (versions the alias ran recently).
	Versions []string
	// Current and Target, when set, are the deployment's versions: the
	// sidecar says so, and replay needs it.
	Current, Target string
}

// Recording is a function's metrics in exactly the JSON shape of the AWS
// CLI's `aws cloudwatch get-metric-data` output (MetricDataResults with Id,
// Label, Timestamps, Values, StatusCode; Messages), so that a replayer of that
// shape (traffic's "cloudwatch-metrics" format) reads it as it reads a CLI
// export. Pages are merged and timestamps run oldest first (ScanBy
// TimestampAscending; the CLI's default is newest first, and a replayer must
// accept both). What the CLI shape has no room for — the function's
// configuration, the window, which query is which — goes to a sidecar file,
// FunctionInfo.
type Recording struct {
	MetricDataResults []MetricDataResult `json:"MetricDataResults"`
	Messages          []MessageData      `json:"Messages"`
}

// MetricDataResult is one query's series, as the CLI prints it.
type MetricDataResult struct {
	Id         string    `json:"Id"`
	Label      string    `json:"Label"`
	Timestamps []string  `json:"Timestamps"` // "2024-09-29T22:10:00+00:00"
	Values     []float64 `json:"Values"`
	StatusCode string    `json:"StatusCode"`
}

// MessageData is a GetMetricData message.
type MessageData struct {
	Code  string `json:"Code"`
	Value string `json:"Value"`
}

// FunctionInfo is the recording's sidecar: the function configuration the
// cost and execution models need (memory, timeout, architecture) for the
// alias's version and each recorded version, and what each query is.
type FunctionInfo struct {
	FunctionName string                   `json:"FunctionName"`
	Alias        string                   `json:"Alias"`
	From         string                   `json:"From"`
	To           string                   `json:"To"`
	Period       int                      `json:"Period"` // seconds
	AliasVersion string                   `json:"AliasVersion"`
	Versions     map[string]VersionConfig `json:"Versions"`
	Queries      []QueryInfo              `json:"Queries"`
	// CurrentVersion and TargetVersion are the deployment's versions, when
	// known (record --deployment-id, or --versions CURRENT,TARGET).
	CurrentVersion string `json:"CurrentVersion,omitempty"`
	TargetVersion  string `json:"TargetVersion,omitempty"`
	// Deployment is the CodeDeploy deployment recorded (--deployment-id).
	Deployment *DeploymentInfo `json:"Deployment,omitempty"`
	// Weights are the alias's weights on the target version over the
	// window, and WeightsFrom where they come from: "deployment
	// configuration" (the traffic steps CodeDeploy took) or "Invocations
	// share" (per period, the target's share of the alias's invocations).
	Weights     []WeightStep `json:"Weights,omitempty"`
	WeightsFrom string       `json:"WeightsFrom,omitempty"`
}

// VersionConfig is what GetFunctionConfiguration says about one version.
type VersionConfig struct {
	MemorySize    int32    `json:"MemorySize"`
	Timeout       int32    `json:"Timeout"`
	Architectures []string `json:"Architectures"`
	Runtime       string   `json:"Runtime,omitempty"`
}

// QueryInfo says what a MetricDataResult Id holds.
type QueryInfo struct {
	Id              string `json:"Id"`
	MetricName      string `json:"MetricName"`
	Stat            string `json:"Stat"`
	ExecutedVersion string `json:"ExecutedVersion,omitempty"` // empty: the whole alias
}

// recordMetrics are the metric and statistic pairs recorded, with their Id
// stems: per minute counts, and the duration's mean, median and p99.
var recordMetrics = []struct{ id, metric, stat string }{
	{"invocations", "Invocations", "Sum"},
	{"errors", "Errors", "Sum"},
	{"duration_avg", "Duration", "Average"},
	{"duration_p50", "Duration", "p50"},
	{"duration_p99", "Duration", "p99"},
}

// cliTime is how the AWS CLI prints timestamps.
const cliTime = "2006-01-02T15:04:05-07:00"

// RecordMetrics pulls Invocations, Errors and Duration per period for the alias
// (dimensions FunctionName and Resource=function:alias) and per executed
// version (plus ExecutedVersion) with GetMetricData, and the configuration
// of the alias's version and of each recorded version with
// GetFunctionConfiguration.
func RecordMetrics(ctx context.Context, c Clients, req RecordRequest) (*Recording, *FunctionInfo, error) {
	if req.Period <= 0 {
		req.Period = time.Minute
	}
	if !req.To.After(req.From) {
		return nil, nil, fmt.Errorf("--from %s must be before --to %s", req.From.Format(time.RFC3339), req.To.Format(time.RFC3339))
	}
	if req.Period%time.Minute != 0 {
		return nil, nil, fmt.Errorf("period %v: want a multiple of a minute (Lambda publishes per minute)", req.Period)
	}
	info := &FunctionInfo{FunctionName: req.Function, Alias: req.Alias, From: req.From.UTC().Format(cliTime), To: req.To.UTC().Format(cliTime),
		Period: int(req.Period / time.Second), Versions: map[string]VersionConfig{}, CurrentVersion: req.Current, TargetVersion: req.Target}
	cfg, err := c.Lambda.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(req.Function), Qualifier: aws.String(req.Alias)})
	if err != nil {
		return nil, nil, wrapErr("GetFunctionConfiguration", err)
	}
	info.AliasVersion = aws.ToString(cfg.Version)
	info.Versions[info.AliasVersion] = versionConfig(cfg)

	versions := req.Versions
	if len(versions) == 0 {
		if versions, err = executedVersions(ctx, c, req); err != nil {
			return nil, nil, err
		}
	}
	for _, v := range versions {
		if _, ok := info.Versions[v]; ok {
			continue
		}
		vc, err := c.Lambda.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(req.Function), Qualifier: aws.String(v)})
		var nf *ltypes.ResourceNotFoundException
		switch {
		case errors.As(err, &nf):
			continue // deleted since: its metrics remain, its configuration is gone
		case err != nil:
			return nil, nil, wrapErr("GetFunctionConfiguration", err)
		}
		info.Versions[v] = versionConfig(vc)
	}

	resource := req.Function + ":" + req.Alias
	var queries []cwtypes.MetricDataQuery
	add := func(version string) {
		dims := []cwtypes.Dimension{{Name: aws.String("FunctionName"), Value: aws.String(req.Function)}, {Name: aws.String("Resource"), Value: aws.String(resource)}}
		suffix, label := "", resource
		if version != "" {
			dims = append(dims, cwtypes.Dimension{Name: aws.String("ExecutedVersion"), Value: aws.String(version)})
			suffix, label = "_v"+version, resource+" version "+version
		}
		for _, m := range recordMetrics {
			id := m.id + suffix
			queries = append(queries, cwtypes.MetricDataQuery{Id: aws.String(id), Label: aws.String(m.metric + " " + m.stat + " " + label), ReturnData: aws.Bool(true),
				MetricStat: &cwtypes.MetricStat{Metric: &cwtypes.Metric{Namespace: aws.String("AWS/Lambda"), MetricName: aws.String(m.metric), Dimensions: dims},
					Period: aws.Int32(int32(req.Period / time.Second)), Stat: aws.String(m.stat)}})
			info.Queries = append(info.Queries, QueryInfo{Id: id, MetricName: m.metric, Stat: m.stat, ExecutedVersion: version})
		}
	}
	add("")
	for _, v := range versions {
		add(v)
	}
	rec := &Recording{Messages: []MessageData{}}
	byID := map[string]int{}
	for _, q := range queries {
		byID[aws.ToString(q.Id)] = len(rec.MetricDataResults)
		rec.MetricDataResults = append(rec.MetricDataResults, MetricDataResult{Id: aws.ToString(q.Id), Label: aws.ToString(q.Label),
			Timestamps: []string{}, Values: []float64{}, StatusCode: "Complete"})
	}
	in := &cloudwatch.GetMetricDataInput{MetricDataQueries: queries, StartTime: aws.Time(req.From), EndTime: aws.Time(req.To),
		ScanBy: cwtypes.ScanByTimestampAscending}
	for pg := cloudwatch.NewGetMetricDataPaginator(c.CloudWatch, in); pg.HasMorePages(); {
		page, err := pg.NextPage(ctx)
		if err != nil {
			return nil, nil, wrapErr("GetMetricData", err)
		}
		for _, r := range page.MetricDataResults {
			i, ok := byID[aws.ToString(r.Id)]
			if !ok {
				continue
			}
			out := &rec.MetricDataResults[i]
			for k, ts := range r.Timestamps {
				if k < len(r.Values) {
					out.Timestamps = append(out.Timestamps, ts.UTC().Format(cliTime))
					out.Values = append(out.Values, r.Values[k])
				}
			}
			if r.StatusCode != cwtypes.StatusCodeComplete && r.StatusCode != cwtypes.StatusCodePartialData {
				out.StatusCode = string(r.StatusCode)
			}
		}
		for _, m := range page.Messages {
			rec.Messages = append(rec.Messages, MessageData{Code: aws.ToString(m.Code), Value: aws.ToString(m.Value)})
		}
	}
	if req.Current != "" && req.Target != "" {
		info.Weights, info.WeightsFrom = shareWeights(rec, req.Target), "Invocations share"
	}
	return rec, info, nil
}

// shareWeights is, per period in which the alias had invocations, the
// target's share of them: the weight the alias routed with, as observed.
func shareWeights(rec *Recording, target string) []WeightStep {
	var alias, tgt *MetricDataResult
	for i := range rec.MetricDataResults {
		switch r := &rec.MetricDataResults[i]; r.Id {
		case "invocations":
			alias = r
		case "invocations_v" + target:
			tgt = r
		}
	}
	if alias == nil || tgt == nil {
		return nil
	}
	of := map[string]float64{}
	for i, ts := range tgt.Timestamps {
		of[ts] = tgt.Values[i]
	}
	out := []WeightStep{}
	for i, ts := range alias.Timestamps {
		if n := alias.Values[i]; n > 0 {
			out = append(out, WeightStep{At: ts, TargetWeight: min(1, of[ts]/n)})
		}
	}
	return out
}

func versionConfig(c *lambda.GetFunctionConfigurationOutput) VersionConfig {
	vc := VersionConfig{MemorySize: aws.ToInt32(c.MemorySize), Timeout: aws.ToInt32(c.Timeout), Runtime: string(c.Runtime)}
	for _, a := range c.Architectures {
		vc.Architectures = append(vc.Architectures, string(a))
	}
	if len(vc.Architectures) == 0 {
		vc.Architectures = []string{"x86_64"} // Lambda's default
	}
	return vc
}

// executedVersions finds the versions the alias executed that CloudWatch has
// metrics for (ListMetrics covers the last two weeks).
func executedVersions(ctx context.Context, c Clients, req RecordRequest) ([]string, error) {
	in := &cloudwatch.ListMetricsInput{Namespace: aws.String("AWS/Lambda"), MetricName: aws.String("Invocations"),
		Dimensions: []cwtypes.DimensionFilter{{Name: aws.String("FunctionName"), Value: aws.String(req.Function)},
			{Name: aws.String("Resource"), Value: aws.String(req.Function + ":" + req.Alias)}}}
	seen := map[string]bool{}
	for pg := cloudwatch.NewListMetricsPaginator(c.CloudWatch, in); pg.HasMorePages(); {
		page, err := pg.NextPage(ctx)
		if err != nil {
			return nil, wrapErr("ListMetrics", err)
		}
		for _, m := range page.Metrics {
			for _, d := range m.Dimensions {
				if aws.ToString(d.Name) == "ExecutedVersion" {
					seen[aws.ToString(d.Value)] = true
				}
			}
		}
	}
	var vs []string
	for v := range seen {
		vs = append(vs, v)
	}
	slices.SortFunc(vs, func(a, b string) int {
		x, errX := strconv.Atoi(a)
		y, errY := strconv.Atoi(b)
		if errX != nil || errY != nil {
			return strings.Compare(a, b)
		}
		return x - y
	})
	return vs, nil
}

// SidecarPath is where the FunctionInfo of a recording written to path goes:
// "rec.json" → "rec.function.json".
func SidecarPath(path string) string {
	return strings.TrimSuffix(path, ".json") + ".function.json"
}

// WriteJSON writes v as indented JSON with a final newline.
func WriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "    ")
	return enc.Encode(v)
}

// WriteRecording writes the recording to path and its sidecar next to it.
func WriteRecording(path string, rec *Recording, info *FunctionInfo) error {
	for _, f := range []struct {
		path string
		v    any
	}{{path, rec}, {SidecarPath(path), info}} {
		out, err := os.Create(f.path)
		if err != nil {
			return err
		}
		err = WriteJSON(out, f.v)
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("%s: %w", f.path, err)
		}
	}
	return nil
}
