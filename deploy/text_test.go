package deploy

import (
	"testing"
	"time"
)

func TestAliasTexts(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{WeightText("fn:live", "2", 10, ""), "UpdateAlias fn:live: version 2 weight 10%"},
		{WeightText("fn:live", "2", 12.5, "; bake"), "UpdateAlias fn:live: version 2 weight 12.5%"},
		{WeightText("fn:live", "2", 100, ""), "UpdateAlias fn:live: FunctionVersion 2, no additional version (100% to 2)"},
		{WeightText("fn:live", "2", 100, "; final bake: alarms watched for 30 min"), "UpdateAlias fn:live: FunctionVersion 2, no additional version (100% to 2); final bake: alarms watched for 30 min"},
		{RollbackText("fn:live", "1"), "rollback: UpdateAlias fn:live: FunctionVersion 1, no additional version"},
		{Clock(0), "0m00s"},
		{Clock(5 * time.Minute), "5m00s"},
		{Clock(time.Hour + 2*time.Minute + 3*time.Second), "1h02m03s"},
		{Clock(1250 * time.Millisecond), "0m01.250s"},
		{Clock(-90 * time.Second), "-1m30s"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
