package importer

import (
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

const base = `
Parameters:
  Stage: {Type: String, Default: beta}
  NoDefault: {Type: String}
  Subnets: {Type: CommaDelimitedList, Default: "a, b"}
  FromSSM: {Type: "AWS::SSM::Parameter::Value<String>", Default: /app/version}
Mappings:
  ByStage:
    beta: {Config: Canary10Percent5Minutes}
    prod: {Config: Linear10PercentEvery1Minute}
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
  IsBeta: !Equals [beta, !Ref Stage]
  NotProd: !Not [!Condition IsProd]
  Both: !And [!Condition IsBeta, {Condition: NotProd}]
  Unknown: !Equals [!Ref NoDefault, x]
  EitherBeta: !Or [!Condition Unknown, !Condition IsBeta]
  Loop: !Not [!Condition Loop]
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties: {FunctionName: orders, AutoPublishAlias: live}
  Unnamed:
    Type: AWS::Serverless::Function
  Alarm:
    Type: AWS::CloudWatch::Alarm
    Properties: {AlarmName: orders-errors}
  Topic:
    Type: AWS::SNS::Topic
`

// Each intrinsic function as CloudFormation evaluates it, and the reason
// given where it cannot be evaluated offline.
func TestResolve(t *testing.T) {
	cases := []struct {
		expr   string
		params map[string]string
		want   string // the value, rendered as expr renders nodes
		err    string
	}{
		{expr: "!Ref Stage", want: "beta"},
		{expr: "!Ref Stage", params: map[string]string{"Stage": "prod"}, want: "prod"},
		{expr: "{Ref: Stage}", want: "beta"},
		{expr: "!Ref NoDefault", err: "!Ref NoDefault cannot be resolved offline: parameter NoDefault has no Default; pass --parameter NoDefault=VALUE"},
		{expr: "!Ref FromSSM", err: "parameter FromSSM is read from SSM Parameter Store /app/version at deploy time; pass --parameter FromSSM=VALUE"},
		{expr: "!Ref Subnets", want: "[a, b]"},
		{expr: "!Ref AWS::Region", err: "!Ref AWS::Region cannot be resolved offline: AWS::Region is the deployment's region, known only at deploy time; pass --parameter AWS::Region=VALUE"},
		{expr: "!Ref AWS::Region", params: map[string]string{"AWS::Region": "eu-west-1"}, want: "eu-west-1"},
		{expr: "!Ref AWS::Partition", want: "aws"},
		{expr: "[a, !Ref AWS::NoValue, b]", want: "[a, b]"},
		{expr: "!Ref Fn", want: "orders"},
		{expr: "!Ref Unnamed", want: "Unnamed"},
		{expr: "!Ref Alarm", want: "orders-errors"},
		{expr: "!Ref Topic", err: "!Ref Topic cannot be resolved offline: it is the physical ID of the AWS::SNS::Topic Topic, known only after CloudFormation creates it"},
		{expr: "!Ref Nope", err: "!Ref Nope: no parameter or resource named Nope in this template"},
		{expr: "!Ref ServerlessDeploymentApplication", err: "ServerlessDeploymentApplication is a resource the SAM transform generates"},
		{expr: `!Sub "${Fn}:${Stage}"`, want: "orders:beta"},
		{expr: `!Sub ["${A}-${B}", {A: x, B: !Ref Stage}]`, want: "x-beta"},
		{expr: `!Sub "${!Literal}-${AWS::Partition}"`, want: "${Literal}-aws"},
		{expr: `!Sub "arn:${AWS::Region}:${Fn}"`, err: `!Sub "arn:${AWS::Region}:${Fn}" cannot be resolved offline: AWS::Region is the deployment's region`},
		{expr: `!Sub "${Fn.Arn}"`, params: map[string]string{"AWS::Region": "us-east-1", "AWS::AccountId": "123456789012"}, want: "arn:aws:lambda:us-east-1:123456789012:function:orders"},
		{expr: `!Sub "${Fn.Version}"`, params: map[string]string{"AWS::Region": "us-east-1", "AWS::AccountId": "123456789012"}, want: "arn:aws:lambda:us-east-1:123456789012:function:orders:2"},
		{expr: "!GetAtt Fn.Arn", err: "!GetAtt Fn.Arn cannot be resolved offline: an ARN needs the region and account"},
		{expr: "!GetAtt Fn.Version.Version", want: "2"},
		{expr: "{Fn::GetAtt: [Fn.Version, Version]}", want: "2"},
		{expr: "!GetAtt [Fn, Version.Version]", want: "2"},
		{expr: "!GetAtt Topic.TopicName", err: "attribute TopicName of the AWS::SNS::Topic Topic is known only after CloudFormation creates it"},
		{expr: "!GetAtt Alarm", err: "expected LogicalId.Attribute or [LogicalId, Attribute]"},
		{expr: "!If [IsProd, a, b]", want: "b"},
		{expr: "!If [IsProd, a, b]", params: map[string]string{"Stage": "prod"}, want: "a"},
		{expr: "!If [Both, yes, no]", want: "yes"},
		{expr: "!If [EitherBeta, yes, no]", want: "yes"}, // Or is decided by the one condition known true
		{expr: "!If [Unknown, a, b]", err: "!If [Unknown, a, b] cannot be resolved offline: condition Unknown: parameter NoDefault has no Default; pass --parameter NoDefault=VALUE"},
		{expr: "!If [Loop, a, b]", err: "condition Loop refers to itself"},
		{expr: "!If [Missing, a, b]", err: "no condition named Missing"},
		{expr: "[x, !If [IsProd, y, !Ref AWS::NoValue]]", want: "[x]"},
		{expr: "!Join [':', [a, !Ref Stage, c]]", want: "a:beta:c"},
		{expr: "{Fn::Join: ['', [arn:, {Ref: AWS::Partition}]]}", want: "arn:aws"},
		{expr: "!Select [1, [a, b, c]]", want: "b"},
		{expr: "!Select [3, [a, b, c]]", err: `index "3" is not in 0..2`},
		{expr: "!Select [0, !Split [',', 'x,y']]", want: "x"},
		{expr: "!FindInMap [ByStage, !Ref Stage, Config]", want: "Canary10Percent5Minutes"},
		{expr: "!FindInMap [ByStage, dev, Config]", err: "Mappings has no ByStage.dev.Config"},
		{expr: "!Base64 hi", want: "aGk="},
		{expr: "!GetAZs ''", err: "cannot be resolved offline: the Availability Zones are known only in the deployment's region and account"},
		{expr: "!ImportValue shared", err: "cannot be resolved offline: it reads another stack's export"},
		{expr: "!Equals [a, a]", err: "Fn::Equals is a condition function"},
		{expr: "!Frobnicate x", err: "unknown intrinsic function !Frobnicate"},
		{expr: "{Fn::Frobnicate: x}", err: "unknown intrinsic function !Frobnicate"},
	}
	for _, c := range cases {
		t.Run(c.expr, func(t *testing.T) {
			root, err := parse("t.yaml", []byte(base+"Test: "+c.expr+"\n"))
			if err != nil {
				t.Fatal(err)
			}
			tm, err := newTemplate("t.yaml", root, c.params, newWalker())
			if err != nil {
				t.Fatal(err)
			}
			got, err := tm.resolve(get(root, "Test"), "Test")
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("got %s, %v; want an error containing %q", expr(got), err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s := flat(got); s != c.want {
				t.Errorf("got %s, want %s", s, c.want)
			}
		})
	}
}

// flat renders a resolved value: a scalar as is, a list as [a, b].
func flat(n *yaml.Node) string {
	if n == nil {
		return "<nil>"
	}
	if n.Kind == yaml.SequenceNode {
		parts := make([]string, len(n.Content))
		for i, c := range n.Content {
			parts[i] = flat(c)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return n.Value
}

// The message for a value known only at deploy time has the form the
// contract promises: file:line: path: expression cannot be resolved
// offline: why; how to fix it.
func TestUnresolvedMessageForm(t *testing.T) {
	tmpl := `Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      AutoPublishAlias: live
      DeploymentPreference:
        Type: Canary10Percent5Minutes
        Alarms:
          - !GetAtt Fn.Arn
          - !Ref Errors
  Errors:
    Type: AWS::CloudWatch::Alarm
    Properties:
      AlarmName: fn-errors
      Namespace: AWS/Lambda
      MetricName: Errors
      Dimensions: [{Name: FunctionName, Value: !Ref Fn}]
      Statistic: Sum
      Period: 60
      EvaluationPeriods: 1
      Threshold: "1"
      ComparisonOperator: GreaterThanOrEqualToThreshold
      AlarmActions: [!Ref Topic]
  Topic:
    Type: AWS::SNS::Topic
`
	d, err := SAM("template.yaml", []byte(tmpl), Options{})
	if err != nil {
		t.Fatal(err)
	}
	un := d.Unresolved()
	want := "template.yaml:9: Resources.Fn.Properties.DeploymentPreference.Alarms[0]: !GetAtt Fn.Arn cannot be resolved offline: an ARN needs the region and account; pass --parameter AWS::Region=... --parameter AWS::AccountId=..., or set the value by hand; set the alarm name by hand"
	if len(un) != 1 || un[0].String() != want {
		t.Fatalf("unresolved %v\nwant [%s]", un, want)
	}
	if len(d.Alarms) != 1 || d.Alarms[0].Disabled != "" || *d.Alarms[0].Props.Threshold != 1 {
		t.Fatalf("alarms %+v: want fn-errors, its Threshold \"1\" read as CloudFormation reads it", d.Alarms)
	}
	// The SNS topic is known only after deployment; actions do not change
	// what the alarm does, so the alarm is kept and the loss noted.
	if a := d.Alarms[0].Props.AlarmActions; a != nil {
		t.Errorf("AlarmActions %v copied", a)
	}
	found := false
	for _, n := range d.Notes {
		found = found || strings.Contains(n.String(), "template.yaml:23: Resources.Errors.Properties.AlarmActions[0]: !Ref Topic cannot be resolved offline") && strings.Contains(n.Msg, "not copied")
	}
	if !found {
		t.Errorf("no note on AlarmActions in %v", d.Notes)
	}
	if _, err := d.Scenario(); err != nil {
		t.Fatal(err)
	}
}

// Globals.Function supplies what a function does not set: SAM's rule.
func TestGlobals(t *testing.T) {
	tmpl := `Globals:
  Function:
    Timeout: 7
    AutoPublishAlias: live
    DeploymentPreference:
      Type: Linear10PercentEvery2Minutes
      Hooks: {PreTraffic: !Ref Pre}
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: orders
  Other:
    Type: AWS::Serverless::Function
    Properties:
      Timeout: 30
      AutoPublishAlias: blue
      DeploymentPreference: {Type: AllAtOnce}
  Pre:
    Type: AWS::Serverless::Function
    Properties: {FunctionName: CodeDeployHook_pre, DeploymentPreference: {Enabled: "False"}}
`
	d, err := SAM("t.yaml", []byte(tmpl), Options{Function: "Fn"})
	if err != nil {
		t.Fatal(err)
	}
	if got := d.Summary(); got != "imported function orders:live, strategy Linear10PercentEvery2Minutes, hook BeforeAllowTraffic, 0 unresolved" {
		t.Errorf("Fn: %s", got)
	}
	if d.Versions.Timeout.Seconds() != 7 || d.Hooks[0].Function != "CodeDeployHook_pre" {
		t.Errorf("timeout %v hooks %+v", d.Versions.Timeout, d.Hooks)
	}
	d, err = SAM("t.yaml", []byte(tmpl), Options{Function: "Other"})
	if err != nil {
		t.Fatal(err)
	}
	if got := d.Summary(); got != "imported function Other:blue, strategy AllAtOnce, hook BeforeAllowTraffic, 0 unresolved" {
		t.Errorf("Other: %s", got)
	}
	if d.Versions.Timeout.Seconds() != 30 {
		t.Errorf("timeout %v", d.Versions.Timeout)
	}
	if _, err := SAM("t.yaml", []byte(tmpl), Options{Function: "Pre"}); err == nil || !strings.Contains(err.Error(), "--function Pre: its DeploymentPreference is disabled") {
		t.Errorf("Pre: %v", err)
	}
}
