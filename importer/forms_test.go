package importer

import (
	"strings"
	"testing"

	"github.com/shiftsim/shiftsim/scenario"
	"github.com/shiftsim/shiftsim/strategies"
)

// The shapes a deployment configuration comes in, each to the same Config.
func TestDeploymentConfigForms(t *testing.T) {
	want := strategies.Config{Name: "Canary10Percent15Minutes-x", Type: strategies.Canary, Percentage: 10, Interval: 15}
	forms := map[string]string{
		"get-deployment-config": `{"deploymentConfigInfo": {"deploymentConfigId": "id", "deploymentConfigName": "Canary10Percent15Minutes-x", "computePlatform": "Lambda",
  "trafficRoutingConfig": {"type": "TimeBasedCanary", "timeBasedCanary": {"canaryPercentage": 10, "canaryInterval": 15}}, "createTime": 1.5}}`,
		"resource":      "Type: AWS::CodeDeploy::DeploymentConfig\nProperties:\n  DeploymentConfigName: Canary10Percent15Minutes-x\n  TrafficRoutingConfig: {Type: TimeBasedCanary, TimeBasedCanary: {CanaryPercentage: '10', CanaryInterval: 15}}\n",
		"resource map":  "Cfg:\n  Type: AWS::CodeDeploy::DeploymentConfig\n  Properties:\n    DeploymentConfigName: Canary10Percent15Minutes-x\n    TrafficRoutingConfig: {Type: TimeBasedCanary, TimeBasedCanary: {CanaryPercentage: 10, CanaryInterval: 15}}\n",
		"cli shorthand": "# create it\naws deploy create-deployment-config --deployment-config-name Canary10Percent15Minutes-x \\\n  --traffic-routing-config \"type=TimeBasedCanary,timeBasedCanary={canaryPercentage=10,canaryInterval=15}\" --compute-platform Lambda --region eu-west-1\n",
		"cli json":      `aws deploy create-deployment-config --deployment-config-name=Canary10Percent15Minutes-x --traffic-routing-config '{"type": "TimeBasedCanary", "timeBasedCanary": {"canaryPercentage": 10, "canaryInterval": 15}}'`,
		"cli input":     `aws deploy create-deployment-config --cli-input-json '{"deploymentConfigName": "Canary10Percent15Minutes-x", "trafficRoutingConfig": {"type": "TimeBasedCanary", "timeBasedCanary": {"canaryPercentage": 10, "canaryInterval": 15}}}'`,
		"terraform aws": `resource "aws_codedeploy_deployment_config" "c" {
  deployment_config_name = "Canary10Percent15Minutes-x"
  compute_platform       = "Lambda"
  traffic_routing_config {
    type = "TimeBasedCanary"
    time_based_canary {
      interval   = 15
      percentage = 10
    }
  }
}`,
		"terraform awscc": `/* awscc */
resource "awscc_codedeploy_deployment_config" "c" {
  deployment_config_name = "Canary10Percent15Minutes-x" # a comment
  traffic_routing_config = {
    type = "TimeBasedCanary"
    time_based_canary = { canary_interval = 15, canary_percentage = 10 }
  }
}`,
	}
	for name, doc := range forms {
		t.Run(name, func(t *testing.T) {
			d, err := DeploymentConfigs("cfg", []byte(doc), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(d.Strategies) != 1 || d.Strategies[0].Custom == nil {
				t.Fatalf("%+v", d.Strategies)
			}
			if got, err := strategies.FromDeploymentConfig(*d.Strategies[0].Custom); err != nil || got != want {
				t.Errorf("%+v %v", got, err)
			}
			if len(d.Unresolved()) > 0 {
				t.Errorf("unresolved %v", d.Unresolved())
			}
		})
	}
}

// What a deployment configuration gets wrong is reported at its line, in
// its source's own spelling.
func TestDeploymentConfigProblems(t *testing.T) {
	cases := []struct{ name, doc, err string }{
		{"range", "TrafficRoutingConfig: {Type: TimeBasedLinear, TimeBasedLinear: {LinearPercentage: 120, LinearInterval: 1}}\nDeploymentConfigName: x\n",
			"cfg:1: TrafficRoutingConfig.TimeBasedLinear.LinearPercentage: 120 is out of range 1..99"},
		{"ecs", `{"deploymentConfigInfo": {"deploymentConfigName": "CodeDeployDefault.ECSAllAtOnce", "computePlatform": "ECS", "trafficRoutingConfig": {"type": "AllAtOnce"}}}`,
			"CodeDeployDefault.ECSAllAtOnce is a ECS configuration: shiftsim simulates Lambda deployments"},
		{"cli option", "aws deploy create-deployment-config --deployment-config-name x --bogus 1", "cfg:1: unknown option --bogus of aws deploy create-deployment-config"},
		{"typo", "TrafficRoutingConfig: {Type: TimeBasedCanry}\n", `Type: "TimeBasedCanry" is not a known traffic routing type (did you mean TimeBasedCanary?)`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := DeploymentConfigs("cfg", []byte(c.doc), Options{})
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%v, want %q", err, c.err)
			}
		})
	}
	// A name Terraform computes: the resource's name stands in, noted.
	d, err := DeploymentConfigs("cfg", []byte("resource \"aws_codedeploy_deployment_config\" \"c\" {\n  deployment_config_name = var.name\n  traffic_routing_config {\n    type = \"AllAtOnce\"\n  }\n}\n"), Options{})
	if err != nil || d.Strategies[0].Key() != "c" || len(d.Unresolved()) != 1 ||
		d.Unresolved()[0].String() != "cfg:2: resource.aws_codedeploy_deployment_config.c.deployment_config_name: var.name cannot be resolved offline: it is a Terraform expression; write its value instead; the configuration is called c in the scenario" {
		t.Errorf("%v %+v", err, d)
	}
	// A config whose name is predefined comes back as that name.
	d, err = DeploymentConfigs("cfg", []byte(`{"deploymentConfigInfo": {"deploymentConfigName": "CodeDeployDefault.LambdaLinear10PercentEvery1Minute", "computePlatform": "Lambda", "trafficRoutingConfig": {"type": "TimeBasedLinear", "timeBasedLinear": {"linearPercentage": 10, "linearInterval": 1}}}}`), Options{})
	if err != nil || d.Strategies[0].Name != "CodeDeployDefault.LambdaLinear10PercentEvery1Minute" {
		t.Errorf("%v %+v", err, d)
	}
}

// DeploymentPreference.Type naming a custom configuration by its name finds
// the template's AWS::CodeDeploy::DeploymentConfig of that name.
func TestCustomTypeByName(t *testing.T) {
	tmpl := `Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      AutoPublishAlias: live
      DeploymentPreference: {Type: Slow}
  Cfg:
    Type: AWS::CodeDeploy::DeploymentConfig
    Properties:
      DeploymentConfigName: Slow
      TrafficRoutingConfig: {Type: TimeBasedLinear, TimeBasedLinear: {LinearPercentage: 20, LinearInterval: 3}}
`
	d, err := SAM("t.yaml", []byte(tmpl), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Strategies) != 1 || d.Strategies[0].Key() != "Slow" || d.Strategies[0].Custom.TrafficRoutingConfig.TimeBasedLinear.LinearInterval != 3 {
		t.Errorf("%+v", d.Strategies)
	}
	d, err = SAM("t.yaml", []byte(strings.Replace(tmpl, "{Type: Slow}", "{Type: Canary10Percent5Minute}", 1)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if un := d.Unresolved(); len(un) != 1 || !strings.Contains(un[0].Msg, `"Canary10Percent5Minute" is not a predefined configuration (did you mean Canary10Percent5Minutes?)`) {
		t.Errorf("%v", un)
	}
	if _, err := d.Scenario(); err != nil { // no strategy resolved: the defaults, marked
		t.Fatal(err)
	}
}

// Alarms alone (describe-alarms output) make a scenario about the function
// their dimensions name, so that they get data.
func TestAlarmsInferFunction(t *testing.T) {
	doc := `{"MetricAlarms": [{"AlarmName": "orders-v5-errors", "Namespace": "AWS/Lambda", "MetricName": "Errors",
  "Dimensions": [{"Name": "Resource", "Value": "orders:live"}, {"Name": "FunctionName", "Value": "orders"}, {"Name": "ExecutedVersion", "Value": "5"}],
  "Statistic": "Sum", "Period": 60, "EvaluationPeriods": 3, "DatapointsToAlarm": 2, "Threshold": 5.0, "ComparisonOperator": "GreaterThanOrEqualToThreshold",
  "TreatMissingData": "notBreaching", "StateValue": "OK", "StateReason": "fine", "AlarmArn": "arn:aws:cloudwatch:us-east-1:1:alarm:orders-v5-errors",
  "Tags": [], "ThresholdMetricId": null}],
 "CompositeAlarms": [{"AlarmName": "both", "AlarmRule": "ALARM(a) AND ALARM(b)"}]}`
	d, err := AlarmsImport("alarms.json", []byte(doc), Options{})
	if err != nil {
		t.Fatal(err)
	}
	out, err := d.Scenario()
	if err != nil {
		t.Fatal(err)
	}
	s, err := scenario.Parse("s.yaml", out)
	if err != nil {
		t.Fatal(err)
	}
	if s.Function.Name != "orders" || s.Function.Alias != "live" || s.Model.Versions[1].Name != "5" || s.Model.Versions[0].Name != "4" {
		t.Errorf("function %+v versions %s -> %s", s.Function, s.Model.Versions[0].Name, s.Model.Versions[1].Name)
	}
	if len(s.Model.Alarms) != 1 || len(s.Warnings) != 0 || s.Model.Alarms[0].Rule.DatapointsToAlarm != 2 {
		t.Errorf("alarms %+v warnings %v", s.Model.Alarms, s.Warnings)
	}
	if strings.Contains(string(out), "StateReason") || strings.Contains(string(out), "AlarmArn") || !strings.Contains(string(out), "StateValue: OK") {
		t.Errorf("read-only fields:\n%s", out)
	}
	if un := d.Unresolved(); len(un) != 1 || !strings.Contains(un[0].String(), "alarms.json:6: CompositeAlarms[0]: composite alarm both not imported") {
		t.Errorf("%v", un)
	}
}
