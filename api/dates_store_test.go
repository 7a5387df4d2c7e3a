package api_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/adstream/adstream/api"
	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/internal/testenv"
	"github.com/adstream/adstream/schemas"
)

// The read that once corrupted a range: ClickHouse would wrap
// 2205-06-08..2206-05-04 onto 2026-01-01..2026-11-27, and an on-demand
// aggregation or a queued sync of it replaced that range's totals (20,000
// ads became 0) and its sync status. Against the real store, every endpoint
// that takes a range refuses it, and the stored 2026 range reads back as it
// was written.
func TestWrappingRangeLeavesStoredRangeUntouched(t *testing.T) {
	conn, cfg := testenv.ClickHouse(t)
	st := store.New(conn, cfg.Database)
	ctx := context.Background()
	good := store.Range{BrandID: "acme", StartDate: "2026-01-01", EndDate: "2026-11-27"}
	const ads = 50
	spend := writeRange(ctx, t, st, good, ads, "job-good")
	q := &fakeQueue{}
	a := &testAPI{app: api.New(api.Deps{Store: st, Queue: q, Log: slog.New(slog.DiscardHandler),
		Registry: prometheus.NewRegistry(), Now: testNow}), queue: q}

	const bad = "startDate=2205-06-08&endDate=2206-05-04"
	const badBody = `{"startDate":"2205-06-08","endDate":"2206-05-04"}`
	for _, req := range []struct{ method, target, body string }{
		{http.MethodGet, "/api/creatives/acme/aggregations?" + bad, ""},
		{http.MethodGet, "/api/creatives/acme?" + bad, ""},
		{http.MethodGet, "/api/creatives/sync/status/acme?" + bad, ""},
		{http.MethodGet, "/api/creatives/sync/events/acme?" + bad, ""},
		{http.MethodPost, "/api/creatives/sync/acme", badBody},
		{http.MethodPost, "/api/creatives/refresh/acme", badBody},
		{http.MethodDelete, "/api/creatives/acme?" + bad, ""},
	} {
		status, body := a.do(t, req.method, req.target, req.body)
		if status != http.StatusBadRequest {
			t.Errorf("%s %s: status %d, want 400; body %s", req.method, req.target, status, body)
			continue
		}
		if e := decodeError(t, body); e.Error.Field != "startDate" {
			t.Errorf("%s %s: field %q, want startDate (%s)", req.method, req.target, e.Error.Field, e.Error.Message)
		}
	}
	if len(q.reqs) != 0 {
		t.Errorf("the refused range queued %d syncs", len(q.reqs))
	}

	goodQuery := "startDate=" + good.StartDate + "&endDate=" + good.EndDate
	agg := a.doJSON(t, http.MethodGet, "/api/creatives/acme/aggregations?"+goodQuery, "", http.StatusOK)
	totals, _ := agg["aggregations"].(map[string]any)
	if totals["total_ads"] != float64(ads) || totals["total_spend_micros"] != float64(spend) || agg["jobId"] != "job-good" {
		t.Errorf("good range aggregations = %v ads, %v spend micros, job %v; want %d, %d, job-good",
			totals["total_ads"], totals["total_spend_micros"], agg["jobId"], ads, spend)
	}
	status := a.doJSON(t, http.MethodGet, "/api/creatives/sync/status/acme?"+goodQuery, "", http.StatusOK)
	if status["jobId"] != "job-good" || status["status"] != store.StatusCompleted {
		t.Errorf("good range sync status = job %v %v, want job-good completed", status["jobId"], status["status"])
	}
	if n, err := st.CountCreatives(ctx, good, nil); err != nil || n != ads {
		t.Errorf("good range creatives = %d, %v; want %d", n, err, ads)
	}
}

// writeRange stores what a completed sync of r leaves behind: the brand, n
// ads' insights, the job's completion and the range's aggregations. It
// returns the range's total spend in micro-units.
func writeRange(ctx context.Context, t *testing.T, st *store.Store, r store.Range, n int, job string) int64 {
	t.Helper()
	at := time.Now().UTC().Truncate(time.Second)
	if err := st.PutBrand(ctx, store.Brand{BrandID: r.BrandID, Name: "Acme", AdAccountIDs: []string{"act_1"}}); err != nil {
		t.Fatal(err)
	}
	var rows []*schemas.AdInsight
	var spend int64
	for i := range n {
		rows = append(rows, &schemas.AdInsight{BrandID: r.BrandID, AdAccountID: "act_1", AdID: fmt.Sprintf("ad%03d", i),
			StartDate: r.StartDate, EndDate: r.EndDate, CreativeType: schemas.CreativeImage, AdEffectiveStatus: "ACTIVE",
			SpendMicros: int64(i+1) * 1_000_000, Impressions: 1000, Clicks: 10, FetchedAt: at, Version: schemas.VersionAt(at), SyncID: job})
		spend += int64(i+1) * 1_000_000
	}
	if err := st.InsertInsights(ctx, rows); err != nil {
		t.Fatal(err)
	}
	if err := st.InsertSyncEvents(ctx, []*schemas.SyncEvent{{JobID: job, BrandID: r.BrandID, StartDate: r.StartDate, EndDate: r.EndDate,
		Kind: schemas.SyncKindFull, Type: schemas.SyncCompleted, TotalAds: int64(n), PublishedAds: int64(n), PublishedInsights: int64(n), At: at}}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.RebuildAggregations(ctx, r, job); err != nil {
		t.Fatal(err)
	}
	return spend
}
