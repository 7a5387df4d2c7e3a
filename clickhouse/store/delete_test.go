package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/internal/testenv"
	"github.com/adstream/adstream/schemas"
)

// A delete removes the range's insights and aggregations, and only those;
// reads right after it see nothing of the range.
func TestDeleteRangeRemovesOnlyThatRange(t *testing.T) {
	conn, cfg := testenv.ClickHouse(t)
	st := store.New(conn, cfg.Database)
	ctx := context.Background()
	t0 := time.Now().UTC()
	ranges := map[string]store.Range{
		"deleted":     demoRange,
		"overlapping": {BrandID: demoRange.BrandID, StartDate: "2026-11-20", EndDate: "2026-12-10"}, // derived from deleted days
		"other dates": {BrandID: demoRange.BrandID, StartDate: "2026-12-01", EndDate: "2026-12-31"},
		"other brand": {BrandID: "b2", StartDate: demoRange.StartDate, EndDate: demoRange.EndDate},
	}
	sizes := map[string]int{"deleted": 40, "overlapping": 30, "other dates": 25, "other brand": 15}
	for name, r := range ranges {
		rows := genInsights(r, sizes[name], 1, t0, "job")
		// Refreshed once: the count is of creatives, not of stored rows.
		if err := st.InsertInsights(ctx, append(rows, genInsights(r, sizes[name], 2, t0.Add(time.Second), "job")...)); err != nil {
			t.Fatal(err)
		}
		if _, err := st.RebuildAggregations(ctx, r, "job"); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.InsertAds(ctx, []*schemas.Ad{{BrandID: demoRange.BrandID, AdID: "ad0001", FetchedAt: t0}}); err != nil {
		t.Fatal(err)
	}
	for _, r := range []store.Range{ranges["deleted"], ranges["overlapping"], ranges["other brand"]} {
		if err := st.InsertSyncEvents(ctx, []*schemas.SyncEvent{{JobID: "job-" + r.BrandID, BrandID: r.BrandID, StartDate: r.StartDate,
			EndDate: r.EndDate, Kind: schemas.SyncKindFull, Type: schemas.SyncCompleted, At: t0}}); err != nil {
			t.Fatal(err)
		}
	}
	n, err := st.DeleteRange(ctx, demoRange)
	if err != nil {
		t.Fatal(err)
	}
	if n != 40 {
		t.Errorf("deleted count = %d, want 40", n)
	}
	for name, r := range ranges {
		gone := name == "deleted" || name == "overlapping"
		wantAds := int64(sizes[name])
		if gone {
			wantAds = 0
		}
		if got, err := st.CountCreatives(ctx, r, nil); err != nil || got != wantAds {
			t.Errorf("%s: %d creatives (%v), want %d", name, got, err, wantAds)
		}
		agg, err := st.Aggregations(ctx, store.AggregationQuery{Range: r})
		switch {
		case gone && !errors.Is(err, store.ErrNotFound):
			t.Errorf("%s range: aggregation %+v, %v; want ErrNotFound", name, agg, err)
		case !gone && (err != nil || agg.TotalAds != wantAds):
			t.Errorf("%s: aggregation total_ads %d (%v), want %d", name, agg.TotalAds, err, wantAds)
		}
	}
	// Its sync history goes too, so the refresh scheduler forgets the range;
	// a tombstone keeps the next job's id new.
	for _, r := range []store.Range{demoRange, ranges["overlapping"]} {
		if j, err := st.LatestJob(ctx, r); !errors.Is(err, store.ErrNotFound) || j.Status != store.StatusDeleted {
			t.Errorf("deleted range %v: latest job %+v, %v; want ErrNotFound with a tombstone", r, j, err)
		}
	}
	if synced, _ := st.SyncedRanges(ctx, t0.Add(-time.Hour)); len(synced) != 1 || synced[0].BrandID != "b2" {
		t.Errorf("synced ranges after the delete = %v, want only b2's", synced)
	}
	rows, err := st.ListCreatives(ctx, store.ListQuery{Range: ranges["other dates"], SortBy: "ad_id", Ascending: true, Limit: 1})
	if err != nil || len(rows) != 1 || rows[0].AdID != "ad0000" {
		t.Fatalf("other range listing = %v, %v", rows, err)
	}
	// The ads table is kept: ad0001 of another range still joins its details.
	var ads uint64
	if err := st.Conn().QueryRow(ctx, "SELECT count() FROM "+cfg.Database+".ads").Scan(&ads); err != nil || ads != 1 {
		t.Fatalf("ads rows = %d, %v; want the 1 stored", ads, err)
	}
}

func TestDeleteRangeRejectsBadDates(t *testing.T) {
	st := newStore(t)
	_, err := st.DeleteRange(context.Background(), store.Range{BrandID: "b1", StartDate: "2026-11-01' OR 1=1 --", EndDate: "2026-11-30"})
	if err == nil {
		t.Fatal("a malformed date was accepted")
	}
}

// Days stored again after their range was deleted (Kafka replaying records
// stored before the delete) count in the rollup again: the delete also
// cleared the versions new days are compared with.
func TestDaysStoredAgainAfterADeleteCountAgain(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	rows := []*schemas.AdInsight{day("ad0", "2026-11-01", 10, 10), day("ad1", "2026-11-02", 20, 10)}
	for i := range 2 {
		if err := st.InsertInsights(ctx, rows); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			if _, err := st.DeleteRange(ctx, demoRange); err != nil {
				t.Fatal(err)
			}
		}
	}
	if d := rollupDiff(t, st); d != "" {
		t.Fatalf("after the days came back: %s", d)
	}
	series, err := st.Series(ctx, store.SeriesQuery{Range: store.Range{BrandID: "b1", StartDate: "2026-11-01", EndDate: "2026-11-02"},
		CreativeType: "video", Metrics: []string{"spend"}})
	if err != nil || len(series) != 2 || series[0].Values[0] != 10/1e6 || series[1].Values[0] != 20/1e6 {
		t.Fatalf("video spend after the days came back = %+v, %v; want 10 and 20 micros", series, err)
	}
}
