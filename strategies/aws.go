package strategies

import (
	"errors"
	"fmt"
)

// DeploymentConfig is CodeDeploy's CreateDeploymentConfig input (and the
// AWS::CodeDeploy::DeploymentConfig properties) restricted to what Lambda uses,
// so a user can paste a custom config. Field names are AWS's property names;
// encoding/json matches them case-insensitively, so both the CloudFormation
// (DeploymentConfigName) and the API wire spelling (deploymentConfigName) decode.
type DeploymentConfig struct {
	DeploymentConfigName string
	ComputePlatform      string                // "Lambda"; empty is accepted as Lambda
	TrafficRoutingConfig *TrafficRoutingConfig `json:",omitempty"`
}

// TrafficRoutingConfig is CodeDeploy's TrafficRoutingConfig: Type and the one
// sub-object that Type selects (none for AllAtOnce).
type TrafficRoutingConfig struct {
	Type            string
	TimeBasedCanary *TimeBasedCanary `json:",omitempty"`
	TimeBasedLinear *TimeBasedLinear `json:",omitempty"`
}

// TimeBasedCanary is CodeDeploy's TimeBasedCanary: CanaryPercentage percent at
// once, the rest CanaryInterval minutes later.
type TimeBasedCanary struct {
	CanaryPercentage int
	CanaryInterval   int
}

// settings are s's percentage and interval; set is false when s is nil.
func (s *TimeBasedCanary) settings() (pct, interval int, set bool) {
	if s == nil {
		return 0, 0, false
	}
	return s.CanaryPercentage, s.CanaryInterval, true
}

// TimeBasedLinear is CodeDeploy's TimeBasedLinear: LinearPercentage percent
// more every LinearInterval minutes.
type TimeBasedLinear struct {
	LinearPercentage int
	LinearInterval   int
}

// settings are s's percentage and interval; set is false when s is nil.
func (s *TimeBasedLinear) settings() (pct, interval int, set bool) {
	if s == nil {
		return 0, 0, false
	}
	return s.LinearPercentage, s.LinearInterval, true
}

// Lambda is the only ComputePlatform this package models.
const Lambda = "Lambda"

const trc = "TrafficRoutingConfig"

// FromDeploymentConfig converts and validates a pasted CodeDeploy config. On
// top of Config.Validate's rules (each error names the AWS property path, e.g.
// "TrafficRoutingConfig.TimeBasedCanary.CanaryPercentage: 120 is out of range
// 1..99") it requires ComputePlatform "Lambda" or empty, a TrafficRoutingConfig,
// and exactly the sub-object that Type selects. All problems are reported,
// joined with errors.Join.
func FromDeploymentConfig(d DeploymentConfig) (Config, error) {
	var errs []error
	if d.ComputePlatform != "" && d.ComputePlatform != Lambda {
		errs = append(errs, fmt.Errorf("ComputePlatform: %q is not supported (want %q)", d.ComputePlatform, Lambda))
	}
	r := d.TrafficRoutingConfig
	if r == nil {
		if err := (Config{Name: d.DeploymentConfigName}).validateName("DeploymentConfigName"); err != nil {
			errs = append(errs, err)
		}
		errs = append(errs, fmt.Errorf("%s: missing (a Lambda config needs Type and its settings)", trc))
		return Config{}, errors.Join(errs...)
	}
	c := Config{Name: d.DeploymentConfigName, Type: Type(r.Type)}
	if c.Type == AppConfig {
		errs = append(errs, fmt.Errorf("%s.Type: %q is not a CodeDeploy traffic routing type (an AppConfig strategy is written {DeploymentStrategy: {GrowthType, GrowthFactor, DeploymentDurationInMinutes, FinalBakeTimeInMinutes}})", trc, r.Type))
		return Config{}, errors.Join(errs...)
	}
	f := fields{name: "DeploymentConfigName", typ: trc + ".Type"}
	canary, linear := trc+".TimeBasedCanary", trc+".TimeBasedLinear"
	absent := func(field string, present bool) {
		if present {
			errs = append(errs, fmt.Errorf("%s: must be absent for Type %s", field, c.Type))
		}
	}
	missing := false
	// timeBased takes the settings of the block Type names, named after its
	// kind (CanaryPercentage, LinearInterval...).
	timeBased := func(block, kind string, set bool, pct, interval int) {
		f.pct, f.interval = block+"."+kind+"Percentage", block+"."+kind+"Interval"
		if !set {
			missing = true
			errs = append(errs, fmt.Errorf("%s: missing for Type %s", block, c.Type))
			return
		}
		c.Percentage, c.Interval = pct, interval
	}
	switch c.Type {
	case Canary:
		pct, interval, set := r.TimeBasedCanary.settings()
		timeBased(canary, "Canary", set, pct, interval)
		absent(linear, r.TimeBasedLinear != nil)
	case Linear:
		pct, interval, set := r.TimeBasedLinear.settings()
		timeBased(linear, "Linear", set, pct, interval)
		absent(canary, r.TimeBasedCanary != nil)
	case AllAtOnce:
		absent(canary, r.TimeBasedCanary != nil)
		absent(linear, r.TimeBasedLinear != nil)
	}
	if missing { // the settings' own errors would only repeat "missing"
		if err := c.validateName(f.name); err != nil {
			errs = append(errs, err)
		}
	} else if err := c.validate(f); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return Config{}, errors.Join(errs...)
	}
	return c, nil
}

// DeploymentConfig emits c in CodeDeploy's shape, ComputePlatform "Lambda";
// FromDeploymentConfig(c.DeploymentConfig()) gives c back for a valid c.
// It is the one Config → TrafficRoutingConfig mapping: the scenario
// writer, export, recommend and the CodeDeploy executor all start here.
func (c Config) DeploymentConfig() DeploymentConfig {
	r := &TrafficRoutingConfig{Type: string(c.Type)}
	switch c.Type {
	case Canary:
		r.TimeBasedCanary = &TimeBasedCanary{CanaryPercentage: c.Percentage, CanaryInterval: c.Interval}
	case Linear:
		r.TimeBasedLinear = &TimeBasedLinear{LinearPercentage: c.Percentage, LinearInterval: c.Interval}
	}
	return DeploymentConfig{DeploymentConfigName: c.Name, ComputePlatform: Lambda, TrafficRoutingConfig: r}
}

// APIDeploymentConfig is a DeploymentConfig in the CodeDeploy API's wire
// names (lower camel case), the document `aws deploy
// create-deployment-config --cli-input-json` reads.
type APIDeploymentConfig struct {
	DeploymentConfigName string                  `json:"deploymentConfigName"`
	ComputePlatform      string                  `json:"computePlatform"`
	TrafficRoutingConfig APITrafficRoutingConfig `json:"trafficRoutingConfig"`
}

// APITrafficRoutingConfig is TrafficRoutingConfig in the API's wire names.
type APITrafficRoutingConfig struct {
	Type            string     `json:"type"`
	TimeBasedCanary *APICanary `json:"timeBasedCanary,omitempty"`
	TimeBasedLinear *APILinear `json:"timeBasedLinear,omitempty"`
}

// APICanary is TimeBasedCanary in the API's wire names.
type APICanary struct {
	CanaryPercentage int `json:"canaryPercentage"`
	CanaryInterval   int `json:"canaryInterval"`
}

// APILinear is TimeBasedLinear in the API's wire names.
type APILinear struct {
	LinearPercentage int `json:"linearPercentage"`
	LinearInterval   int `json:"linearInterval"`
}

// API is d in the API's wire names.
func (d DeploymentConfig) API() APIDeploymentConfig {
	a := APIDeploymentConfig{DeploymentConfigName: d.DeploymentConfigName, ComputePlatform: d.ComputePlatform}
	if r := d.TrafficRoutingConfig; r != nil {
		a.TrafficRoutingConfig.Type = r.Type
		if c := r.TimeBasedCanary; c != nil {
			a.TrafficRoutingConfig.TimeBasedCanary = &APICanary{c.CanaryPercentage, c.CanaryInterval}
		}
		if l := r.TimeBasedLinear; l != nil {
			a.TrafficRoutingConfig.TimeBasedLinear = &APILinear{l.LinearPercentage, l.LinearInterval}
		}
	}
	return a
}

// Shorthand is the AWS CLI's shorthand for a traffic routing config, as
// `--traffic-routing-config` takes it:
// "type=TimeBasedCanary,timeBasedCanary={canaryPercentage=10,canaryInterval=5}".
func (r TrafficRoutingConfig) Shorthand() string {
	s := "type=" + r.Type
	if c := r.TimeBasedCanary; c != nil {
		s += fmt.Sprintf(",timeBasedCanary={canaryPercentage=%d,canaryInterval=%d}", c.CanaryPercentage, c.CanaryInterval)
	}
	if l := r.TimeBasedLinear; l != nil {
		s += fmt.Sprintf(",timeBasedLinear={linearPercentage=%d,linearInterval=%d}", l.LinearPercentage, l.LinearInterval)
	}
	return s
}
