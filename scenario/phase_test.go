package scenario

import (
	"strings"
	"testing"
	"time"

	"github.com/shiftsim/shiftsim/sim"
)

// monitoring.poll_phase: random by default, a duration in the phase cycle,
// and a file:line error for anything else.
func TestPollPhase(t *testing.T) {
	for _, c := range []struct {
		monitoring string
		want       sim.PollPhase
		err        string // part of the error; "" for none
	}{
		{"", sim.PollPhase{Random: true}, ""},
		{"monitoring: {poll_phase: random}", sim.PollPhase{Random: true}, ""},
		{"monitoring: {poll_phase: 0s}", sim.PollPhase{}, ""},
		{"monitoring: {poll_phase: 0}", sim.PollPhase{}, ""},
		{"monitoring: {poll_phase: 17s}", sim.PollPhase{Fixed: 17 * time.Second}, ""},
		{"monitoring: {alarm_poll_interval: 45s, poll_phase: 2m}", sim.PollPhase{Fixed: 2 * time.Minute}, ""},
		{"monitoring: {poll_phase: 60s}", sim.PollPhase{}, "t.yaml:30: monitoring.poll_phase: 1m0s: want random or a duration in [0s, 1m0s)"},
		{"monitoring: {poll_phase: -1s}", sim.PollPhase{}, "monitoring.poll_phase: -1s: want random"},
		{"monitoring: {poll_phase: Random}", sim.PollPhase{}, `t.yaml:30: monitoring.poll_phase: expected random or a duration such as 15s, got "Random"`},
		{"monitoring: {poll_phase: 15}", sim.PollPhase{}, "expected random or a duration such as 15s"},
		{"monitoring: {poll_phase: [1s]}", sim.PollPhase{}, "got a list"},
	} {
		s, err := Parse("t.yaml", []byte(base+c.monitoring+"\n"))
		switch {
		case c.err == "" && err != nil:
			t.Errorf("%q: %v", c.monitoring, err)
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%q: error %v, want %q", c.monitoring, err, c.err)
		case c.err == "" && s.Model.PollPhase != c.want:
			t.Errorf("%q: %+v, want %+v", c.monitoring, s.Model.PollPhase, c.want)
		}
	}
}
