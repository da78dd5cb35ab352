package awsexec

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shiftsim/shiftsim/internal/awsfake"
)

// TestLimiter: a bucket of rate r holds r tokens; beyond them, callers are
// spaced 1/r apart on the clock.
func TestLimiter(t *testing.T) {
	clk := awsfake.NewClock(time.Time{})
	l := newLimiter(15, clk)
	start := clk.Now()
	for range 15 {
		if err := l.wait(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if d := clk.Now().Sub(start); d != 0 {
		t.Fatalf("the first 15 calls waited %v", d)
	}
	for range 30 {
		l.wait(context.Background())
	}
	if d, want := clk.Now().Sub(start), 2*time.Second; d < want-time.Millisecond || d > want+time.Millisecond {
		t.Fatalf("45 calls at 15 rps took %v, want %v", d, want)
	}
	if newLimiter(0, clk) != nil {
		t.Fatal("rate 0 must mean no limiter")
	}
}

// TestJournalTornLine: a crash in the middle of a write leaves a partial
// last line; the journal reads without it and the next record starts on a
// line of its own. A bad line elsewhere is an error.
func TestJournalTornLine(t *testing.T) {
	dir := t.TempDir()
	clk := awsfake.NewClock(time.Time{})
	path := filepath.Join(dir, "j.jsonl")
	j, _, err := OpenJournal(path, clk)
	if err != nil {
		t.Fatal(err)
	}
	j.Append(Record{Type: RecBegin, Deployment: "d1"})
	j.Append(Record{Type: RecStep, Deployment: "d1", T: "0s", Event: "Start"})
	j.Close()
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"seq":3,"type":"inte`)
	f.Close()

	j, recs, err := OpenJournal(path, clk)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || !unfinished(recs) {
		t.Fatalf("records %+v", recs)
	}
	if seq, _ := j.Append(Record{Type: RecFinish, Deployment: "d1"}); seq != 3 {
		t.Fatalf("next seq %d", seq)
	}
	j.Close()
	recs, err = ReadJournal(path)
	if err != nil || len(recs) != 3 || unfinished(recs) {
		t.Fatalf("after repair: %v %+v", err, recs)
	}
	b, _ := os.ReadFile(path)
	os.WriteFile(path, []byte(strings.Replace(string(b), `{"seq":2`, `{"seq":2,,`, 1)), 0o644)
	if _, err := ReadJournal(path); err == nil || !strings.Contains(err.Error(), ":2: not a journal record") {
		t.Fatalf("corrupt middle line: %v", err)
	}
}

// The dry run says which side of a gate's threshold passes, in the plan's
// own terms: Argo's plain comparisons as the passing side (a
// failureCondition's opposite), other expressions as written.
func TestComparison(t *testing.T) {
	for _, c := range []struct {
		cond    string
		failure bool
		want    string
	}{
		{"result < 250", false, "< 250ms (successCondition result < 250)"},
		{"result >= 99", false, "≥ 99ms (successCondition result >= 99)"},
		{"result > 2", true, "≤ 2ms (failureCondition result > 2)"},
		{"result <= 2", true, "> 2ms (failureCondition result <= 2)"},
		{"result[0] < 3", false, "result[0] < 3 (successCondition)"},
		{"result == 0", true, "not result == 0 (failureCondition)"},
	} {
		key := "successCondition"
		if c.failure {
			key = "failureCondition"
		}
		if got := comparison(c.cond, c.failure, "ms", key); got != c.want {
			t.Errorf("%q failure=%v: %q, want %q", c.cond, c.failure, got, c.want)
		}
	}
}
