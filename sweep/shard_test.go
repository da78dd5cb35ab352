package sweep

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"
)

// An outcome survives a part file exactly: every float bit, NaN as null.
func TestOutcomeJSONRoundTrip(t *testing.T) {
	o := Outcome{Seed: 1<<63 + 5, Status: "Stopped", RolledBack: true, Cause: "alarm:a",
		DeploymentStart: 0.1 + 0.2, FullShift: math.NaN(), End: 1e-300, Detected: 123.456789012345678,
		Requests: 1 << 40, TargetRequests: 7, FailedRequests: 3, TargetFailedRequests: 2, FaultAtFull: true}
	data, err := json.Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	var back Outcome
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if !math.IsNaN(back.FullShift) {
		t.Errorf("FullShift %v, want NaN", back.FullShift)
	}
	back.FullShift, o.FullShift = 0, 0
	if !reflect.DeepEqual(back, o) {
		t.Errorf("round trip:\n%+v\nwant\n%+v", back, o)
	}
	if err := json.Unmarshal([]byte(`{"Seed": 1}`), &back); err == nil {
		t.Error("an outcome with fields missing was accepted")
	}
}

// Shards cover the runs exactly once, whatever K and N.
func TestShardRange(t *testing.T) {
	for n := 1; n <= 12; n++ {
		for k := 1; k <= 14; k++ {
			next := 0
			for i := 0; i < k; i++ {
				lo, hi := Shard{i, k}.Range(n)
				if lo != next || hi < lo {
					t.Fatalf("N=%d K=%d shard %d: [%d, %d), want to start at %d", n, k, i, lo, hi, next)
				}
				next = hi
			}
			if next != n {
				t.Fatalf("N=%d K=%d: shards end at %d", n, k, next)
			}
		}
	}
}
