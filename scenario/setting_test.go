package scenario

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/shiftsim/shiftsim/traffic"
)

func readRef(t *testing.T) (string, []byte) {
	t.Helper()
	file := filepath.Join("..", "scenarios", "reference-workload.yaml")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return file, data
}

// A setting gives the model what the same value written in the file gives
// it: the decoded document is edited, then validated as a whole.
func TestSettingEqualsWritingTheValue(t *testing.T) {
	file, data := readRef(t)
	cases := []struct {
		set      Setting
		old, new string // the same change made to the text
	}{
		{Setting{"traffic.rate", "50"}, "rate: 2000", "rate: 50"},
		{Setting{"versions.target.error_rate", "0.01"}, "error_rate: 0.05,", "error_rate: 0.01,"},
		{Setting{"alarms[0].Threshold", "2.5"}, "Threshold: 5", "Threshold: 2.5"},
		{Setting{"monitoring.poll_phase", "random"}, "poll_phase: 0s", "poll_phase: random"},
		{Setting{"lambda.memory", "256"}, "monitoring:\n", "lambda: {memory: 256}\nmonitoring:\n"},
		{Setting{"versions.target.timeout", "1s"}, "sigma: 0.5}}  # median 60 ms", "sigma: 0.5}, timeout: 1s}"},
		{Setting{"traffic", "{rate: 10, pattern: diurnal, period: 1h}"}, "  rate: 2000", "  rate: 10\n  pattern: diurnal\n  period: 1h"},
		{Setting{"deployment.strategies[0]", "Linear10PercentEvery1Minute"}, "    - Linear10PercentEvery3Minutes", "    - Linear10PercentEvery1Minute"},
	}
	for _, c := range cases {
		got, err := ParseWith(nil, file, data, c.set)
		if err != nil {
			t.Errorf("%s: %v", c.set, err)
			continue
		}
		text := strings.Replace(string(data), c.old, c.new, 1)
		if text == string(data) {
			t.Fatalf("%s: %q is not in the file", c.set, c.old)
		}
		want, err := Parse(file, []byte(text))
		if err != nil {
			t.Fatalf("%s: %v", c.set, err)
		}
		if !reflect.DeepEqual(got.Model, want.Model) || !reflect.DeepEqual(got.Strategies, want.Strategies) {
			t.Errorf("%s: the model differs from the file's with the value written", c.set)
		}
	}
	s, err := ParseWith(nil, file, data, Setting{"traffic.rate", "50"}, Setting{"horizon", "20m"})
	if err != nil || !reflect.DeepEqual(s.Model.Traffic, traffic.Spec{Kind: traffic.KindPoisson, Rate: 50}) || s.Model.Horizon != 20*time.Minute {
		t.Errorf("two settings: %+v %v %v", s.Model.Traffic, s.Model.Horizon, err)
	}
}

// A setting the document cannot take names the setting, the key, what the
// key takes and the line of the file where the key is written; a value of
// the right type that the scenario refuses is reported as any bad value,
// at the key's line.
func TestSettingErrors(t *testing.T) {
	file, data := readRef(t)
	cases := []struct {
		set  Setting
		want string
	}{
		{Setting{"traffic.rate", "fast"}, `traffic.rate=fast: ` + file + `:13: traffic.rate: expected a number, got "fast"`},
		{Setting{"traffic.rat", "5"}, `traffic.rat=5: ` + file + `:12: traffic.rat: unknown field (did you mean rate?)`},
		{Setting{"trafic.rate", "5"}, `trafic.rate=5: ` + file + `: trafic: unknown field (did you mean traffic?)`},
		{Setting{"horizon", "40"}, `horizon=40: ` + file + `:10: horizon: expected a duration such as 90s`},
		{Setting{"alarms[1].Threshold", "5"}, `alarms[1].Threshold=5: ` + file + `:17: alarms[1]: no such item: the list has 1`},
		{Setting{"monitoring.poll_phase", "sometimes"}, `monitoring.poll_phase=sometimes: ` + file + `:43: monitoring.poll_phase: expected random or a duration`},
	}
	for _, c := range cases {
		_, err := ParseWith(nil, file, data, c.set)
		var se *SettingError
		if !errors.As(err, &se) || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%s: %v\nwant a *SettingError starting %s", c.set, err, c.want)
		}
		if err2 := CheckSetting(file, data, c.set); err2 == nil || err2.Error() != err.Error() {
			t.Errorf("%s: CheckSetting says %v", c.set, err2)
		}
	}
	_, err := ParseWith(nil, file, data, Setting{"traffic.rate", "-5"})
	var se *SettingError
	if err == nil || errors.As(err, &se) || !strings.HasPrefix(err.Error(), file+":13: traffic.rate: -5 is below the minimum 0") {
		t.Errorf("rate -5: %v", err)
	}
}
