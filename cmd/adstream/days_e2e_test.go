package main

import (
	"math"
	"net/http"
	"testing"
	"time"
)

// simStats are graphsim's call counters.
type simStats struct {
	Calls      int64            `json:"calls"`
	ByEndpoint map[string]int64 `json:"by_endpoint"`
	Rows       int64            `json:"rows"`
}

func stats(t *testing.T, sim string) simStats {
	t.Helper()
	var s simStats
	if code := getJSON(t, sim+"/_sim/stats", &s); code != http.StatusOK {
		t.Fatalf("graphsim stats: HTTP %d", code)
	}
	return s
}

// TestDaysAreTheSourceOfTruth syncs a long range and checks that any range
// inside it is then answered from ClickHouse alone and equals graphsim's
// truth, that the daily series adds up to the truth, and that a refresh
// after the clock moved fetches only the days that may have changed.
func TestDaysAreTheSourceOfTruth(t *testing.T) {
	dev := startDev(t, map[string]string{"ADSTREAM_DEMO_ADS": "400", "ADSTREAM_FLUSH_INTERVAL": "200ms"})
	start, end := dev.day(-88), dev.day(-1)
	waitSync := func(what, q, notJob string) string {
		var st jobStatus
		waitFor(t, 120*time.Second, what, func() bool {
			return getJSON(t, dev.api+"/api/creatives/sync/status/demo?"+q, &st) == 200 && st.Status == "completed" && st.JobID != notJob
		})
		return st.JobID
	}
	waitSync("the demo sync", dev.demoQuery(), "")
	before := stats(t, dev.sim)
	body := `{"startDate":"` + start + `","endDate":"` + end + `"}`
	if code := postJSON(t, dev.api+"/api/creatives/sync/demo", body, &jobStatus{}); code != 200 {
		t.Fatalf("POST sync: HTTP %d", code)
	}
	first := waitSync("the 88-day sync", "startDate="+start+"&endDate="+end, "")
	waitComplete := func(q string) {
		t.Helper()
		waitFor(t, 30*time.Second, "the days of "+q+" to be stored", func() bool {
			var st readState
			return getJSON(t, dev.api+"/api/creatives/demo/aggregations?"+q, &st) == 200 && st.Complete
		})
	}
	waitComplete("startDate=" + start + "&endDate=" + end)
	synced := stats(t, dev.sim)
	firstCalls := synced.ByEndpoint["act/insights"] - before.ByEndpoint["act/insights"]

	// A 10-day range inside: from ClickHouse alone, equal to the truth.
	inside := func(t *testing.T, since, until string) {
		t.Helper()
		q := "startDate=" + since + "&endDate=" + until
		was := stats(t, dev.sim)
		var page readState
		var creatives struct {
			DataSource string `json:"dataSource"`
			Total      int64  `json:"total_creatives"`
		}
		getJSON(t, dev.api+"/api/creatives/demo?"+q+"&limit=5", &page)
		getJSON(t, dev.api+"/api/creatives/demo?"+q+"&limit=5", &creatives)
		if !page.Complete || page.BackgroundSyncTriggered || page.Sync.JobID != "" || creatives.DataSource != "database" {
			t.Fatalf("%s..%s: complete %v, sync triggered %v, job %q, source %s; want the stored days, no job",
				since, until, page.Complete, page.BackgroundSyncTriggered, page.Sync.JobID, creatives.DataSource)
		}
		for _, typ := range []string{"all", "video", "image", "carousel", "unknown"} {
			var got readState
			var want aggTotals
			getJSON(t, dev.api+"/api/creatives/demo/aggregations?"+q+"&creative_type="+typ, &got)
			getJSON(t, dev.sim+"/_sim/truth?brand_id=demo&since="+since+"&until="+until+"&creative_type="+typ, &want)
			if got.Aggregations != want || !got.Complete {
				t.Errorf("%s..%s %s aggregations (complete %v):\n got %+v\nwant %+v (graphsim truth)", since, until, typ, got.Complete, got.Aggregations, want)
			}
			if typ == "all" && creatives.Total != want.TotalAds {
				t.Errorf("%s..%s lists %d creatives, graphsim truth %d", since, until, creatives.Total, want.TotalAds)
			}
		}
		if now := stats(t, dev.sim); now.Calls != was.Calls {
			t.Errorf("reading %s..%s made %d Graph API calls, want 0", since, until, now.Calls-was.Calls)
		}
	}
	t.Run("a range inside synced days is answered from ClickHouse alone", func(t *testing.T) {
		inside(t, dev.day(-23), dev.day(-14))
		inside(t, dev.day(-69), dev.day(-69))
	})

	t.Run("the daily series adds up to the truth", func(t *testing.T) {
		since, until := dev.day(-58), dev.day(-28) // 31 days
		for _, typ := range []string{"all", "video"} {
			var series struct {
				Complete bool `json:"complete"`
				Series   []struct {
					Date        string  `json:"date"`
					Spend       float64 `json:"spend"`
					Impressions float64 `json:"impressions"`
					Clicks      float64 `json:"clicks"`
				} `json:"series"`
			}
			getJSON(t, dev.api+"/api/creatives/demo/series?startDate="+since+"&endDate="+until+"&metrics=spend,impressions,clicks&creative_type="+typ, &series)
			var want aggTotals
			getJSON(t, dev.sim+"/_sim/truth?brand_id=demo&since="+since+"&until="+until+"&creative_type="+typ, &want)
			var spend, impressions, clicks float64
			for _, p := range series.Series {
				spend, impressions, clicks = spend+p.Spend, impressions+p.Impressions, clicks+p.Clicks
			}
			if len(series.Series) != 31 || !series.Complete || math.Round(spend*1e6) != float64(want.TotalSpendMicros) ||
				int64(impressions) != want.TotalImpressions || int64(clicks) != want.TotalClicks {
				t.Errorf("%s series: %d points (complete %v) summing to spend %.6f impressions %.0f clicks %.0f; truth %d µ, %d, %d",
					typ, len(series.Series), series.Complete, spend, impressions, clicks, want.TotalSpendMicros, want.TotalImpressions, want.TotalClicks)
			}
		}
	})

	t.Run("a refresh after the clock moved fetches only the days not yet final", func(t *testing.T) {
		var old aggTotals
		// graphsim restates the last 3 complete days when its clock moves.
		since, until := dev.day(-10), dev.day(-1)
		getJSON(t, dev.sim+"/_sim/truth?brand_id=demo&since="+since+"&until="+until+"&creative_type=all", &old)
		inside(t, since, until)
		if code := post(t, dev.sim+"/_sim/clock?advance=24h", ""); code != http.StatusOK {
			t.Fatalf("advance graphsim clock: HTTP %d", code)
		}
		was := stats(t, dev.sim)
		if code := postJSON(t, dev.api+"/api/creatives/refresh/demo", body, &jobStatus{}); code != 200 {
			t.Fatalf("POST refresh: HTTP %d", code)
		}
		waitSync("the refresh", "startDate="+start+"&endDate="+end, first)
		waitComplete("startDate=" + start + "&endDate=" + end)
		refreshCalls := stats(t, dev.sim).ByEndpoint["act/insights"] - was.ByEndpoint["act/insights"]
		t.Logf("insights calls: first sync of 88 days %d, refresh %d", firstCalls, refreshCalls)
		if refreshCalls >= firstCalls {
			t.Errorf("the refresh made %d insights calls, the first sync %d: it fetched final days again", refreshCalls, firstCalls)
		}
		var now aggTotals
		getJSON(t, dev.sim+"/_sim/truth?brand_id=demo&since="+since+"&until="+until+"&creative_type=all", &now)
		if now == old {
			t.Fatalf("the clock advance restated nothing in %s..%s: the check proves nothing", since, until)
		}
		// The range was complete before the refresh too: wait for the
		// refresh's days to be stored, then check every figure.
		waitFor(t, 30*time.Second, "the refreshed days to be served", func() bool {
			var got readState
			return getJSON(t, dev.api+"/api/creatives/demo/aggregations?startDate="+since+"&endDate="+until, &got) == 200 &&
				got.Aggregations == now
		})
		inside(t, since, until)
	})
}
