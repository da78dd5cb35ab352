package importer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/shiftsim/shiftsim/strategies"
)

// Export is a chosen strategy and the deployment it is for, to be written
// in the forms AWS takes: a SAM DeploymentPreference, an
// AWS::CodeDeploy::DeploymentConfig resource, an `aws deploy
// create-deployment-config` command or its --cli-input-json document.
type Export struct {
	// Config is the strategy; a predefined one is named by its SAM short
	// or full CodeDeploy name, a custom one by its DeploymentConfigName.
	Config strategies.Config
	// Scenario names the scenario it comes from, for the header.
	Scenario string
	// Function and Alias are the function's name and alias; Alarms the
	// alarm names CodeDeploy watches.
	Function, Alias string
	Alarms          []string
	// BeforeHook and AfterHook name the hook functions (may be empty).
	BeforeHook, AfterHook string
	// HookModelled says which hooks the scenario simulates, so that the
	// snippet can remind the user to name their functions.
	HookModelled map[string]bool
	// FunctionID and ConfigID are CloudFormation logical IDs; empty derives
	// them from the names.
	FunctionID, ConfigID string
}

// Predefined reports whether c names one of CodeDeploy's own configs.
func Predefined(c strategies.Config) bool {
	p, err := strategies.Lookup(c.Name)
	return err == nil && p.Type == c.Type && p.Percentage == c.Percentage && p.Interval == c.Interval
}

// logicalID turns a name into a CloudFormation logical ID (alphanumeric).
func logicalID(name, suffix string) string {
	var b strings.Builder
	up := true
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z':
			if up {
				r -= 'a' - 'A'
			}
			b.WriteRune(r)
			up = false
		case r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' && b.Len() > 0:
			b.WriteRune(r)
			up = false
		default:
			up = true
		}
	}
	if b.Len() == 0 {
		b.WriteString("My")
	}
	return b.String() + suffix
}

func (e Export) configID() string {
	if e.ConfigID != "" {
		return e.ConfigID
	}
	return logicalID(e.Config.Name, "Config")
}

func (e Export) functionID() string {
	if e.FunctionID != "" {
		return e.FunctionID
	}
	return logicalID(e.Function, "")
}

func num(i int) *yaml.Node { return plain(strconv.Itoa(i)) }

// resource is the AWS::CodeDeploy::DeploymentConfig resource for the config.
func (e Export) resource() *yaml.Node {
	d := e.Config.DeploymentConfig()
	r := d.TrafficRoutingConfig
	trc := mapN(false)
	set(trc, "Type", strN(r.Type), "")
	if c := r.TimeBasedCanary; c != nil {
		sub := mapN(false)
		set(sub, "CanaryPercentage", num(c.CanaryPercentage), "percent of traffic in the first shift")
		set(sub, "CanaryInterval", num(c.CanaryInterval), "minutes until the rest")
		set(trc, "TimeBasedCanary", sub, "")
	}
	if l := r.TimeBasedLinear; l != nil {
		sub := mapN(false)
		set(sub, "LinearPercentage", num(l.LinearPercentage), "percent of traffic per shift")
		set(sub, "LinearInterval", num(l.LinearInterval), "minutes between shifts")
		set(trc, "TimeBasedLinear", sub, "")
	}
	props := mapN(false)
	set(props, "DeploymentConfigName", strN(d.DeploymentConfigName), "")
	set(props, "ComputePlatform", strN(d.ComputePlatform), "")
	set(props, "TrafficRoutingConfig", trc, "")
	res := mapN(false)
	set(res, "Type", strN("AWS::CodeDeploy::DeploymentConfig"), "")
	set(res, "Properties", props, "")
	return res
}

func (e Export) custom() error {
	if Predefined(e.Config) {
		return fmt.Errorf("%s is predefined: CodeDeploy has it already, so there is nothing to create; reference it by name (DeploymentConfigName: %s), or give a --config-name to create a custom copy",
			e.Config.Name, strategies.CodeDeployName(e.Config))
	}
	if e.Config.Name == "" {
		return fmt.Errorf("the configuration has no DeploymentConfigName: give one with --config-name")
	}
	if err := e.Config.Validate(); err != nil {
		return err
	}
	return nil
}

// SAM writes a template fragment: for a custom strategy its
// AWS::CodeDeploy::DeploymentConfig resource, and the function's
// AutoPublishAlias and DeploymentPreference (Type the short name of a
// predefined config, or !Ref the resource).
func (e Export) SAM() ([]byte, error) {
	res := mapN(false)
	dp := mapN(false)
	if Predefined(e.Config) {
		set(dp, "Type", strN(strategies.ShortName(e.Config)), strategies.CodeDeployName(e.Config))
	} else {
		if err := e.custom(); err != nil {
			return nil, err
		}
		set(res, e.configID(), e.resource(), "")
		set(dp, "Type", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!Ref", Value: e.configID()}, "SAM passes a custom name through to the deployment group")
	}
	if len(e.Alarms) > 0 {
		al := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		for _, a := range e.Alarms {
			al.Content = append(al.Content, strN(a))
		}
		k := set(dp, "Alarms", al, "")
		k.LineComment = "# alarm names; for an alarm this template defines, write !Ref ItsLogicalId"
	}
	hooks := mapN(false)
	var missing []string
	for _, h := range []struct{ sam, event, fn string }{{"PreTraffic", BeforeAllowTraffic, e.BeforeHook}, {"PostTraffic", AfterAllowTraffic, e.AfterHook}} {
		switch {
		case h.fn != "":
			set(hooks, h.sam, strN(h.fn), "")
		case e.HookModelled[h.event]:
			missing = append(missing, h.sam)
		}
	}
	if len(hooks.Content) > 0 {
		set(dp, "Hooks", hooks, "")
	}
	props := mapN(false)
	set(props, "AutoPublishAlias", strN(e.Alias), "")
	dpk := set(props, "DeploymentPreference", dp, "")
	if len(missing) > 0 {
		what := "a " + missing[0] + " hook"
		if len(missing) == 2 {
			what = "PreTraffic and PostTraffic hooks"
		}
		dpk.HeadComment = fmt.Sprintf("# the scenario simulates %s: add Hooks: {%s: !Ref YourHookFunction}, or pass --before-hook/--after-hook", what, missing[0])
	}
	fn := mapN(false)
	set(fn, "Type", strN("AWS::Serverless::Function"), "")
	set(fn, "Properties", props, "")
	fk := set(res, e.functionID(), fn, "")
	fk.HeadComment = fmt.Sprintf("# your function %s: keep its other properties", e.Function)
	root := mapN(false)
	k := set(root, "Resources", res, "")
	k.HeadComment = fmt.Sprintf("# Strategy %s of scenario %s, as SAM deploys it (shiftsim export -o sam).\n# Merge into your template.", e.Config.Name, e.Scenario)
	return encodeYAML(&yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{root}}), nil
}

// CloudFormation writes the AWS::CodeDeploy::DeploymentConfig resource.
func (e Export) CloudFormation() ([]byte, error) {
	if err := e.custom(); err != nil {
		return nil, err
	}
	res := mapN(false)
	set(res, e.configID(), e.resource(), "")
	root := mapN(false)
	k := set(root, "Resources", res, "")
	k.HeadComment = fmt.Sprintf("# Strategy %s of scenario %s as a CloudFormation resource (shiftsim export).\n# Use it from SAM with DeploymentPreference.Type: !Ref %s, or from an\n# AWS::CodeDeploy::DeploymentGroup with DeploymentConfigName: !Ref %s.", e.Config.Name, e.Scenario, e.configID(), e.configID())
	return encodeYAML(&yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{root}}), nil
}

// CLI writes the `aws deploy create-deployment-config` command.
func (e Export) CLI() ([]byte, error) {
	if err := e.custom(); err != nil {
		return nil, err
	}
	return fmt.Appendf(nil, "aws deploy create-deployment-config \\\n    --deployment-config-name %s \\\n    --compute-platform Lambda \\\n    --traffic-routing-config %s\n",
		shellQuote(e.Config.Name), shellQuote(e.Config.DeploymentConfig().TrafficRoutingConfig.Shorthand())), nil
}

// JSON writes CreateDeploymentConfig's input in the API's wire names, for
// `aws deploy create-deployment-config --cli-input-json file://FILE`.
func (e Export) JSON() ([]byte, error) {
	if err := e.custom(); err != nil {
		return nil, err
	}
	doc := e.Config.DeploymentConfig().API()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// CreateDeploymentCLI writes `aws deploy create-deployment` with the
// AppSpec inline as an AppSpecContent revision.
func CreateDeploymentCLI(application, group, config string, content []byte) []byte {
	return fmt.Appendf(nil, "aws deploy create-deployment \\\n    --application-name %s \\\n    --deployment-group-name %s \\\n    --deployment-config-name %s \\\n    --revision %s\n",
		shellQuote(application), shellQuote(group), shellQuote(config), shellQuote(string(strategies.NewRevision(content).JSON())))
}
