package graphsim

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// benchPages serves 500-row pages of an edge at 100k ads straight through
// ServeHTTP, walking cursors across the whole account, and reports pages/s.
func benchPages(b *testing.B, edge, cursorEdge string, params url.Values) {
	sim, err := New(Options{Seed: 1, Ads: 100_000, CallBudget: 1e12})
	if err != nil {
		b.Fatal(err)
	}
	br := sim.Brands()[0]
	params.Set("access_token", br.AccessToken)
	params.Set("limit", "500")
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		q := url.Values{}
		for k, v := range params {
			q[k] = v
		}
		// Spread pages over the account so the benchmark is not one hot page.
		key := int64(i*7919) % 99_000
		if cursorEdge == "insights" {
			key <<= bucketBits
		}
		q.Set("after", encodeCursor(cursorEdge, key))
		req := httptest.NewRequest(http.MethodGet, "/v21.0/"+br.AdAccountIDs[0]+"/"+edge+"?"+q.Encode(), nil)
		rec := httptest.NewRecorder()
		sim.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatalf("%d %s", rec.Code, rec.Body.String())
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "pages/s")
}

func BenchmarkAdsPage(b *testing.B) {
	benchPages(b, "ads", "ads", url.Values{
		"effective_status": {allStatuses},
		"fields":           {"id,name,status,effective_status,configured_status,updated_time,created_time,creative{id,name,object_type,thumbnail_url,image_url,video_id,object_story_spec,asset_feed_spec}"},
	})
}

func BenchmarkInsightsPage(b *testing.B) {
	benchPages(b, "insights", "insights", url.Values{
		"level":      {"ad"},
		"fields":     {insightFieldsAll},
		"time_range": {`{"since":"2026-10-29","until":"2026-11-27"}`},
	})
}

func BenchmarkInsightsDailyPage(b *testing.B) {
	benchPages(b, "insights", "insights", url.Values{
		"level":          {"ad"},
		"fields":         {insightFieldsAll},
		"time_increment": {"1"},
		"time_range":     {`{"since":"2026-10-29","until":"2026-11-27"}`},
	})
}

// BenchmarkInsightsBreakdownPage is the daily page broken down by
// placement: rows of ad × day × publisher platform × position, each day
// split exactly over the cells.
func BenchmarkInsightsBreakdownPage(b *testing.B) {
	benchPages(b, "insights", "insights", url.Values{
		"level":          {"ad"},
		"fields":         {insightFieldsAll},
		"time_increment": {"1"},
		"breakdowns":     {`["publisher_platform","platform_position"]`},
		"time_range":     {`{"since":"2026-10-29","until":"2026-11-27"}`},
	})
}

// BenchmarkAdsPageEveryField asks the ads edge for every field the SDK
// declares for Ad at once, the creative expanded with every one of its own.
func BenchmarkAdsPageEveryField(b *testing.B) {
	benchPages(b, "ads", "ads", url.Values{
		"effective_status": {allStatuses},
		"fields":           {strings.Replace(allFields("Ad"), "creative,", "creative{"+allFields("AdCreative")+"},", 1)},
	})
}

// BenchmarkInsightsFirstPageSorted times the fallback's request, one page of
// 30 ads for a 30-day range of a 100k-ad account: unsorted, sorted by spend
// with nothing cached (every ad valued and sorted), and the page after it,
// which reuses the cached order.
func BenchmarkInsightsFirstPageSorted(b *testing.B) {
	sim, err := New(Options{Seed: 1, Ads: 100_000, CallBudget: 1e12})
	if err != nil {
		b.Fatal(err)
	}
	br := sim.Brands()[0]
	get := func(b *testing.B, q url.Values) []byte {
		req := httptest.NewRequest(http.MethodGet, "/v21.0/"+br.AdAccountIDs[0]+"/insights?"+q.Encode(), nil)
		rec := httptest.NewRecorder()
		sim.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatalf("%d %s", rec.Code, rec.Body.String())
		}
		return rec.Body.Bytes()
	}
	base := url.Values{
		"access_token": {br.AccessToken},
		"level":        {"ad"},
		"fields":       {insightFieldsAll},
		"time_range":   {`{"since":"2026-10-29","until":"2026-11-27"}`},
		"limit":        {"30"},
	}
	sorted := url.Values{"sort": {`["spend_descending"]`}}
	for k, v := range base {
		sorted[k] = v
	}
	b.Run("unsorted", func(b *testing.B) {
		for b.Loop() {
			get(b, base)
		}
	})
	b.Run("sorted/cold", func(b *testing.B) {
		for b.Loop() {
			sim.sorts = sortCache{}
			get(b, sorted)
		}
	})
	b.Run("sorted/next-page-cached", func(b *testing.B) {
		var p struct {
			Paging struct{ Cursors struct{ After string } }
		}
		if err := json.Unmarshal(get(b, sorted), &p); err != nil {
			b.Fatal(err)
		}
		next := url.Values{"after": {p.Paging.Cursors.After}}
		for k, v := range sorted {
			next[k] = v
		}
		for b.Loop() {
			get(b, next)
		}
	})
}
