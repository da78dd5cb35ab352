package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// shardParts runs compare's shards 0..k-1 of args and writes each part to
// a file, returning the file names.
func shardParts(t *testing.T, k int, args ...string) []string {
	t.Helper()
	dir := t.TempDir()
	var files []string
	for i := 0; i < k; i++ {
		code, out, errs := runCLI(append(append([]string{"compare"}, args...), "--shard", strings.Join([]string{itoa(i), itoa(k)}, "/"))...)
		if code != 0 {
			t.Fatalf("shard %d/%d: exit %d: %s", i, k, code, errs)
		}
		f := filepath.Join(dir, "part-"+itoa(i)+".json")
		if err := os.WriteFile(f, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	return files
}

func itoa(i int) string { return strconv.Itoa(i) }

// TestMergeEqualsWholeRun: the merged parts of a sharded compare print
// exactly what the whole run prints, byte for byte, for K that does and
// does not divide N, more tasks than runs, and parts in any order.
func TestMergeEqualsWholeRun(t *testing.T) {
	scen := "../../scenarios/bad-canary.yaml"
	for _, tc := range []struct {
		runs, k int
		extra   []string
	}{
		{7, 3, nil},
		{6, 2, []string{"--seed", "99"}},
		{5, 1, nil},
		{4, 6, []string{"--engine", "batched"}},
		{5, 2, nil}, // a built-in scenario by name: see below
	} {
		sc := scen
		if tc.k == 2 && tc.runs == 5 {
			sc = "bad-canary"
		}
		args := append([]string{sc, "--runs", itoa(tc.runs)}, tc.extra...)
		files := shardParts(t, tc.k, args...)
		// Reverse order: parts may come in any order.
		rev := make([]string, len(files))
		for i, f := range files {
			rev[len(files)-1-i] = f
		}
		for _, format := range []string{"json", "table", "csv"} {
			code, whole, errs := runCLI(append(append([]string{"compare"}, args...), "--output", format)...)
			if code != 0 {
				t.Fatalf("whole run: exit %d: %s", code, errs)
			}
			code, merged, errs := runCLI(append([]string{"merge", "--output", format}, rev...)...)
			if code != 0 {
				t.Fatalf("merge: exit %d: %s", code, errs)
			}
			if merged != whole {
				t.Errorf("N=%d K=%d %v --output %s: merged output differs from the whole run's:\n%s\nwant:\n%s", tc.runs, tc.k, tc.extra, format, merged, whole)
			}
		}
	}
}

// TestShardAuto reads the task's index from the batch engines' variables.
func TestShardAuto(t *testing.T) {
	scen := "../../scenarios/bad-canary.yaml"
	_, want, _ := runCLI("compare", scen, "--runs", "5", "--shard", "1/2")
	for _, v := range []string{"JOB_COMPLETION_INDEX", "AWS_BATCH_JOB_ARRAY_INDEX"} {
		t.Run(v, func(t *testing.T) {
			t.Setenv("JOB_COMPLETION_INDEX", "")
			t.Setenv("AWS_BATCH_JOB_ARRAY_INDEX", "")
			t.Setenv(v, "1")
			code, got, errs := runCLI("compare", scen, "--runs", "5", "--shard", "auto/2")
			if code != 0 || got != want {
				t.Errorf("exit %d (%s): auto/2 with %s=1 differs from 1/2", code, errs, v)
			}
		})
	}
	t.Setenv("JOB_COMPLETION_INDEX", "")
	t.Setenv("AWS_BATCH_JOB_ARRAY_INDEX", "")
	if code, _, errs := runCLI("compare", scen, "--runs", "5", "--shard", "auto/2"); code != 2 || !strings.Contains(errs, "JOB_COMPLETION_INDEX") {
		t.Errorf("auto without an index: exit %d: %s", code, errs)
	}
	for _, bad := range []string{"2/2", "-1/2", "1", "a/3", "0/0"} {
		if code, _, errs := runCLI("compare", scen, "--runs", "5", "--shard", bad); code != 2 {
			t.Errorf("--shard %s: exit %d: %s", bad, code, errs)
		}
	}
}

// TestMergeRejects: parts that are not exactly one whole run's are input
// errors that say what is wrong.
func TestMergeRejects(t *testing.T) {
	scen := "../../scenarios/bad-canary.yaml"
	a := shardParts(t, 3, scen, "--runs", "6")
	other := shardParts(t, 3, scen, "--runs", "6", "--seed", "7")
	two := shardParts(t, 2, scen, "--runs", "6")
	junk := filepath.Join(t.TempDir(), "junk.json")
	os.WriteFile(junk, []byte(`{"hello": 1}`), 0o644)
	for _, tc := range []struct {
		name  string
		files []string
		want  string
	}{
		{"missing", a[:2], "missing shard 2/3"},
		{"twice", []string{a[0], a[1], a[1], a[2]}, "both shard 1/3"},
		{"other run", []string{a[0], other[1], a[2]}, "different runs"},
		{"other split", []string{a[0], two[1]}, "one split"},
		{"not a part", []string{junk}, "not a partial result"},
		{"no file", []string{"/nonexistent/part.json"}, "no such file"},
	} {
		code, _, errs := runCLI(append([]string{"merge", "--output", "json"}, tc.files...)...)
		if code != 2 || !strings.Contains(errs, tc.want) {
			t.Errorf("%s: exit %d, %q (want exit 2 and %q)", tc.name, code, errs, tc.want)
		}
	}
}

// A sharded sweep merges into exactly the whole sweep, every combination.
func TestMergeSweep(t *testing.T) {
	args := []string{"sweep", "bad-canary", "--vary", "traffic.rate=20,60", "--vary", "versions.target.error_rate=0.02,0.05", "--runs", "5", "--seed", "3"}
	dir := t.TempDir()
	var files []string
	for i := 2; i >= 0; i-- {
		f := filepath.Join(dir, "part-"+itoa(i)+".json")
		if code, _, errs := runCLI(append(append([]string{}, args...), "--shard", itoa(i)+"/3", "--out", f)...); code != 0 {
			t.Fatalf("shard %d: exit %d: %s", i, code, errs)
		}
		files = append(files, f)
	}
	for _, format := range []string{"json", "table"} {
		_, whole, errs := runCLI(append(append([]string{}, args...), "--output", format)...)
		code, merged, merrs := runCLI(append([]string{"merge", "--output", format}, files...)...)
		if code != 0 {
			t.Fatalf("merge: exit %d: %s (%s)", code, merrs, errs)
		}
		if merged != whole {
			t.Errorf("--output %s: merged sweep differs:\n%s\nwant\n%s", format, merged, whole)
		}
	}
}

// A sharded recommend merges into exactly the whole recommendation, with
// and without --with-alarms (each plan with its tuned alarm), including
// the exit status.
func TestMergeRecommend(t *testing.T) {
	// bad-canary with its poll phase pinned: one phase for the exact
	// engine to compute instead of 60, so the tuning is quick.
	data, err := os.ReadFile("../../scenarios/bad-canary.yaml")
	if err != nil {
		t.Fatal(err)
	}
	pinned := filepath.Join(t.TempDir(), "pinned.yaml")
	text := strings.Replace(string(data), "monitoring:\n", "monitoring:\n  poll_phase: 20s\n", 1)
	if err := os.WriteFile(pinned, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"recommend", "bad-canary", "--max-failed", "150", "--runs", "5", "--seed", "3"},
		{"recommend", pinned, "--max-failed", "150", "--runs", "4", "--with-alarms",
			"--statistics", "count,rate", "--evaluation-periods", "1", "--treat-missing-data", "missing"},
	} {
		dir := t.TempDir()
		var files []string
		for i := 2; i >= 0; i-- {
			f := filepath.Join(dir, "part-"+itoa(i)+".json")
			if code, _, errs := runCLI(append(append([]string{}, args...), "--shard", itoa(i)+"/3", "-q", "--out", f)...); code != 0 {
				t.Fatalf("%v shard %d: exit %d: %s", args, i, code, errs)
			}
			files = append(files, f)
		}
		formats := []string{"json", "table", "markdown"}
		if slicesContains(args, "--with-alarms") {
			formats = formats[:1] // the tuning is redone at every call
		}
		for _, format := range formats {
			wcode, whole, errs := runCLI(append(append([]string{}, args...), "-q", "--output", format)...)
			code, merged, merrs := runCLI(append([]string{"merge", "--output", format}, files...)...)
			if code != wcode || code > 1 {
				t.Fatalf("%v: merge exit %d (%s), whole run %d (%s)", args, code, merrs, wcode, errs)
			}
			if merged != whole {
				t.Errorf("%v --output %s: merged recommendation differs:\n%s\nwant\n%s", args, format, merged, whole)
			}
			if format == "json" && slicesContains(args, "--with-alarms") && !strings.Contains(whole, `"put_metric_alarm"`) {
				t.Errorf("--with-alarms: no alarm in the recommendation:\n%s", whole)
			}
		}
	}
}

func slicesContains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
