package producers_test

import (
	"context"
	"testing"
	"time"

	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/internal/graph"
	"github.com/adstream/adstream/internal/graphsim"
	"github.com/adstream/adstream/internal/testenv"
	"github.com/adstream/adstream/producers"
	"github.com/adstream/adstream/schemas"
)

// A sync whose daily chunks go through report runs, every run over more
// than 3 days failing (so each 7-day chunk is split into halves), publishes
// the same daily figures as graphsim's truth, day by day, and exactly the
// ads and range rows a synchronous sync would. The sync history is the real
// ClickHouse store.
func TestProducerDaysFromSplitReportRunsEqualTheTruth(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	defer cancel()
	e := newWorld(t)
	conn, chCfg := testenv.ClickHouse(t)
	e.jobs = store.New(conn, chCfg.Database)
	e.graphConfig = func(c *graph.Config) {
		c.ReportRunRows = 1 // every chunk with an ad: report runs
		c.ReportPoll, c.ReportPollMax = time.Millisecond, time.Millisecond
	}
	e.setFaults(ctx, t, graphsim.Faults{AsyncFailDays: 3})
	e.startProducer(t, producers.Config{Group: testenv.Group(t, e.brokers, "producers"), RetryBackoff: 10 * time.Millisecond})

	e.enqueue(ctx, t, request("job-1", e.brand.BrandID))
	evs := e.waitJob(ctx, t, "job-1")

	var stats struct {
		ByEndpoint map[string]int64 `json:"by_endpoint"`
	}
	getJSON(ctx, t, e.simURL+"/_sim/stats", &stats)
	started, paged := stats.ByEndpoint["act/insights:async"], stats.ByEndpoint["report_run/insights"]
	// 2 accounts × 5 chunks (7,7,7,7,2 days); a 7-day chunk fails, then its
	// 4-day half: 5 runs; the 2-day chunk runs once.
	if started != 2*(4*5+1) || paged == 0 {
		t.Errorf("graphsim started %d report runs and served %d result pages; want 42 runs, pages", started, paged)
	}
	e.setFaults(ctx, t, graphsim.Faults{})
	checkExactJob(ctx, t, e, "job-1", evs)

	type day struct{ spend, revenue, orders, impressions, clicks, views int64 }
	got := map[string]day{}
	for _, r := range e.readAll(ctx, t, e.topics.Insights) {
		var in schemas.AdInsight
		if err := e.codec.DecodeInto(r.Value, &in); err != nil {
			t.Fatal(err)
		}
		if !in.Daily {
			continue
		}
		d := got[in.StartDate]
		got[in.StartDate] = day{d.spend + in.SpendMicros, d.revenue + in.RevenueMicros, d.orders + in.Orders,
			d.impressions + in.Impressions, d.clicks + in.Clicks, d.views + in.VideoViews}
	}
	truth, err := e.sim.TruthRows(e.brand.BrandID, since, until, "", "", true)
	if err != nil {
		t.Fatal(err)
	}
	if len(truth.Rows) != 30 || len(got) != len(truth.Rows) {
		t.Fatalf("published %d days, graphsim's truth has %d (want the range's 30)", len(got), len(truth.Rows))
	}
	for _, tr := range truth.Rows {
		want := day{tr.TotalSpendMicros, tr.TotalRevenueMicros, tr.TotalOrders, tr.TotalImpressions, tr.TotalClicks, tr.TotalVideoViews}
		if got[tr.Date] != want {
			t.Errorf("%s: published %+v, truth %+v", tr.Date, got[tr.Date], want)
		}
	}
}
