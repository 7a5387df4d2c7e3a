package graph

import (
	"fmt"
	"testing"
	"time"

	"github.com/adstream/adstream/internal/graphsim"
)

// BenchmarkDailyChunk pages a 7-day daily chunk of one account from the
// synchronous edge and as a report run, against graphsim at 100 ms a call
// with the client's default poll waits (1 s, doubled), and reports the calls
// and wall time of each. graphsim completes a run on its third poll.
//
//	go test -run '^$' -bench DailyChunk -benchtime 1x ./internal/graph/
func BenchmarkDailyChunk(b *testing.B) {
	for _, ads := range []int{300, 3000, 10000} {
		for _, mode := range []string{"sync", "report_run"} {
			b.Run(fmt.Sprintf("ads=%d/%s", ads, mode), func(b *testing.B) {
				s := newSimClient(b, graphsim.Options{Ads: ads, AdsPerDay: -1, Faults: graphsim.Faults{LatencyMs: 100}}, func(c *Config) {
					c.PageLimit, c.ReportPoll, c.ReportPollMax = 500, time.Second, 30*time.Second
				})
				rows := 0
				start := time.Now()
				for b.Loop() {
					var src PageSource = s.c.Insights(b.Context(), s.tok, s.acct, weekSince, weekUntil, nil).Daily()
					if mode == "report_run" {
						src = s.c.InsightsByReportRuns(s.tok, InsightsQuery{AccountID: s.acct, Since: weekSince, Until: weekUntil, Daily: true})
					}
					rows = len(readAll(b, src))
				}
				calls := s.calls("insights") + s.calls("object")
				b.ReportMetric(float64(rows), "rows")
				b.ReportMetric(float64(calls)/float64(b.N), "calls/op")
				b.ReportMetric(time.Since(start).Seconds()/float64(b.N), "wall_s/op")
			})
		}
	}
}
