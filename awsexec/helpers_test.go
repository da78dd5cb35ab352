package awsexec_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shiftsim/shiftsim/awsexec"
	"github.com/shiftsim/shiftsim/internal/awsfake"
	"github.com/shiftsim/shiftsim/strategies"
)

// env is one test's fake AWS account: function orders with versions 1 to 3,
// alias live on version 1, alarm orders-errors OK, application app with
// group dg watching that alarm with auto-rollback.
type env struct {
	t       *testing.T
	fake    *awsfake.Server
	clients awsexec.Clients
	journal string

	mu  sync.Mutex
	log []awsexec.Entry
}

func newEnv(t *testing.T, seed uint64) *env {
	t.Helper()
	f := awsfake.New(nil, seed)
	t.Cleanup(f.Close)
	f.PutFunction("orders", awsfake.Version{Version: "1"}, awsfake.Version{Version: "2", MemorySize: 512, Architectures: []string{"arm64"}}, awsfake.Version{Version: "3"})
	f.SetAlias("orders", "live", "1", nil)
	f.AddAlarm("orders-errors", awsfake.OK)
	f.AddDeploymentGroup("app", awsfake.DeploymentGroup{Name: "dg", Alarms: []string{"orders-errors"}, AutoRollback: true})
	return &env{t: t, fake: f, clients: awsexec.NewClients(f.AWSConfig(4), awsexec.Limits{}, f.Clock),
		journal: filepath.Join(t.TempDir(), "journal.jsonl")}
}

// plan is orders:live 1→2 with a predefined strategy, CodeDeploy's or
// AppConfig's (or a custom one written "custom-canary-P-I" /
// "custom-linear-P-I"), watching orders-errors.
func (e *env) plan(executor, strategy string) awsexec.Plan {
	e.t.Helper()
	var cfg strategies.Config
	var err error
	var typ string
	var p, i int
	if n, _ := fmt.Sscanf(strategy, "custom-%6s-%d-%d", &typ, &p, &i); n == 3 {
		cfg = strategies.Config{Name: fmt.Sprintf("Custom%s%dx%d", typ, p, i), Type: strategies.Canary, Percentage: p, Interval: i}
		if typ == "linear" {
			cfg.Type = strategies.Linear
		}
	} else if cfg, err = strategies.Resolve(strategy); err != nil {
		e.t.Fatal(err)
	}
	return awsexec.Plan{Executor: executor, Function: "orders", Alias: "live", Current: "1", Target: "2",
		Strategy: strategy, Config: cfg, Schedule: cfg.Plan(strategies.EndAfterLastInterval), Alarms: []string{"orders-errors"},
		AutoRollback: true, Application: "app", DeploymentGroup: "dg"}
}

func (e *env) opts() awsexec.Options {
	return awsexec.Options{Clients: e.clients, Clock: e.fake.Clock, Journal: e.journal,
		AlarmPoll: time.Minute, FollowPoll: 30 * time.Second,
		Log: func(en awsexec.Entry) {
			e.mu.Lock()
			e.log = append(e.log, en)
			e.mu.Unlock()
		}}
}

func (e *env) deploy(ctx context.Context, p awsexec.Plan, o awsexec.Options) (*awsexec.Outcome, error) {
	return awsexec.Deploy(ctx, p, o)
}

// timeline is the log as "t+5m00s text" lines.
func (e *env) timeline() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var b strings.Builder
	for _, en := range e.log {
		fmt.Fprintf(&b, "t+%v %s\n", en.T, en.Line())
	}
	return b.String()
}

// history is the alias's states after the initial one, as "T state".
func (e *env) history() string {
	var out []string
	for i, h := range e.fake.AliasHistory("orders", "live") {
		if i == 0 {
			continue
		}
		out = append(out, h.At.Sub(awsfake.Epoch).String()+" "+h.String())
	}
	return strings.Join(out, ", ")
}

func (e *env) journalText() string {
	b, err := os.ReadFile(e.journal)
	if err != nil {
		e.t.Fatal(err)
	}
	return string(b)
}

func awsfakeHook() awsfake.Hook { return awsfake.Hook{Result: awsfake.HookSucceeds} }

// journalRecords reads the journal at path, record by record.
func journalRecords(t *testing.T, path string) []awsexec.Record {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var recs []awsexec.Record
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var r awsexec.Record
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatal(err)
		}
		recs = append(recs, r)
	}
	return recs
}
