package deploy

import "testing"

func TestAliasTexts(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{WeightText("fn:live", "2", 10, ""), "UpdateAlias fn:live: version 2 weight 10%"},
		{WeightText("fn:live", "2", 12.5, "; bake"), "UpdateAlias fn:live: version 2 weight 12.5%"},
		{WeightText("fn:live", "2", 100, ""), "UpdateAlias fn:live: FunctionVersion 2, no additional version (100% to 2)"},
		{WeightText("fn:live", "2", 100, "; final bake: alarms watched for 30 min"), "UpdateAlias fn:live: FunctionVersion 2, no additional version (100% to 2); final bake: alarms watched for 30 min"},
		{RollbackText("fn:live", "1"), "rollback: UpdateAlias fn:live: FunctionVersion 1, no additional version"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
