package deploy_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"

	"github.com/adstream/adstream/clickhouse/migrate"
	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/internal/config"
	"github.com/adstream/adstream/internal/testenv"
	"github.com/adstream/adstream/schemas"
)

// grafanaExpand does what Grafana and its ClickHouse plugin do to a query
// before sending it, for the variables and macros the dashboards use.
var grafanaExpand = strings.NewReplacer(
	"${brand:sqlstring}", "'acme'",
	"${range:sqlstring}", "'2026-11-01..2026-11-07'",
	"${min_spend:sqlstring}", "'10'",
	"$__dateFilter(start_date)", "start_date >= toDate('2026-01-01') AND start_date <= toDate('2026-12-31')",
).Replace

// Every ClickHouse query of the dashboards runs as the BI user Grafana
// connects as, and finds the brand's stored range.
func TestDashboardSQLRunsAsTheBIUser(t *testing.T) {
	addr := testenv.PrivateClickHouse(t)
	ctx := context.Background()
	admin, err := store.Open(ctx, config.ClickHouse{Addr: addr, Username: "default"})
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := migrate.Apply(ctx, admin, "adstream", slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	storeRange(t, store.New(admin, "adstream"))
	bi, err := ch.Open(&ch.Options{Addr: []string{addr}, Auth: ch.Auth{Database: "adstream_bi", Username: "adstream_bi"}})
	if err != nil {
		t.Fatal(err)
	}
	defer bi.Close()
	n := 0
	for _, q := range queries(t) {
		if q.sql == "" {
			continue
		}
		n++
		sql := grafanaExpand(q.sql)
		if strings.Contains(sql, "$") {
			t.Errorf("%s: a variable or macro this test does not expand: %s", q.where, sql)
			continue
		}
		rows, err := bi.Query(ctx, sql)
		if err != nil {
			t.Errorf("%s: %v\n%s", q.where, err, sql)
			continue
		}
		got := 0
		for rows.Next() {
			got++
		}
		rows.Close()
		if got == 0 {
			t.Errorf("%s: no rows for a stored range\n%s", q.where, sql)
		}
	}
	if n == 0 {
		t.Fatal("no ClickHouse query in the dashboards")
	}
}

// storeRange stores brand acme's 2026-11-01..07: a video, an image and a
// carousel ad that each spent enough to rank, and its aggregations.
func storeRange(t *testing.T, st *store.Store) {
	t.Helper()
	ctx := context.Background()
	at := time.Date(2026, 11, 8, 6, 0, 0, 0, time.UTC)
	var ads []*schemas.Ad
	var rows []*schemas.AdInsight
	for i, typ := range []schemas.CreativeType{schemas.CreativeVideo, schemas.CreativeImage, schemas.CreativeCarousel} {
		id := fmt.Sprintf("ad-%d", i)
		ads = append(ads, &schemas.Ad{BrandID: "acme", AdID: id, AdName: "Ad " + id, CreativeType: typ,
			ThumbnailURL: "https://cdn.example/" + id + ".jpg", FetchedAt: at})
		rows = append(rows, &schemas.AdInsight{BrandID: "acme", AdID: id, StartDate: "2026-11-01", EndDate: "2026-11-07",
			CreativeType: typ, AdEffectiveStatus: "ACTIVE", SpendMicros: int64(50_000_000 * (i + 1)),
			RevenueMicros: int64(120_000_000 * (i + 1)), Impressions: 10_000, Clicks: 150, Reach: 8000, Frequency: 1.25,
			VideoViews: 2500, VideoThruplays: 600, VideoP25: 1800, VideoP50: 1200, VideoP100: 500,
			FetchedAt: at, Version: schemas.VersionAt(at), SyncID: "job-1"})
	}
	if err := st.InsertAds(ctx, ads); err != nil {
		t.Fatal(err)
	}
	if err := st.InsertInsights(ctx, rows); err != nil {
		t.Fatal(err)
	}
	if _, err := st.RebuildAggregations(ctx, store.Range{BrandID: "acme", StartDate: "2026-11-01", EndDate: "2026-11-07"}, "job-1"); err != nil {
		t.Fatal(err)
	}
}
