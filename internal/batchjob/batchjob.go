// Package batchjob writes the definitions that run a sharded shiftsim
// comparison on the batch engines users already have: a Kubernetes Indexed
// Job (with the scenario in a ConfigMap) and an AWS Batch array job
// definition with its submit request. Each of the K tasks runs
// `shiftsim compare ... --shard auto/K`, which reads its index from
// JOB_COMPLETION_INDEX or AWS_BATCH_JOB_ARRAY_INDEX, and writes its part;
// `shiftsim merge` combines the parts (docs/scale-out.md).
//
// The documents are plain values shaped like the engines' APIs (field names
// as in batch/v1 and Batch's RegisterJobDefinition and SubmitJob); the
// tests hold them to the real types of k8s.io/api and aws-sdk-go-v2.
package batchjob

import (
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"
)

// Spec is what the K tasks run.
type Spec struct {
	Name         string   // job name: lower-case letters, digits and dashes
	Image        string   // a container image with shiftsim on its PATH
	ScenarioFile string   // the scenario's file name (its base is used)
	Scenario     string   // the scenario's text
	Args         []string // compare's flags, --shard and --out left out
	Tasks        int      // K
	// Results is where parts go: a PersistentVolumeClaim name
	// (Kubernetes) or an s3:// prefix (AWS Batch).
	Results string
	Queue   string // AWS Batch job queue
	VCPU    int    // per task; 0 means 1
	MemMiB  int    // per task; 0 means 2048
}

var dns = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

// Validate reports what makes s unusable.
func (s Spec) Validate() error {
	switch {
	case !dns.MatchString(s.Name) || len(s.Name) > 52:
		return fmt.Errorf("job name %q: want lower-case letters, digits and dashes, at most 52 characters", s.Name)
	case s.Image == "":
		return fmt.Errorf("--image is required: a container image with shiftsim on its PATH")
	case s.Tasks < 1:
		return fmt.Errorf("%d tasks: want at least 1", s.Tasks)
	case s.Results == "":
		return fmt.Errorf("--results is required")
	}
	return nil
}

func (s Spec) base() string {
	b := path.Base(strings.ReplaceAll(s.ScenarioFile, `\`, "/"))
	if b == "." || b == "/" || b == "" {
		return "scenario.yaml"
	}
	return b
}

func (s Spec) resources() (vcpu, mem string) {
	v, m := s.VCPU, s.MemMiB
	if v <= 0 {
		v = 1
	}
	if m <= 0 {
		m = 2048
	}
	return strconv.Itoa(v), strconv.Itoa(m)
}

// compare is the task's command line after "shiftsim", writing its part to
// out.
func (s Spec) compare(scenario, index, out string) []string {
	args := append([]string{"compare", scenario}, s.Args...)
	return append(args, "--shard=auto/"+strconv.Itoa(s.Tasks), "--quiet", "--out="+out+"/part-"+index+".json")
}

// K8sMountScenario and K8sMountResults are where the Job's containers see
// the scenario (from the ConfigMap) and the results volume.
const (
	K8sMountScenario = "/scenario"
	K8sMountResults  = "/results"
)

// Kubernetes returns the ConfigMap holding the scenario and the Indexed
// Job, as documents for YAML or JSON, and the commands to submit and merge.
func Kubernetes(s Spec) (configMap, job map[string]any, commands []string) {
	vcpu, mem := s.resources()
	configMap = map[string]any{
		"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]any{"name": s.Name + "-scenario"},
		"data":     map[string]any{s.base(): s.Scenario},
	}
	argv := s.compare(K8sMountScenario+"/"+s.base(), "$(JOB_COMPLETION_INDEX)", K8sMountResults)
	job = map[string]any{
		"apiVersion": "batch/v1", "kind": "Job",
		"metadata": map[string]any{"name": s.Name},
		"spec": map[string]any{
			"completionMode": "Indexed",
			"completions":    s.Tasks,
			"parallelism":    s.Tasks,
			"backoffLimit":   3 * s.Tasks,
			"template": map[string]any{
				"spec": map[string]any{
					"restartPolicy": "Never",
					"containers": []any{map[string]any{
						"name":    "shiftsim",
						"image":   s.Image,
						"command": []any{"shiftsim"},
						"args":    toAny(argv),
						// Declared so that $(JOB_COMPLETION_INDEX) expands in
						// args; the controller sets the same value itself.
						"env": []any{map[string]any{
							"name": "JOB_COMPLETION_INDEX",
							"valueFrom": map[string]any{"fieldRef": map[string]any{
								"fieldPath": "metadata.annotations['batch.kubernetes.io/job-completion-index']"}},
						}},
						"resources": map[string]any{"requests": map[string]any{"cpu": vcpu, "memory": mem + "Mi"}},
						"volumeMounts": []any{
							map[string]any{"name": "scenario", "mountPath": K8sMountScenario, "readOnly": true},
							map[string]any{"name": "results", "mountPath": K8sMountResults},
						},
					}},
					"volumes": []any{
						map[string]any{"name": "scenario", "configMap": map[string]any{"name": s.Name + "-scenario"}},
						map[string]any{"name": "results", "persistentVolumeClaim": map[string]any{"claimName": s.Results}},
					},
				},
			},
		},
	}
	commands = []string{
		"kubectl apply -f MANIFEST.yaml",
		"kubectl wait --for=condition=complete --timeout=24h job/" + s.Name,
		"shiftsim merge " + K8sMountResults + "/part-*.json --output json   # where the " + s.Results + " volume is mounted",
	}
	return configMap, job, commands
}

// AWSBatch returns the RegisterJobDefinition and SubmitJob requests of an
// array job of K tasks (as `aws batch ... --cli-input-json` takes them),
// and the commands to submit and merge. The scenario travels in an
// environment variable; each task writes its part to the s3:// prefix
// (the image needs a shell and the AWS CLI).
func AWSBatch(s Spec) (definition, submit map[string]any, commands []string) {
	vcpu, mem := s.resources()
	script := "printf '%s' \"$SHIFTSIM_SCENARIO\" > /tmp/" + s.base() + " && shiftsim " +
		shellJoin(s.compare("/tmp/"+s.base(), "$AWS_BATCH_JOB_ARRAY_INDEX", "/tmp")) +
		" && aws s3 cp /tmp/part-$AWS_BATCH_JOB_ARRAY_INDEX.json " + strings.TrimSuffix(s.Results, "/") + "/part-$AWS_BATCH_JOB_ARRAY_INDEX.json"
	definition = map[string]any{
		"jobDefinitionName": s.Name,
		"type":              "container",
		"containerProperties": map[string]any{
			"image":   s.Image,
			"command": []any{"/bin/sh", "-c", script},
			"environment": []any{
				map[string]any{"name": "SHIFTSIM_SCENARIO", "value": s.Scenario},
			},
			"resourceRequirements": []any{
				map[string]any{"type": "VCPU", "value": vcpu},
				map[string]any{"type": "MEMORY", "value": mem},
			},
		},
		"retryStrategy": map[string]any{"attempts": 3},
	}
	submit = map[string]any{
		"jobName":         s.Name,
		"jobQueue":        s.Queue,
		"jobDefinition":   s.Name,
		"arrayProperties": map[string]any{"size": s.Tasks},
	}
	commands = []string{
		"aws batch register-job-definition --cli-input-json file://job-definition.json",
		"aws batch submit-job --cli-input-json file://submit-job.json",
		"aws s3 cp --recursive " + strings.TrimSuffix(s.Results, "/") + "/ parts/ && shiftsim merge parts/part-*.json --output json",
	}
	return definition, submit, commands
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// shellJoin quotes each argument for sh, leaving $VAR references live.
func shellJoin(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		if strings.Contains(a, "$") {
			q[i] = `"` + a + `"`
			continue
		}
		q[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(q, " ")
}
