package sweep

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// Shard is one of Count equal shares of a sweep's runs: Index in
// [0, Count). A shard runs its runs with the seeds they have in the whole
// run, so the shards' outcomes, put together, are the whole run's.
type Shard struct {
	Index, Count int
}

// String is "I/K".
func (s Shard) String() string { return strconv.Itoa(s.Index) + "/" + strconv.Itoa(s.Count) }

// Range is the runs of the shard, [lo, hi): contiguous blocks, the first
// runs%Count one run longer, so any Count works for any number of runs.
func (s Shard) Range(runs int) (lo, hi int) {
	return s.Index * runs / s.Count, (s.Index + 1) * runs / s.Count
}

// ShardIndexVars are the environment variables that give a task its index
// in `--shard auto/K`: Kubernetes Indexed Jobs set JOB_COMPLETION_INDEX,
// AWS Batch array jobs AWS_BATCH_JOB_ARRAY_INDEX.
var ShardIndexVars = []string{"JOB_COMPLETION_INDEX", "AWS_BATCH_JOB_ARRAY_INDEX"}

// ParseShard parses "I/K" (0 <= I < K) or "auto/K", for which getenv gives
// the index from the first of ShardIndexVars that is set.
func ParseShard(s string, getenv func(string) string) (Shard, error) {
	i, k, ok := strings.Cut(s, "/")
	if !ok {
		return Shard{}, fmt.Errorf("%q: want I/K (this task's index from 0, and the number of tasks) or auto/K", s)
	}
	count, err := strconv.Atoi(k)
	if err != nil || count < 1 {
		return Shard{}, fmt.Errorf("%q: the number of tasks %q must be a whole number >= 1", s, k)
	}
	if i == "auto" {
		for _, name := range ShardIndexVars {
			if v := getenv(name); v != "" {
				i = v
				break
			}
		}
		if i == "auto" {
			return Shard{}, fmt.Errorf("%q: neither %s is set, so the task's index is unknown (give I/K)", s, strings.Join(ShardIndexVars, " nor "))
		}
	}
	index, err := strconv.Atoi(i)
	if err != nil || index < 0 || index >= count {
		return Shard{}, fmt.Errorf("%q: the index %q must be a whole number from 0 to %d", s, i, count-1)
	}
	return Shard{Index: index, Count: count}, nil
}

// PartialFormat names the format of a Partial file and its version.
const PartialFormat = "shiftsim-partial/1"

// Partial is one shard's share of a sweep, as written by `--shard` and read
// by `shiftsim merge`: every outcome of its runs, exactly, plus what makes
// sure only shards of one whole run are merged.
type Partial struct {
	Format  string `json:"format"`
	Command string `json:"command"` // the subcommand that wrote it
	// Key identifies the whole run: a digest of the scenario and every
	// option that changes a result. Parts merge only when their keys agree.
	Key string `json:"key"`
	// ScenarioFile and Scenario are the scenario's path and text, so that
	// merge rebuilds the same model without the file.
	ScenarioFile string `json:"scenario_file"`
	Scenario     string `json:"scenario"`
	// BuiltIn says ScenarioFile names one of shiftsim's built-in scenarios.
	BuiltIn bool `json:"built_in"`
	// Args are the command's arguments, --shard left out.
	Args       []string    `json:"args"`
	Seed       uint64      `json:"seed"` // the whole run's base seed
	Runs       int         `json:"runs"`
	Shard      string      `json:"shard"` // "I/K"
	From       int         `json:"from"`  // its runs are [From, To)
	To         int         `json:"to"`
	Strategies []string    `json:"strategies"`
	Outcomes   [][]Outcome `json:"outcomes,omitempty"` // [strategy][run − From]
	// Points, for a sweep, are every combination's outcomes, each like
	// Outcomes.
	Points [][][]Outcome `json:"points,omitempty"`
}

// blocks are the part's outcome tables: one for a comparison, one per
// combination for a sweep.
func (p *Partial) blocks() [][][]Outcome {
	if p.Points != nil {
		return p.Points
	}
	return [][][]Outcome{p.Outcomes}
}

// NewPartial records r's outcomes as shard sh of a whole run.
func NewPartial(r *Replicated, sh Shard, command, key, file, text string, args []string) *Partial {
	p := &Partial{Format: PartialFormat, Command: command, Key: key, ScenarioFile: file, Scenario: text, Args: args,
		Seed: r.Model.Seed, Runs: r.Runs, Shard: sh.String(), Outcomes: r.Outcomes}
	p.From, p.To = sh.Range(r.Runs)
	for _, s := range r.Strategies {
		p.Strategies = append(p.Strategies, s.Name)
	}
	return p
}

// MergeError is a set of parts that is not one whole run.
type MergeError struct{ Msg string }

func (e *MergeError) Error() string { return e.Msg }

// Merge checks that parts are the K shards of one whole run, each once,
// in any order, and returns the whole run's outcomes
// ([block][strategy][run]: one block for a comparison, one per combination
// for a sweep), with the first part as the reference for the run's
// description.
func Merge(parts []*Partial, names []string) ([][][]Outcome, error) {
	bad := func(format string, a ...any) ([][][]Outcome, error) {
		return nil, &MergeError{fmt.Sprintf(format, a...)}
	}
	if len(parts) == 0 {
		return bad("no parts to merge")
	}
	ref := parts[0]
	var count int
	seen := map[int]string{}
	for i, p := range parts {
		name := names[i]
		if p.Format != PartialFormat {
			return bad("%s: format %q, want %q (written by another shiftsim version?)", name, p.Format, PartialFormat)
		}
		sh, err := ParseShard(p.Shard, func(string) string { return "" })
		if err != nil {
			return bad("%s: shard %v", name, err)
		}
		switch {
		case p.Command != ref.Command:
			return bad("%s: written by %q, %s by %q: parts of different commands", name, p.Command, names[0], ref.Command)
		case p.Key != ref.Key || !slices.Equal(p.Args, ref.Args) || p.Scenario != ref.Scenario:
			return bad("%s and %s are parts of different runs (the scenario or options differ: %q vs %q)", name, names[0], strings.Join(p.Args, " "), strings.Join(ref.Args, " "))
		case p.Runs != ref.Runs || p.Seed != ref.Seed || !slices.Equal(p.Strategies, ref.Strategies):
			return bad("%s: %d runs of %v, %s: %d runs of %v", name, p.Runs, p.Strategies, names[0], ref.Runs, ref.Strategies)
		case i > 0 && sh.Count != count:
			return bad("%s is shard %s, %s of %d shards: all parts must come from one split", name, p.Shard, names[0], count)
		}
		count = sh.Count
		if prev, dup := seen[sh.Index]; dup {
			return bad("%s and %s are both shard %s", prev, name, p.Shard)
		}
		seen[sh.Index] = name
		lo, hi := sh.Range(p.Runs)
		if p.From != lo || p.To != hi {
			return bad("%s: shard %s should hold runs [%d, %d), it holds [%d, %d)", name, p.Shard, lo, hi, p.From, p.To)
		}
		if len(p.blocks()) != len(ref.blocks()) {
			return bad("%s: %d combinations, %s: %d", name, len(p.blocks()), names[0], len(ref.blocks()))
		}
		for _, b := range p.blocks() {
			if len(b) != len(p.Strategies) {
				return bad("%s: %d strategies' runs, want %d", name, len(b), len(p.Strategies))
			}
			for s, os := range b {
				if len(os) != hi-lo {
					return bad("%s: strategy %s has %d runs, want %d", name, p.Strategies[s], len(os), hi-lo)
				}
				for j, o := range os {
					if want := Seed(ref.Seed, lo+j); o.Seed != want {
						return bad("%s: run %d of %s has seed %d, want %d", name, lo+j, p.Strategies[s], o.Seed, want)
					}
				}
			}
		}
	}
	if len(seen) != count {
		var missing []string
		for i := 0; i < count; i++ {
			if _, ok := seen[i]; !ok {
				missing = append(missing, Shard{i, count}.String())
			}
		}
		return bad("missing shard %s: merge needs all %d parts", strings.Join(missing, ", "), count)
	}
	out := make([][][]Outcome, len(ref.blocks()))
	for b := range out {
		out[b] = make([][]Outcome, len(ref.Strategies))
		for s := range out[b] {
			out[b][s] = make([]Outcome, ref.Runs)
		}
	}
	for _, p := range parts {
		for b, block := range p.blocks() {
			for s, os := range block {
				copy(out[b][s][p.From:p.To], os)
			}
		}
	}
	return out, nil
}

// MarshalJSON writes every field of o under its Go name; a NaN time (an
// event that did not happen) is null. Fields are written by reflection so
// that a field added to Outcome travels through shards without more code.
func (o Outcome) MarshalJSON() ([]byte, error) {
	v := reflect.ValueOf(o)
	t := v.Type()
	var b bytes.Buffer
	b.WriteByte('{')
	for i := 0; i < t.NumField(); i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Quote(t.Field(i).Name))
		b.WriteByte(':')
		f := v.Field(i)
		if f.Kind() == reflect.Float64 && math.IsNaN(f.Float()) {
			b.WriteString("null")
			continue
		}
		x, err := json.Marshal(f.Interface())
		if err != nil {
			return nil, fmt.Errorf("outcome field %s: %w", t.Field(i).Name, err)
		}
		b.Write(x)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON reads what MarshalJSON writes; every field must be there,
// and no other.
func (o *Outcome) UnmarshalJSON(data []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	v := reflect.ValueOf(o).Elem()
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		name := t.Field(i).Name
		msg, ok := raw[name]
		if !ok {
			return fmt.Errorf("outcome has no field %s (written by another shiftsim version?)", name)
		}
		delete(raw, name)
		f := v.Field(i)
		if f.Kind() == reflect.Float64 && string(msg) == "null" {
			f.SetFloat(math.NaN())
			continue
		}
		if err := json.Unmarshal(msg, f.Addr().Interface()); err != nil {
			return fmt.Errorf("outcome field %s: %w", name, err)
		}
	}
	for name := range raw {
		return fmt.Errorf("outcome has an unknown field %s (written by another shiftsim version?)", name)
	}
	return nil
}
