package scenario

import (
	"fmt"
	"math"
	"time"
	"unicode/utf8"

	"github.com/shiftsim/shiftsim/internal/limits"
)

// bound checks v at path against the bound name (internal/limits), and
// reports false after recording the error.
func (c *converter) bound(name, path string, v float64) bool {
	if err := limits.Of(name).Check(v); err != nil {
		c.fail(path, "%v", err)
		return false
	}
	return true
}

// at checks v at path against the bound of path's generic name.
func (c *converter) at(path string, v float64) bool { return c.bound(limits.Generic(path), path, v) }

func (c *converter) dur(path string, d *time.Duration) {
	if d != nil {
		c.at(path, float64(*d))
	}
}

func (c *converter) num(path string, v *float64) {
	if v != nil {
		c.at(path, *v)
	}
}

func (c *converter) integer(path string, v *int) {
	if v != nil {
		c.at(path, float64(*v))
	}
}

func (c *converter) count(path string, n int) { c.at(path, float64(n)) }

// text checks a string's length, only when it is given.
func (c *converter) text(path, s string) {
	if s != "" {
		c.at(path, float64(utf8.RuneCountInString(s)))
	}
}

func (c *converter) lognormal(path string, l *Latency) {
	if l == nil {
		return
	}
	c.dur(path+".median", l.Median)
	c.dur(path+".p99", l.P99)
	c.num(path+".mu", l.Mu)
	c.num(path+".sigma", l.Sigma)
	if l.Median != nil && l.P99 != nil && *l.Median > 0 && *l.P99 >= *l.Median {
		sigma := (math.Log(l.P99.Seconds()) - math.Log(l.Median.Seconds())) / 2.3263478740408408
		if sigma > limits.Of("versions.*.latency.sigma").Max {
			c.fail(path+".p99", "p99 %v is %.3g × the median %v: a lognormal that wide (σ %.3g) is beyond the bound σ ≤ 5 (docs/limits.md)",
				*l.P99, l.P99.Seconds()/l.Median.Seconds(), *l.Median, sigma)
		}
	}
}

// checkLimits holds every numeric and text field of f to its bound
// (docs/limits.md) before anything is computed from it, so no later sum or
// product can overflow and no run can be sized past memory or time.
func (c *converter) checkLimits(f *File) {
	c.text("name", f.Name)
	c.dur("horizon", f.Horizon)
	if f.Horizon != nil && *f.Horizon <= 0 {
		c.fail("horizon", "%v: want a positive duration such as 2h", *f.Horizon)
	}
	c.text("function.name", f.Function.Name)
	c.text("function.alias", f.Function.Alias)
	if t := f.Traffic; t != nil {
		c.num("traffic.rate", t.Rate)
		c.num("traffic.amplitude", t.Amplitude)
		c.dur("traffic.period", t.Period)
		c.dur("traffic.peak", t.Peak)
		if len(t.Phases) > 0 {
			c.count("traffic.phases", len(t.Phases))
		}
		for i, p := range t.Phases {
			path := fmt.Sprintf("traffic.phases[%d]", i)
			c.num(path+".rate", p.Rate)
			c.dur(path+".dwell", p.Dwell)
		}
		c.count("traffic.spikes", len(t.Spikes))
		for i, sp := range t.Spikes {
			path := fmt.Sprintf("traffic.spikes[%d]", i)
			c.dur(path+".at", sp.At)
			c.dur(path+".duration", sp.Duration)
			c.num(path+".multiplier", sp.Multiplier)
			if t.Rate != nil && sp.Multiplier != nil && *t.Rate**sp.Multiplier > limits.MaxRate && c.err == nil {
				c.fail(path+".multiplier", "rate %g × multiplier %g = %g requests per second: above the bound of %g (docs/limits.md)",
					*t.Rate, *sp.Multiplier, *t.Rate**sp.Multiplier, limits.MaxRate)
			}
		}
		for i := range t.WeekdayFactors {
			c.bound("traffic.weekday_factors[]", fmt.Sprintf("traffic.weekday_factors[%d]", i), t.WeekdayFactors[i])
		}
		c.dur("traffic.origin", t.Origin)
		c.integer("traffic.users", t.Users)
		c.num("traffic.user_skew", t.UserSkew)
		if r := t.Replay; r != nil {
			c.dur("traffic.replay.from", r.From)
			c.dur("traffic.replay.to", r.To)
			c.num("traffic.replay.speed", r.Speed)
			c.num("traffic.replay.scale", r.Scale)
			c.integer("traffic.replay.reorder", r.Reorder)
			c.dur("traffic.replay.period", r.Period)
		}
	}
	if v := f.Versions; v != nil {
		for _, x := range []struct {
			path string
			v    *Version
		}{{"versions.current", v.Current}, {"versions.target", v.Target}} {
			if x.v == nil {
				continue
			}
			c.text(x.path+".version", x.v.Version)
			c.dur(x.path+".timeout", x.v.Timeout)
			c.lognormal(x.path+".latency", x.v.Latency)
			c.lognormal(x.path+".init", x.v.Init)
			c.integer(x.path+".provisioned_concurrency", x.v.ProvisionedConcurrency)
		}
	}
	c.count("faults", len(f.Faults))
	for i, ff := range f.Faults {
		path := fmt.Sprintf("faults[%d]", i)
		c.dur(path+".start", ff.Start)
		c.dur(path+".end", ff.End)
		c.dur(path+".at", ff.At)
		c.dur(path+".until", ff.Until)
		c.dur(path+".ramp", ff.Ramp)
		c.num(path+".latency_scale", ff.LatencyScale)
		c.lognormal(path+".latency", ff.Latency)
		c.lognormal(path+".init", ff.Init)
		if ff.Flaky != nil {
			c.dur(path+".flaky.on", ff.Flaky.On)
			c.dur(path+".flaky.off", ff.Flaky.Off)
		}
	}
	c.count("alarms", len(f.Alarms))
	for i := range f.Alarms {
		c.alarmLimits(fmt.Sprintf("alarms[%d]", i), &f.Alarms[i])
	}
	for _, h := range []struct {
		path string
		h    *Hook
	}{{"hooks.BeforeAllowTraffic", f.Hooks.BeforeAllowTraffic}, {"hooks.AfterAllowTraffic", f.Hooks.AfterAllowTraffic}} {
		if h.h == nil {
			continue
		}
		c.dur(h.path+".duration", h.h.Duration)
		c.dur(h.path+".timeout", h.h.Timeout)
		c.text(h.path+".function", h.h.Function)
	}
	c.dur("monitoring.metric_delay", f.Monitoring.MetricDelay)
	c.dur("monitoring.alarm_poll_interval", f.Monitoring.AlarmPollInterval)
	if d := f.Deployment; d != nil {
		c.dur("deployment.start", d.Start)
		if len(d.Strategies) > 0 {
			c.count("deployment.strategies", len(d.Strategies))
		}
		c.text("deployment.application", d.Application)
		c.text("deployment.deployment_group", d.DeploymentGroup)
		c.text("deployment.group", d.Group)
	}
	if l := f.Lambda; l != nil {
		c.integer("lambda.memory", l.Memory)
		c.integer("lambda.account_concurrency", l.AccountConcurrency)
		c.integer("lambda.reserved_concurrency", l.ReservedConcurrency)
		c.num("lambda.scaling_rate", l.ScalingRate)
		c.num("lambda.scaling_burst", l.ScalingBurst)
		c.dur("lambda.idle_timeout", l.IdleTimeout)
		if p := l.Prices; p != nil {
			c.num("lambda.prices.request", p.Request)
			c.num("lambda.prices.gb_second", p.GBSecond)
			c.num("lambda.prices.provisioned_gb_second", p.ProvisionedGBSecond)
			c.num("lambda.prices.provisioned_duration_gb_second", p.ProvisionedDurationGBSecond)
		}
	}
	if s := f.SLO; s != nil {
		c.dur("slo.window", s.Window)
	}
}

// alarmLimits holds an alarm's names and sizes to CloudWatch's limits
// (PutMetricAlarm, MetricDataQuery, Dimension; docs/limits.md). Periods,
// evaluation windows and ranges are checked where the alarm is compiled
// (scenario/alarm.go, alarm/limits.go).
func (c *converter) alarmLimits(path string, a *Alarm) {
	c.text(path+".AlarmName", a.AlarmName)
	c.text(path+".AlarmDescription", a.AlarmDescription)
	c.text(path+".Unit", a.Unit)
	c.text(path+".EvaluateLowSampleCountPercentile", a.EvaluateLowSampleCountPercentile)
	c.count(path+".Dimensions", len(a.Dimensions))
	c.dimensionLengths(path+".Dimensions", a.Dimensions)
	c.count(path+".Metrics", len(a.Metrics))
	for j, q := range a.Metrics {
		p := fmt.Sprintf("%s.Metrics[%d]", path, j)
		c.text(p+".Id", q.Id)
		c.text(p+".Expression", q.Expression)
		if q.MetricStat != nil {
			c.bound("alarms[].Dimensions", p+".MetricStat.Metric.Dimensions", float64(len(q.MetricStat.Metric.Dimensions)))
			c.dimensionLengths(p+".MetricStat.Metric.Dimensions", q.MetricStat.Metric.Dimensions)
		}
	}

}

// dimensionLengths holds each dimension's name and value to CloudWatch's lengths.
func (c *converter) dimensionLengths(path string, ds []Dimension) {
	for i, d := range ds {
		p := fmt.Sprintf("%s[%d]", path, i)
		c.bound("alarms[].Dimensions[].Name", p+".Name", float64(utf8.RuneCountInString(d.Name)))
		c.bound("alarms[].Dimensions[].Value", p+".Value", float64(utf8.RuneCountInString(d.Value)))
	}
}
