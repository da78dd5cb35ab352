package awsexec

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/shiftsim/shiftsim/deploy"
)

// beginPlan is the plan of a journal's deployment: its begin record's.
func beginPlan(recs []Record) (Plan, error) {
	if len(recs) == 0 || recs[0].Type != RecBegin {
		return Plan{}, errors.New("no begin record")
	}
	return JournalPlan(recs[0])
}

// DryResume writes what --resume (--rollback, --promote) would do with the
// journal at path, changing nothing: the deployment it holds, its last
// record, then the calls a resume would make. Every error is the user's:
// no such journal, one that holds no deployment, a rollout not paused.
func DryResume(w io.Writer, path string, rollback, promote bool) error {
	recs, err := ReadJournal(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("--resume: no journal %s", path)
		}
		return err
	}
	p, err := beginPlan(recs)
	if err != nil {
		return fmt.Errorf("--resume: journal %s holds no deployment", filepath.Clean(path))
	}
	fmt.Fprintf(w, "# shiftsim deploy --resume: DRY RUN, nothing is changed; add --yes to act.\n")
	fmt.Fprintf(w, "# journal %s: deployment %s, %s executor, %s:%s from version %s to %s with %s\n",
		path, recs[0].Deployment, p.Executor, p.Function, p.Alias, p.Current, p.Target, p.Strategy)
	last := recs[len(recs)-1]
	fmt.Fprintf(w, "# last record: %s %s\n", last.Type, strings.TrimSpace(last.Event+" "+last.Call+" "+last.Status+" "+last.Note))
	if promote {
		return dryPromote(w, p, recs)
	}
	if left, ok := LeftWeighted(recs); ok && rollback {
		fmt.Fprintf(w, "# the deployment ended (stopped without rollback) with the alias LEFT at %s\n", left)
		fmt.Fprintf(w, "GetAlias FunctionName=%s Name=%s    # it must still be there (else someone else moved it: shiftsim stops)\n", p.Function, p.Alias)
		fmt.Fprintf(w, "UpdateAlias FunctionName=%s Name=%s FunctionVersion=%s RoutingConfig={\"AdditionalVersionWeights\":{}} RevisionId=<from GetAlias>    # the reset\n", p.Function, p.Alias, p.Current)
		return nil
	}
	for _, r := range recs {
		if r.Type == RecFinish {
			fmt.Fprintf(w, "# the deployment has finished (%s): there is nothing to resume\n", r.Status)
			return nil
		}
	}
	fmt.Fprintf(w, "GetAlias FunctionName=%s Name=%s    # to see where the alias is\n", p.Function, p.Alias)
	action := "continue the deployment from the controller time last journaled"
	if rollback {
		action = "roll the alias back to version " + p.Current
	}
	fmt.Fprintf(w, "# then: bring the alias where the journal says (UpdateAlias if needed) and %s\n", action)
	return nil
}

// dryPromote says what --resume --promote would do: the pause, then the
// controller's answer to the promotion, changing nothing.
func dryPromote(w io.Writer, p Plan, recs []Record) error {
	pv, err := PreviewPromote(recs)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "# the rollout is Paused since t+%s (%s)\n", deploy.Clock(pv.Since), pv.Cause)
	fmt.Fprintf(w, "GetAlias FunctionName=%s Name=%s    # it must be where the journal left it\n", p.Function, p.Alias)
	answer := strings.Join(pv.Actions, "; ")
	if answer == "" {
		answer = "nothing at once"
	}
	fmt.Fprintf(w, "# then: Promote; the controller answers: %s; the rollout goes on from there\n", answer)
	return nil
}
