package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/internal/testenv"
	"github.com/adstream/adstream/schemas"
)

// day is one ad's day with simple numbers: spend i µ, impressions 10·i, reach i.
func day(ad string, date string, i int64, version int64) *schemas.AdInsight {
	return &schemas.AdInsight{BrandID: "b1", AdAccountID: "act_1", AdID: ad, StartDate: date, EndDate: date, Daily: true,
		CreativeType: schemas.CreativeVideo, AdEffectiveStatus: "ACTIVE", SpendMicros: i, Impressions: 10 * i, Reach: i,
		FetchedAt: time.Unix(0, version).UTC(), Version: version, SyncID: "job-d", CampaignID: "c1", CampaignName: "Camp"}
}

// Any range whose days are stored is derived from them inside ClickHouse:
// sums of the newest version of each day, reach unknown over several days.
func TestRangesDerivedFromDays(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	days := []string{"2026-11-01", "2026-11-02", "2026-11-03", "2026-11-04", "2026-11-05"}
	var rows []*schemas.AdInsight
	for d, date := range days {
		for a := range 3 {
			rows = append(rows, day(fmt.Sprintf("ad%d", a), date, int64(100*(a+1)+d), 2))
		}
	}
	stale := day("ad0", "2026-11-02", 999_999, 1) // an older version redelivered: must lose
	if err := st.InsertInsights(ctx, append(rows, stale)); err != nil {
		t.Fatal(err)
	}
	fetched := time.Now().UTC()
	if err := st.RecordDaysSynced(ctx, "b1", days, "job-d", fetched); err != nil {
		t.Fatal(err)
	}
	if ok, at, err := st.Coverage(ctx, store.Range{BrandID: "b1", StartDate: "2026-11-01", EndDate: "2026-11-05"}); err != nil || !ok || !at.Equal(fetched) {
		t.Fatalf("coverage of the stored days = %v %v %v; want covered as of %v", ok, at, err, fetched)
	}
	if ok, _, _ := st.Coverage(ctx, store.Range{BrandID: "b1", StartDate: "2026-11-01", EndDate: "2026-11-06"}); ok {
		t.Fatal("a range with a day not stored counts as covered")
	}
	r := store.Range{BrandID: "b1", StartDate: "2026-11-02", EndDate: "2026-11-04"}
	if ok, _, err := st.EnsureRange(ctx, r); err != nil || !ok {
		t.Fatalf("EnsureRange = %v, %v", ok, err)
	}
	got, err := st.ListCreatives(ctx, store.ListQuery{Range: r, SortBy: "ad_id", Ascending: true, Limit: 10})
	if err != nil || len(got) != 3 {
		t.Fatalf("derived range lists %d creatives (%v), want 3", len(got), err)
	}
	for a, c := range got {
		want := int64(3*100*(a+1) + 1 + 2 + 3) // days 1..3 of ad a
		if c.SpendMicros != want || c.Impressions != 10*want || c.Reach != -1 {
			t.Errorf("%s: spend %d impressions %d reach %d; want %d, %d, -1 (unknown)", c.AdID, c.SpendMicros, c.Impressions, c.Reach, want, 10*want)
		}
	}
	agg, err := st.Aggregations(ctx, store.AggregationQuery{Range: r})
	if err != nil || agg.TotalAds != 3 || agg.SpendMicros != 1818 || agg.Reach != -1 {
		t.Fatalf("aggregation %+v, %v; want 3 ads, 1818 µ, reach unknown", agg, err)
	}
	one := store.Range{BrandID: "b1", StartDate: "2026-11-03", EndDate: "2026-11-03"}
	if _, _, err := st.EnsureRange(ctx, one); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.ListCreatives(ctx, store.ListQuery{Range: one, SortBy: "ad_id", Ascending: true, Limit: 1}); len(got) != 1 || got[0].Reach != 102 {
		t.Fatalf("one-day range: %+v; want ad0 with its day's reach 102", got)
	}
	series, err := st.Series(ctx, store.SeriesQuery{Range: r, Metrics: []string{"spend", "impressions"}})
	if err != nil || len(series) != 3 || series[0].Date != "2026-11-02" || series[0].Values[0] != float64(101+201+301)/1e6 {
		t.Fatalf("series %+v, %v", series, err)
	}
	// A newer fetch of a day makes the derived range stale: the next read derives it again.
	if err := st.InsertInsights(ctx, []*schemas.AdInsight{day("ad0", "2026-11-03", 5000, 3)}); err != nil {
		t.Fatal(err)
	}
	if err := st.RecordDaysSynced(ctx, "b1", []string{"2026-11-03"}, "job-e", time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.EnsureRange(ctx, r); err != nil {
		t.Fatal(err)
	}
	if agg, _ := st.Aggregations(ctx, store.AggregationQuery{Range: r}); agg.SpendMicros != 1818-102+5000 {
		t.Fatalf("after a day was fetched again: spend %d, want %d", agg.SpendMicros, 1818-102+5000)
	}
}

// A range of more days than MaterializeRange reads apart is still the sum
// of each day's newest version, whichever run of days holds the day.
func TestLongRangesDerivedFromDays(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	start := time.Date(2026, 10, 20, 0, 0, 0, 0, time.UTC) // 30 days across a month
	var rows []*schemas.AdInsight
	var days []string
	for d := range 30 {
		date := start.AddDate(0, 0, d).Format(time.DateOnly)
		days = append(days, date)
		rows = append(rows, day("ad0", date, int64(d+1), 2), day("ad1", date, 1000, 2))
	}
	// An older version of a day inside a run of several days, redelivered:
	// it must lose. A newer one, in its own insert, must win.
	rows = append(rows, day("ad0", days[1], 777_777, 1))
	if err := st.InsertInsights(ctx, rows); err != nil {
		t.Fatal(err)
	}
	if err := st.InsertInsights(ctx, []*schemas.AdInsight{day("ad1", days[29], 5000, 3)}); err != nil {
		t.Fatal(err)
	}
	if err := st.RecordDaysSynced(ctx, "b1", days, "job-d", time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	r := store.Range{BrandID: "b1", StartDate: days[0], EndDate: days[29]}
	if ok, _, err := st.EnsureRange(ctx, r); err != nil || !ok {
		t.Fatalf("EnsureRange = %v, %v", ok, err)
	}
	got, err := st.ListCreatives(ctx, store.ListQuery{Range: r, SortBy: "ad_id", Ascending: true, Limit: 10})
	if err != nil || len(got) != 2 {
		t.Fatalf("derived range lists %d creatives (%v), want 2", len(got), err)
	}
	if want := int64(30 * 31 / 2); got[0].SpendMicros != want || got[0].Impressions != 10*want {
		t.Errorf("ad0: spend %d impressions %d; want %d, %d", got[0].SpendMicros, got[0].Impressions, want, 10*want)
	}
	if want := int64(29*1000 + 5000); got[1].SpendMicros != want {
		t.Errorf("ad1: spend %d; want %d (the newer version of its last day)", got[1].SpendMicros, want)
	}
}

// Deleting a range deletes its days; deleting a brand deletes everything of it.
func TestDeletesTakeTheDays(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	nov, dec := store.Range{BrandID: "b1", StartDate: "2026-11-01", EndDate: "2026-11-30"}, store.Range{BrandID: "b1", StartDate: "2026-12-01", EndDate: "2026-12-01"}
	if err := st.InsertInsights(ctx, []*schemas.AdInsight{day("ad0", "2026-11-10", 5, 1), day("ad0", "2026-12-01", 7, 1)}); err != nil {
		t.Fatal(err)
	}
	if err := st.RecordDaysSynced(ctx, "b1", []string{"2026-11-10", "2026-12-01"}, "job-d", time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := st.DeleteRange(ctx, nov); err != nil {
		t.Fatal(err)
	}
	if days, _ := st.SyncedDays(ctx, store.Range{BrandID: "b1", StartDate: "2026-11-01", EndDate: "2026-12-31"}); len(days) != 1 {
		t.Fatalf("synced days after deleting November: %v, want only 2026-12-01", days)
	}
	if ok, _, _ := st.EnsureRange(ctx, dec); !ok {
		t.Fatal("December's day went with November's delete")
	}
	if err := st.PurgeBrand(ctx, "b1"); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"ad_days", "synced_days", "ad_insights", "creative_aggregations"} {
		var n uint64
		if err := st.Conn().QueryRow(ctx, "SELECT count() FROM "+st.Database()+"."+table+" WHERE brand_id = 'b1'").Scan(&n); err != nil || n != 0 {
			t.Errorf("%s holds %d rows of the purged brand (%v)", table, n, err)
		}
	}
	if _, err := st.LatestJob(ctx, dec); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("purged range still has a job: %v", err)
	}
}

// A batch larger than a block (8,192 rows) goes in several blocks of one
// insert: every row is stored with its own values, the rollup counts each
// once, and the server writes one part a month, as for a single block.
func TestDaysOfABatchLargerThanABlock(t *testing.T) {
	conn, cfg := testenv.ClickHouse(t)
	st := store.New(conn, cfg.Database)
	ctx := context.Background()
	if err := conn.Exec(ctx, "SYSTEM STOP MERGES "+cfg.Database+".ad_days"); err != nil {
		t.Fatal(err)
	}
	const ads, perAd = 700, 30 // 21,000 rows: three blocks, two months
	var rows []*schemas.AdInsight
	var spend int64
	for a := range ads {
		for d := range perAd {
			date := time.Date(2026, 10, 17+d, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
			i := int64(a*perAd + d + 1)
			rows = append(rows, day(fmt.Sprintf("ad%04d", a), date, i, 1))
			spend += i
		}
	}
	if err := st.InsertInsights(ctx, rows); err != nil {
		t.Fatal(err)
	}
	var n, sum, wrong uint64
	err := conn.QueryRow(ctx, "SELECT count(), toUInt64(sum(spend_micros)), countIf(impressions != 10 * spend_micros OR reach != spend_micros"+
		" OR spend_micros != (toUInt32(substring(ad_id, 3)) * 30 + (date - toDate('2026-10-17')) + 1)) FROM "+cfg.Database+".ad_days").Scan(&n, &sum, &wrong)
	if err != nil {
		t.Fatal(err)
	}
	if n != ads*perAd || sum != uint64(spend) || wrong != 0 {
		t.Fatalf("ad_days holds %d rows, spend %d, %d rows with another row's values; want %d rows, spend %d, none", n, sum, wrong, ads*perAd, spend)
	}
	var rolled int64
	if err := conn.QueryRow(ctx, "SELECT sum(spend_micros) FROM "+cfg.Database+".type_daily").Scan(&rolled); err != nil || rolled != spend {
		t.Fatalf("the rollup sums spend %d (%v); want %d", rolled, err, spend)
	}
	var parts uint64
	err = conn.QueryRow(ctx, "SELECT count() FROM system.parts WHERE database = ? AND table = 'ad_days' AND active", cfg.Database).Scan(&parts)
	if err != nil || parts != 2 {
		t.Fatalf("the insert made %d parts of ad_days (%v); want 2, one a month", parts, err)
	}
}
