package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/shiftsim/shiftsim/importer"
	"github.com/shiftsim/shiftsim/internal/safeio"
	"github.com/shiftsim/shiftsim/internal/suggest"
)

func init() {
	register("import", "turn a SAM template, AppSpec, deployment config or describe-alarms output into a scenario", cmdImport)
}

// importKinds are the sources `shiftsim import` reads.
var importKinds = map[string]struct {
	args, short, summary string
	run                  func(file string, data []byte, opt importer.Options) (*importer.Draft, error)
}{
	"sam": {"TEMPLATE", "a SAM or CloudFormation template: the function deployed with CodeDeploy", `Reads a SAM template (or the CloudFormation it transforms into) and writes the scenario of the
function it deploys with CodeDeploy: function name and alias (AutoPublishAlias), the strategy from
DeploymentPreference.Type (a custom name is resolved from an AWS::CodeDeploy::DeploymentConfig of the
same template), the alarms from its AWS::CloudWatch::Alarm resources (DeploymentPreference.Alarms),
the hooks (PreTraffic -> BeforeAllowTraffic, PostTraffic -> AfterAllowTraffic) and the Timeout.
CloudFormation functions (!Ref, !Sub, !GetAtt, !If, !Join, !Select, !Split, !FindInMap, Fn::* long
forms) are evaluated with Parameter Defaults, Mappings, Conditions and --parameter values; what is
known only at deploy time is reported as file:line: path: why, with the fix.`, importer.SAM},
	"appspec": {"FILE", "a Lambda AppSpec (YAML or JSON): function, alias, versions, hooks", `Reads a Lambda AppSpec (appspec.yml or appspec.json; PascalCase or lower-case keys) and writes
a scenario with its function, alias, current and target versions and hooks.`, importer.AppSpecImport},
	"deployment-config": {"FILE", "CodeDeploy deployment configs (template, get-deployment-config JSON, CLI, Terraform)", `Reads CodeDeploy deployment configurations and writes a scenario with each as a strategy:
AWS::CodeDeploy::DeploymentConfig resources of a template (or one resource, or its Properties),
'aws deploy get-deployment-config' output, a create-deployment-config --cli-input-json document, an
'aws deploy create-deployment-config' command line, or Terraform (aws_/awscc_codedeploy_deployment_config).`, importer.DeploymentConfigs},
	"alarms": {"FILE", "describe-alarms JSON, put-metric-alarm commands, or a template's alarms", `Reads 'aws cloudwatch describe-alarms' output (MetricAlarms), 'aws cloudwatch put-metric-alarm'
command lines, or a template's AWS::CloudWatch::Alarm resources, and writes a scenario with those alarms. Without --into, the
function, alias and target version are taken from the alarms' Lambda dimensions.`, importer.AlarmsImport},
}

const importHelp = `Every import writes a complete scenario that 'shiftsim validate' accepts: comments say where each
value came from, and what the source does not say (traffic rate, error rates, latencies, hook
behaviour) holds a default marked DEFAULT, to be set before you trust a comparison. Alarms the
simulator cannot evaluate (another namespace, a metric it does not model) are written commented out,
with the reason. Notes go to stderr as file:line: path: message.

With --into SCENARIO, only what the source speaks of is merged into that scenario (comments kept;
alarms replace those of the same AlarmName; strategies are appended; hooks not modelled yet are
added with default behaviour); the result goes to stdout, or to --output (which may name SCENARIO
itself: it is replaced only once the merged scenario loads).

Exit status: 0 when written (unresolved values are notes), 2 for an input error, or with --strict
when anything could not be resolved (nothing is written then).`

func importUsage(w io.Writer) {
	fmt.Fprintf(w, "Usage: shiftsim import KIND FILE [flags]\n\nKinds:\n")
	kinds := make([]string, 0, len(importKinds))
	for k := range importKinds {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		fmt.Fprintf(w, "  %-18s %s\n", k, importKinds[k].short)
	}
	fmt.Fprintf(w, "\n%s\n\nRun 'shiftsim import KIND --help' for the flags.\n", importHelp)
}

// parameterFlag collects repeated --parameter Name=Value.
type parameterFlag map[string]string

func (p parameterFlag) String() string { return "" }
func (p parameterFlag) Type() string   { return "Name=Value" }
func (p parameterFlag) Set(s string) error {
	for _, kv := range strings.Fields(s) { // sam deploy's --parameter-overrides form works too
		k, v, ok := strings.Cut(kv, "=")
		k = strings.TrimPrefix(k, "ParameterKey=")
		if pk, pv, ok2 := strings.Cut(kv, ","); ok2 && strings.HasPrefix(pk, "ParameterKey=") {
			k, v, ok = strings.TrimPrefix(pk, "ParameterKey="), strings.TrimPrefix(pv, "ParameterValue="), true
		}
		if !ok || k == "" {
			return fmt.Errorf("%q: want Name=Value", kv)
		}
		p[k] = v
	}
	return nil
}

func cmdImport(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		importUsage(stdout)
		if len(args) == 0 {
			return inputErrf("want a KIND: sam, appspec, deployment-config or alarms (see above)")
		}
		return errHelp
	}
	kind, ok := importKinds[args[0]]
	if !ok {
		kinds := make([]string, 0, len(importKinds))
		for k := range importKinds {
			kinds = append(kinds, k)
		}
		sort.Strings(kinds)
		return inputErrf("unknown kind %q%s: want %s (see 'shiftsim help import')", args[0], didYouMean(args[0], kinds), suggest.OrList(kinds))
	}
	name := "import " + args[0]
	fs := newFlagSet(name, kind.args+" [flags]", kind.summary+"\n\n"+importHelp, stdout)
	params := parameterFlag{}
	var function *string
	if args[0] == "sam" {
		function = fs.String("function", "", "logical ID of the function to import (required when several have a DeploymentPreference)")
	}
	if args[0] != "appspec" {
		fs.Var(params, "parameter", "template parameter or pseudo parameter value, e.g. Stage=prod or AWS::Region=eu-west-1 (repeatable)")
	}
	into := fs.String("into", "", "merge into this scenario instead of writing a new one")
	format := outputFlag(fs, "yaml")
	output := outFlag(fs)
	strict := fs.Bool("strict", false, "fail (exit 2, nothing written) when any value cannot be resolved")
	if err := parseFlags(fs, args[1:], stdout); err != nil {
		return err
	}
	path, err := oneArg(fs.Args(), kind.args)
	if err != nil {
		return err
	}
	if err := checkOutput(*format, "yaml"); err != nil {
		return err
	}
	data, err := safeio.ReadFile(path, safeio.MaxDocument)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return inputErrf("%s: no such file", path)
		}
		return asInput(err)
	}
	opt := importer.Options{Parameters: params}
	if function != nil {
		opt.Function = *function
	}
	d, err := kind.run(path, data, opt)
	if err != nil {
		return asInput(err)
	}
	d.Command = "shiftsim " + strings.Join(append([]string{name}, args[1:]...), " ")
	var out []byte
	if *into != "" {
		existing, rerr := safeio.ReadFile(*into, safeio.MaxDocument)
		if rerr != nil {
			if errors.Is(rerr, os.ErrNotExist) {
				return inputErrf("--into %s: no such file", *into)
			}
			return asInput(rerr)
		}
		out, err = d.MergeInto(*into, existing)
	} else {
		out, err = d.Scenario()
	}
	if err != nil {
		return asInput(err)
	}
	for _, n := range d.Notes {
		tag := ""
		switch {
		case n.Warning:
			tag = " (warning)"
		case !n.Unresolved:
			tag = " (assumed)"
		}
		fmt.Fprintf(stderr, "%s%s\n", n, tag)
	}
	fmt.Fprintln(stderr, d.Summary())
	if un := d.Unresolved(); *strict && len(un) > 0 {
		return inputErrf("--strict: %d value%s could not be resolved (see above); nothing written", len(un), map[bool]string{true: "", false: "s"}[len(un) == 1])
	}
	if *output == "" {
		_, err = stdout.Write(out)
		return err
	}
	return writeFileAtomic(*output, out)
}

// writeFileAtomic replaces path only once the whole content is written.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return asInput(err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if st, err := os.Stat(path); err == nil {
		os.Chmod(tmp.Name(), st.Mode().Perm())
	} else {
		os.Chmod(tmp.Name(), 0o644)
	}
	return os.Rename(tmp.Name(), path)
}
