package traffic_test

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/shiftsim/shiftsim/traffic"
)

// Replay the second minute of a recorded request log twice as fast.
func ExampleOpenRecording() {
	r, err := traffic.OpenRecording(traffic.Recording{
		Path:  "testdata/requests.csv",
		From:  time.Minute,
		To:    2 * time.Minute,
		Speed: 2,
	}, rand.NewPCG(1, 2), 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	buf := make([]traffic.Arrival, 100)
	n := r.Fill(buf)
	fmt.Println(r.Format(), n, "requests")
	fmt.Printf("first at %v, lasting %.4fs; last at %v\n", time.Duration(buf[0].At), buf[0].Duration, time.Duration(buf[n-1].At))
	// Output:
	// csv 22 requests
	// first at 799.5ms, lasting 0.1941s; last at 29.213s
}

// What `shiftsim trace inspect` shows.
func ExampleInspect() {
	s, err := traffic.Inspect(traffic.Recording{Path: "testdata/cloudwatch-invocations.json"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(s)
	// Output:
	// format:      cloudwatch-metrics
	// start:       2024-03-01T09:00:00Z
	// span:        30m0s
	// period:      1m0s
	// requests:    27160
	// per minute:  min 0  mean 905.33  max 1460  (30 minutes)
	// users:       none recorded
	// durations:   false
}

// A thousand users, the busiest making 1/H(1000) ≈ 13 % of the requests.
func ExampleNewUsers() {
	p, _ := traffic.NewPoisson(100, time.Hour, rand.NewPCG(1, 1))
	u, _ := traffic.NewUsers(p, 1000, 1, rand.NewPCG(1, 2))
	fmt.Printf("user 1: %.3f, user 2: %.3f, user 1000: %.6f\n", u.Share(1), u.Share(2), u.Share(1000))
	// Output:
	// user 1: 0.134, user 2: 0.067, user 1000: 0.000134
}

// Quiet most of the time, with bursts: mean rate Σ Rate·Dwell / Σ Dwell.
func ExampleNewBursty() {
	b, _ := traffic.NewBursty([]traffic.Phase{
		{Rate: 5, Dwell: 5 * time.Minute},
		{Rate: 200, Dwell: 30 * time.Second},
	}, time.Hour, rand.NewPCG(1, 1))
	fmt.Printf("%.2f requests/s on average\n", b.MeanRate())
	// Output:
	// 22.73 requests/s on average
}
