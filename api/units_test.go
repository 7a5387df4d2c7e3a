package api_test

import (
	"context"
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

// A creative's video rates and its range's totals are one unit (percent of
// impressions), so a page can show them side by side; dataVersion is a
// number JavaScript reads exactly.
func TestVideoRatesAndVersionsAreOneUnit(t *testing.T) {
	testenv.Integration(t)
	conn, cfg := testenv.ClickHouse(t)
	st := store.New(conn, cfg.Database)
	ctx := context.Background()
	r := store.Range{BrandID: "acme", StartDate: "2026-10-29", EndDate: "2026-11-27"}
	writeRange(ctx, t, st, r, 0, "job-0")
	at := time.Now().UTC().Truncate(time.Millisecond)
	video := &schemas.AdInsight{BrandID: "acme", AdAccountID: "act_1", AdID: "ad-v", StartDate: r.StartDate, EndDate: r.EndDate,
		CreativeType: schemas.CreativeVideo, AdEffectiveStatus: "ACTIVE", SpendMicros: 5_000_000, Impressions: 2000, VideoViews: 800,
		VideoP25: 400, VideoP50: 200, VideoP100: 50, FetchedAt: at, Version: schemas.VersionAt(at), SyncID: "job-0"}
	if err := st.InsertInsights(ctx, []*schemas.AdInsight{video}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.RebuildAggregations(ctx, r, "job-0"); err != nil {
		t.Fatal(err)
	}
	a := &testAPI{app: api.New(api.Deps{Store: st, Queue: &fakeQueue{}, Log: slog.New(slog.DiscardHandler), Registry: prometheus.NewRegistry(), Now: testNow})}
	page := a.doJSON(t, http.MethodGet, "/api/creatives/acme?"+scopeQuery, "", http.StatusOK)
	c := page["creatives"].([]any)[0].(map[string]any)
	agg := a.doJSON(t, http.MethodGet, "/api/creatives/acme/aggregations?"+scopeQuery+"&creative_type=video", "", http.StatusOK)
	totals := agg["aggregations"].(map[string]any)
	for _, n := range []string{"25", "50", "100"} {
		row, sum := c["video_p"+n+"_watched_rate"], totals["avg_video_p"+n+"_watched_rate"]
		if row != sum {
			t.Errorf("p%s: creative %v, aggregation %v; one ad must give one rate", n, row, sum)
		}
	}
	if c["video_p25_watched_rate"] != 20.0 { // 400 / 2000 impressions × 100
		t.Errorf("video_p25_watched_rate = %v, want 20 (percent of impressions)", c["video_p25_watched_rate"])
	}
	const maxSafe = 1<<53 - 1
	for name, v := range map[string]any{"creative": c["dataVersion"], "aggregations": agg["dataVersion"]} {
		f, ok := v.(float64)
		if !ok || f <= 0 || f > maxSafe {
			t.Errorf("%s dataVersion = %v, want a positive integer below 2^53", name, v)
		}
	}
	if c["dataVersion"] != float64(at.UnixMilli()) {
		t.Errorf("creative dataVersion = %v, want its fetch time in ms %d", c["dataVersion"], at.UnixMilli())
	}
}
