package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/batch"
	batchtypes "github.com/aws/aws-sdk-go-v2/service/batch/types"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/shiftsim/shiftsim/internal/batchjob"
)

// strict decodes JSON into v, refusing any field v's type does not have:
// the emitted documents are held to the engines' own API types.
func strict(t *testing.T, what string, data []byte, v any) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s does not fit its API type: %v\n%s", what, err, data)
	}
}

// TestEmitK8sJob: the manifest is a ConfigMap and an Indexed Job of the
// batch/v1 API, and running its K tasks locally — each with its
// JOB_COMPLETION_INDEX, the ConfigMap's files and a shared results folder —
// then merging the parts gives exactly the whole comparison.
func TestEmitK8sJob(t *testing.T) {
	const k, runs = 3, 8
	code, out, errs := runCLI("compare", "../../scenarios/bad-canary.yaml", "--runs", strconv.Itoa(runs), "--seed", "5",
		"--emit", "k8s-job", "--tasks", strconv.Itoa(k), "--image", "registry.example/shiftsim:1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	docs := strings.Split(out, "\n---\n")
	if len(docs) != 2 {
		t.Fatalf("%d YAML documents, want a ConfigMap and a Job:\n%s", len(docs), out)
	}
	var cm corev1.ConfigMap
	var job batchv1.Job
	for i, v := range []any{&cm, &job} {
		j, err := yaml.YAMLToJSON([]byte(docs[i]))
		if err != nil {
			t.Fatal(err)
		}
		strict(t, "document "+strconv.Itoa(i), j, v)
	}
	if cm.Kind != "ConfigMap" || job.Kind != "Job" || job.APIVersion != "batch/v1" {
		t.Fatalf("kinds %q %q %q", cm.Kind, job.Kind, job.APIVersion)
	}
	spec := job.Spec
	if spec.CompletionMode == nil || *spec.CompletionMode != batchv1.IndexedCompletion || *spec.Completions != k || *spec.Parallelism != k {
		t.Fatalf("want an Indexed Job of %d completions: %+v", k, spec)
	}
	pod := spec.Template.Spec
	if pod.RestartPolicy != corev1.RestartPolicyNever || len(pod.Containers) != 1 || pod.Volumes[0].ConfigMap.Name != cm.Name {
		t.Fatalf("pod spec: %+v", pod)
	}
	c := pod.Containers[0]
	if c.Env[0].Name != "JOB_COMPLETION_INDEX" || !strings.Contains(c.Env[0].ValueFrom.FieldRef.FieldPath, "job-completion-index") {
		t.Errorf("the index variable: %+v", c.Env)
	}

	// Run the K tasks here: the ConfigMap's files in a folder for
	// /scenario, another folder for /results.
	scenDir, resDir := t.TempDir(), t.TempDir()
	for name, text := range cm.Data {
		os.WriteFile(filepath.Join(scenDir, name), []byte(text), 0o644)
	}
	for i := 0; i < k; i++ {
		t.Setenv("JOB_COMPLETION_INDEX", strconv.Itoa(i))
		var args []string
		for _, a := range c.Args {
			a = strings.ReplaceAll(a, "$(JOB_COMPLETION_INDEX)", os.Getenv("JOB_COMPLETION_INDEX"))
			a = strings.ReplaceAll(a, batchjob.K8sMountScenario, scenDir)
			a = strings.ReplaceAll(a, batchjob.K8sMountResults, resDir)
			args = append(args, a)
		}
		if c.Command[0] != "shiftsim" {
			t.Fatalf("command %v", c.Command)
		}
		if code, _, errs := runCLI(args...); code != 0 {
			t.Fatalf("task %d (%v): exit %d: %s", i, args, code, errs)
		}
	}
	parts, _ := filepath.Glob(filepath.Join(resDir, "part-*.json"))
	if len(parts) != k {
		t.Fatalf("%d parts, want %d", len(parts), k)
	}
	code, merged, errs := runCLI(append([]string{"merge", "--output", "json"}, parts...)...)
	if code != 0 {
		t.Fatalf("merge: exit %d: %s", code, errs)
	}
	_, whole, _ := runCLI("compare", "../../scenarios/bad-canary.yaml", "--runs", strconv.Itoa(runs), "--seed", "5", "--output", "json")
	if merged != whole {
		t.Errorf("the Job's merged parts differ from the whole run:\n%s\nwant\n%s", merged, whole)
	}
}

// TestEmitAWSBatch: the job definition and the array-job request fit
// aws-sdk-go-v2's RegisterJobDefinitionInput and SubmitJobInput, with
// values Batch accepts.
func TestEmitAWSBatch(t *testing.T) {
	code, out, errs := runCLI("compare", "../../scenarios/bad-canary.yaml", "--runs", "50", "--emit", "aws-batch", "--tasks", "5",
		"--image", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/shiftsim:1", "--results", "s3://bucket/runs/1", "--job-queue", "sims")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var doc struct {
		Register json.RawMessage `json:"registerJobDefinition"`
		Submit   json.RawMessage `json:"submitJob"`
		Commands []string        `json:"commands"`
	}
	strict(t, "the document", []byte(out), &doc)
	var def batch.RegisterJobDefinitionInput
	var sub batch.SubmitJobInput
	strict(t, "registerJobDefinition", doc.Register, &def)
	strict(t, "submitJob", doc.Submit, &sub)
	if !slices.Contains(def.Type.Values(), def.Type) || def.Type != batchtypes.JobDefinitionTypeContainer {
		t.Errorf("type %q", def.Type)
	}
	for _, r := range def.ContainerProperties.ResourceRequirements {
		if !slices.Contains(r.Type.Values(), r.Type) {
			t.Errorf("resource type %q is not one of %v", r.Type, r.Type.Values())
		}
	}
	if *sub.ArrayProperties.Size != 5 || *sub.JobDefinition != *def.JobDefinitionName || *sub.JobQueue != "sims" {
		t.Errorf("submit: %+v", sub)
	}
	script := strings.Join(def.ContainerProperties.Command, " ")
	for _, want := range []string{"--shard=auto/5", "--runs=50", "s3://bucket/runs/1/part-$AWS_BATCH_JOB_ARRAY_INDEX.json"} {
		if !strings.Contains(script, want) {
			t.Errorf("command lacks %q: %s", want, script)
		}
	}
	for _, bad := range [][]string{{"--results", "/tmp/x", "--job-queue", "q", "--image", "i"}, {"--results", "s3://b", "--image", "i"}, {"--results", "s3://b", "--job-queue", "q"}} {
		if code, _, errs := runCLI(append([]string{"compare", "../../scenarios/bad-canary.yaml", "--runs", "5", "--emit", "aws-batch"}, bad...)...); code != 2 {
			t.Errorf("%v: exit %d: %s", bad, code, errs)
		}
	}
}
