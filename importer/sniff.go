package importer

import (
	"go.yaml.in/yaml/v3"
)

// Kinds of document Sniff recognises; the first four are what the import
// subcommands read.
const (
	KindTemplate         = "sam"               // a SAM or CloudFormation template
	KindAppSpec          = "appspec"           // a Lambda (or ECS) AppSpec
	KindDeploymentConfig = "deployment-config" // a CodeDeploy deployment configuration
	KindAlarms           = "alarms"            // describe-alarms output
	KindScenario         = "scenario"          // a shiftsim scenario
)

// sniffed describes documents by a top-level key that only they have.
var sniffed = []struct {
	key, kind, what string
}{
	{"MetricAlarms", KindAlarms, "`aws cloudwatch describe-alarms` output"},
	{"CompositeAlarms", KindAlarms, "`aws cloudwatch describe-alarms` output"},
	{"deploymentConfigInfo", KindDeploymentConfig, "`aws deploy get-deployment-config` output"},
	{"trafficRoutingConfig", KindDeploymentConfig, "a CodeDeploy deployment configuration (API shape)"},
	{"TrafficRoutingConfig", KindDeploymentConfig, "a CodeDeploy deployment configuration"},
	{"Hooks", KindAppSpec, "an AppSpec"},
	{"hooks", KindAppSpec, "an AppSpec"},
	{"Resources", KindTemplate, "a CloudFormation or SAM template"},
	{"resources", KindAppSpec, "an AppSpec"},
	{"deployment", KindScenario, "a shiftsim scenario"},
	{"versions", KindScenario, "a shiftsim scenario"},
	{"AlarmHistoryItems", "", "`aws cloudwatch describe-alarm-history` output"},
	{"MetricDataResults", "", "`aws cloudwatch get-metric-data` output"},
	{"Datapoints", "", "`aws cloudwatch get-metric-statistics` output"},
	{"deploymentsInfo", "", "`aws deploy batch-get-deployments` output"},
	{"deploymentInfo", "", "`aws deploy get-deployment` output"},
	{"deploymentGroupInfo", "", "`aws deploy get-deployment-group` output"},
	{"deploymentConfigsList", "", "`aws deploy list-deployment-configs` output"},
}

// Sniff says what a document is: one of the Kind constants ("" when it is
// something no import reads) and a description, or "", "" when unknown.
func Sniff(data []byte) (kind, what string) {
	root, err := parse("", data)
	if err != nil {
		if looksHCL(data) {
			return KindDeploymentConfig, "Terraform HCL"
		}
		if looksCLI(data) {
			return KindDeploymentConfig, "an `aws deploy create-deployment-config` command line"
		}
		return "", ""
	}
	return sniffNode(root)
}

func sniffNode(root *yaml.Node) (kind, what string) {
	if root == nil {
		return "", ""
	}
	if v := get(root, "version"); v != nil && (get(root, "Resources") != nil && get(root, "Resources").Kind == yaml.SequenceNode || get(root, "resources") != nil) {
		return KindAppSpec, "an AppSpec"
	}
	for _, s := range sniffed {
		if get(root, s.key) != nil {
			return s.kind, s.what
		}
	}
	return "", ""
}

// sniffHint explains what a document is when it is not what was expected.
func sniffHint(root *yaml.Node) string {
	k, what := sniffNode(root)
	switch {
	case what == "":
		return ""
	case k == "":
		return "; this is " + what + ", which no import reads"
	case k == KindScenario:
		return "; this is " + what + " already"
	}
	return "; this is " + what + ": use `shiftsim import " + k + "`"
}
