package gate

import (
	"testing"
	"time"
)

func TestParseRoundTrip(t *testing.T) {
	for _, k := range Kinds() {
		got, err := ParseKind(k.String())
		if err != nil || got != k {
			t.Errorf("ParseKind(%q) = %v, %v", k, got, err)
		}
	}
	for _, v := range []Version{Target, Current, Both} {
		got, err := ParseVersion(v.String())
		if err != nil || got != v {
			t.Errorf("ParseVersion(%q) = %v, %v", v, got, err)
		}
	}
	if _, err := ParseKind("error-rate"); err == nil {
		t.Error("error-rate parsed")
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		q  Query
		ok bool
	}{
		{Query{Kind: ErrorRate}, true},
		{Query{Kind: Latency, Stat: "p90", Window: 5 * time.Minute}, true},
		{Query{}, false},
		{Query{Kind: ErrorRate, Window: 90 * time.Second}, false}, // not a CloudWatch period
		{Query{Kind: ErrorRate, Stat: "p99"}, false},
		{Query{Kind: Requests, Window: 25 * time.Hour}, false},
	} {
		if err := tc.q.Validate(); (err == nil) != tc.ok {
			t.Errorf("%+v: %v", tc.q, err)
		}
	}
	if s := (Query{Kind: Latency}).String(); s != "latency p99 target 1m0s" {
		t.Errorf("String %q", s)
	}
}
