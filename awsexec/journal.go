package awsexec

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/shiftsim/shiftsim/internal/safeio"
	"github.com/shiftsim/shiftsim/strategies"
)

// Journal is a deployment's write-ahead log: one JSON object per line,
// appended and fsync'ed record by record. Before every AWS mutation the
// executor writes an "intent" record and after it a "result" record, so that
// after a crash the journal says what was asked and what is known to have
// happened. A file may hold several deployments, one after the other; the
// last "begin" starts the one that counts. While a run has the journal open
// it holds an exclusive lock on it (flock), so two shiftsim processes cannot
// drive the same journal.
type Journal struct {
	path  string
	f     *os.File
	seq   int
	clock Clock
}

// Record types.
const (
	RecBegin  = "begin"  // a deployment starts: its plan and the alias before it
	RecStep   = "step"   // the controller was stepped: time, event, actions
	RecTick   = "tick"   // controller time reached (written at each alarm poll)
	RecIntent = "intent" // an AWS mutation is about to be made
	RecResult = "result" // what came of the intent
	RecHold   = "hold"   // the run stopped on interrupt, leaving the alias as it was
	RecFinish = "finish" // the deployment is over
	RecNote   = "note"   // anything else worth keeping (a resume, a warning)
)

// Record is one journal line. Only the fields of its Type are set.
type Record struct {
	Seq        int       `json:"seq"`
	Time       time.Time `json:"time"`
	Type       string    `json:"type"`
	Deployment string    `json:"deployment,omitempty"`

	Plan *planRecord `json:"plan,omitempty"` // begin

	T       string   `json:"t,omitempty"`       // step, tick, hold: controller time (Go duration)
	Event   string   `json:"event,omitempty"`   // step: deploy.Event canonical form
	Actions []string `json:"actions,omitempty"` // step: deploy.Action canonical forms

	Call   string            `json:"call,omitempty"`   // intent: the call's canonical form
	Op     string            `json:"op,omitempty"`     // intent
	Intent int               `json:"intent,omitempty"` // result: the intent's seq
	OK     *bool             `json:"ok,omitempty"`     // result
	Error  string            `json:"error,omitempty"`  // result
	Output map[string]string `json:"output,omitempty"` // result: e.g. DeploymentId, hook verdict

	Alias *AliasState `json:"alias,omitempty"` // begin: before; intent: wanted; result, hold, finish: after

	Status    string `json:"status,omitempty"` // finish
	ErrorCode string `json:"error_code,omitempty"`
	Cause     string `json:"cause,omitempty"`
	Note      string `json:"note,omitempty"`
}

// planRecord is the plan as the journal keeps it: enough to resume without
// the scenario file, whatever later versions of shiftsim make of it.
type planRecord struct {
	Executor        string     `json:"executor"`
	Function        string     `json:"function"`
	Alias           string     `json:"alias"`
	Current         string     `json:"current"`
	Target          string     `json:"target"`
	Strategy        string     `json:"strategy"`
	Config          configJSON `json:"config"`
	Steps           []stepJSON `json:"steps"`
	End             string     `json:"end"`
	Alarms          []string   `json:"alarms,omitempty"`
	BeforeHook      string     `json:"before_hook,omitempty"`
	AfterHook       string     `json:"after_hook,omitempty"`
	HookTimeout     string     `json:"hook_timeout,omitempty"`
	AutoRollback    bool       `json:"auto_rollback"`
	Application     string     `json:"application,omitempty"`
	DeploymentGroup string     `json:"deployment_group,omitempty"`
	ConfigName      string     `json:"deployment_config,omitempty"`
	MetricDelay     string     `json:"metric_delay,omitempty"`  // gated plans
	PromoteAfter    string     `json:"promote_after,omitempty"` // gated plans
}

type configJSON struct {
	Name       string `json:"name,omitempty"`
	Type       string `json:"type"`
	Percentage int    `json:"percentage,omitempty"`
	Interval   int    `json:"interval,omitempty"`
	// An AppConfig strategy's parameters, and the alarm states that roll
	// it back (the steps themselves are in the plan's steps).
	AppConfig                 *strategies.DeploymentStrategy `json:"appconfig,omitempty"`
	StepTiming                string                         `json:"appconfig_step_timing,omitempty"`
	InsufficientDataRollsBack bool                           `json:"insufficient_data_rolls_back,omitempty"`
	// An Argo Rollouts plan: its steps, analyses and templates (the gates'
	// queries included), as the controller reads them.
	Rollout *strategies.Rollout `json:"rollout,omitempty"`
	// An ECS plan's parameters (its steps are in the plan's steps).
	ECS *strategies.ECSConfig `json:"ecs,omitempty"`
	// A Flagger plan: its analysis and metric checks (the gates' queries
	// included), as the controller reads them. Without it a resume could
	// only run the plan as a bare schedule, gates ignored.
	Flagger *strategies.FlaggerPlan `json:"flagger,omitempty"`
}

type stepJSON struct {
	At      string  `json:"at"`
	Percent float64 `json:"percent"`
}

// OpenJournal opens path (creating it), locks it, and returns the records of
// the last deployment in it (nil if none). A torn last line, left by a crash
// in the middle of a write, is ignored.
func OpenJournal(path string, clock Clock) (*Journal, []Record, error) {
	f, err := safeio.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, nil, fmt.Errorf("journal: %w", err)
	}
	if err := lockFile(f); err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("journal %s is in use by another shiftsim process (%v)", path, err)
	}
	all, torn, err := readRecords(f, path)
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	j := &Journal{path: path, f: f, clock: clock}
	for _, r := range all {
		j.seq = max(j.seq, r.Seq)
	}
	end, err := f.Seek(0, io.SeekEnd)
	switch {
	case err != nil:
	case torn > 0: // drop the torn write: it was never fsync'ed whole
		if err = f.Truncate(end - int64(torn)); err == nil {
			_, err = f.Seek(0, io.SeekEnd)
		}
	case torn < 0: // a whole record whose newline was lost
		_, err = f.Write([]byte("\n"))
	}
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("journal %s: %w", path, err)
	}
	return j, lastDeployment(all), nil
}

// ReadJournal returns the records of the last deployment in path without
// locking it.
func ReadJournal(path string) ([]Record, error) {
	f, err := safeio.Open(path)
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	defer f.Close()
	all, _, err := readRecords(f, path)
	return lastDeployment(all), err
}

// readRecords parses the journal; torn is the length of a partial last
// line (no newline after it, not JSON) that a crash left, or 0; -1 says the
// last record is whole but its newline is missing.
func readRecords(f *os.File, path string) (recs []Record, torn int, err error) {
	data, err := safeio.ReadAll(f, path, safeio.MaxJournal)
	if err != nil {
		return nil, 0, fmt.Errorf("journal %s: %w", path, err)
	}
	lines := bytes.Split(data, []byte("\n"))
	for i, l := range lines {
		if len(bytes.TrimSpace(l)) == 0 {
			continue
		}
		var r Record
		if err := json.Unmarshal(l, &r); err != nil {
			if i == len(lines)-1 { // no newline after it: a write torn by a crash
				return recs, len(l), nil
			}
			return nil, 0, fmt.Errorf("journal %s:%d: not a journal record: %v", path, i+1, err)
		}
		recs = append(recs, r)
	}
	if len(data) > 0 && data[len(data)-1] != '\n' {
		return recs, -1, nil
	}
	return recs, 0, nil
}

func lastDeployment(all []Record) []Record {
	for i := len(all) - 1; i >= 0; i-- {
		if all[i].Type == RecBegin {
			return all[i:]
		}
	}
	return nil
}

// Path returns the journal's file name.
func (j *Journal) Path() string { return j.path }

// Append writes r (numbering and timestamping it) and fsyncs the file.
func (j *Journal) Append(r Record) (int, error) {
	j.seq++
	r.Seq = j.seq
	r.Time = j.clock.Now().UTC()
	b, err := json.Marshal(r)
	if err != nil {
		return 0, err
	}
	if _, err := j.f.Write(append(b, '\n')); err != nil {
		return 0, fmt.Errorf("journal %s: %w", j.path, err)
	}
	if err := j.f.Sync(); err != nil {
		return 0, fmt.Errorf("journal %s: fsync: %w", j.path, err)
	}
	return r.Seq, nil
}

// Close releases the lock and closes the file.
func (j *Journal) Close() error {
	if j == nil || j.f == nil {
		return nil
	}
	err := j.f.Close()
	j.f = nil
	return err
}

// unfinished reports whether recs (one deployment) lack a finish record.
func unfinished(recs []Record) bool {
	if len(recs) == 0 {
		return false
	}
	for _, r := range recs {
		if r.Type == RecFinish {
			return false
		}
	}
	return true
}

// journalPattern is DefaultJournal's name with the function and alias left
// open.
const journalPattern = "shiftsim-deploy-*.jsonl"

// DefaultJournal is the journal's file name when none is given.
func DefaultJournal(function, alias string) string {
	return fmt.Sprintf("shiftsim-deploy-%s-%s.jsonl", function, alias)
}

// JournalFor is the journal a deployment of p keeps when none is named:
// DefaultJournal's name in dir; or, for a --resume given no scenario (p has
// no function), the one FindJournal finds there, found being true.
func JournalFor(dir string, p Plan) (path string, found bool, err error) {
	if p.Function == "" {
		path, err = FindJournal(dir)
		return path, err == nil, err
	}
	return filepath.Join(dir, DefaultJournal(p.Function, p.Alias)), false, nil
}

// JournalPlanAt is the plan of the deployment the journal at path holds
// (its begin record): what a resume given no scenario carried out.
func JournalPlanAt(path string) (Plan, error) {
	recs, err := ReadJournal(path)
	if err != nil {
		return Plan{}, err
	}
	p, err := beginPlan(recs)
	if err != nil {
		return Plan{}, fmt.Errorf("journal %s holds no deployment", path)
	}
	return p, nil
}

// FindJournal finds in dir the journal that --resume means when it is given
// no scenario and no journal: the one file with DefaultJournal's form of
// name, or, among several, the one holding an unfinished deployment. The
// error says which files it found and why none was chosen.
func FindJournal(dir string) (string, error) {
	paths, err := filepath.Glob(filepath.Join(dir, journalPattern))
	if err != nil {
		return "", err
	}
	switch len(paths) {
	case 0:
		return "", fmt.Errorf("no journal named %s in %s: name it with --journal", journalPattern, dir)
	case 1:
		return paths[0], nil
	}
	var open []string
	var desc []string
	for _, p := range paths {
		recs, err := ReadJournal(p)
		switch {
		case err != nil:
			desc = append(desc, filepath.Base(p)+" (unreadable)")
		case unfinished(recs):
			open = append(open, p)
			desc = append(desc, filepath.Base(p)+" (unfinished)")
		default:
			desc = append(desc, filepath.Base(p)+" (finished)")
		}
	}
	if len(open) == 1 {
		return open[0], nil
	}
	return "", fmt.Errorf("%d journals named %s in %s: %s; name one with --journal", len(paths), journalPattern, dir, strings.Join(desc, ", "))
}
