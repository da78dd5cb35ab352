package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"
	"go.yaml.in/yaml/v3"

	"github.com/shiftsim/shiftsim/internal/batchjob"
)

// emitOpts are compare's --emit flags: instead of running, write what runs
// the comparison as K tasks on a batch engine.
type emitOpts struct {
	kind, image, results, queue, name *string
	tasks, cpu, memory                *int
}

func (e *emitOpts) declare(fs *pflag.FlagSet) {
	e.kind = fs.String("emit", "", "write, instead of running, a batch job of --tasks K shards: k8s-job (a Kubernetes Indexed Job\\nand a ConfigMap with the scenario) or aws-batch (an AWS Batch job definition and array-job request)")
	e.tasks = fs.Int("tasks", 10, "with --emit: how many tasks share the --runs")
	e.image = fs.String("image", "", "with --emit: a container image with shiftsim on its PATH (required)")
	e.results = fs.String("results", "", "with --emit: where parts go: k8s-job a PersistentVolumeClaim's name (default shiftsim-results),\\naws-batch an s3:// prefix (required)")
	e.queue = fs.String("job-queue", "", "with --emit aws-batch: the job queue (required)")
	e.name = fs.String("job-name", "", "with --emit: the job's name (default shiftsim-SCENARIO)")
	e.cpu = fs.Int("cpu", 1, "with --emit: vCPUs per task")
	e.memory = fs.Int("memory", 2048, "with --emit: memory per task, MiB")
}

// emitJob writes the batch job that runs this comparison sharded.
func emitJob(fs *pflag.FlagSet, o *compareOpts, path string, stdout io.Writer) error {
	e := &o.emit
	if *o.runs < 2 {
		return inputErrf("--emit needs --runs N of at least 2 to share among the tasks")
	}
	if *o.shard != "" {
		return inputErrf("--emit writes the job whose tasks take --shard auto/K: give one or the other")
	}
	_, name, text, err := readScenario(path)
	if err != nil {
		return err
	}
	jobName := *e.name
	if jobName == "" {
		base := strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))
		jobName = "shiftsim-" + strings.Trim(strings.Map(func(r rune) rune {
			switch {
			case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
				return r
			case r >= 'A' && r <= 'Z':
				return r + 'a' - 'A'
			}
			return '-'
		}, base), "-")
		if len(jobName) > 52 {
			jobName = strings.TrimRight(jobName[:52], "-")
		}
	}
	spec := batchjob.Spec{Name: jobName, Image: *e.image, ScenarioFile: name, Scenario: string(text), Args: shardArgs(fs),
		Tasks: *e.tasks, Results: *e.results, Queue: *e.queue, VCPU: *e.cpu, MemMiB: *e.memory}
	var out bytes.Buffer
	switch *e.kind {
	case "k8s-job":
		if spec.Results == "" {
			spec.Results = "shiftsim-results"
		}
		if err := spec.Validate(); err != nil {
			return inputErrf("--emit k8s-job: %v", err)
		}
		cm, job, cmds := batchjob.Kubernetes(spec)
		fmt.Fprintf(&out, "# shiftsim compare %s as a Kubernetes Indexed Job of %d tasks (--runs %d shared among them).\n", name, spec.Tasks, *o.runs)
		fmt.Fprintf(&out, "# The PersistentVolumeClaim %q must exist (ReadWriteMany) and receives one part per task.\n", spec.Results)
		for _, c := range cmds {
			fmt.Fprintf(&out, "#   %s\n", c)
		}
		for i, doc := range []any{cm, job} {
			if i > 0 {
				out.WriteString("---\n")
			}
			enc := yaml.NewEncoder(&out)
			enc.SetIndent(2)
			if err := enc.Encode(doc); err != nil {
				return err
			}
			enc.Close()
		}
	case "aws-batch":
		if !strings.HasPrefix(spec.Results, "s3://") {
			return inputErrf("--emit aws-batch: --results must be an s3:// prefix for the parts, e.g. s3://my-bucket/shiftsim/run-1")
		}
		if spec.Queue == "" {
			return inputErrf("--emit aws-batch: --job-queue is required")
		}
		if err := spec.Validate(); err != nil {
			return inputErrf("--emit aws-batch: %v", err)
		}
		def, submit, cmds := batchjob.AWSBatch(spec)
		doc := map[string]any{"registerJobDefinition": def, "submitJob": submit, "commands": append([]string{
			"jq .registerJobDefinition THIS.json > job-definition.json && jq .submitJob THIS.json > submit-job.json"}, cmds...)}
		enc := json.NewEncoder(&out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(doc); err != nil {
			return err
		}
	default:
		return inputErrf("--emit %q: want k8s-job or aws-batch", *e.kind)
	}
	return writeOut(*o.out, out.Bytes(), stdout)
}
