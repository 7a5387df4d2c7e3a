package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/schemas"
)

// rollupDiff is RollupDrift of brand b1, which must hold something.
func rollupDiff(t *testing.T, st *store.Store) string {
	t.Helper()
	drift, err := st.RollupDrift(context.Background(), "b1")
	if err != nil {
		t.Fatal(err)
	}
	var n uint64
	if err := st.Conn().QueryRow(context.Background(), "SELECT count() FROM "+st.Database()+".ad_days").Scan(&n); err != nil || n == 0 {
		t.Fatalf("nothing stored (%v): the comparison proves nothing", err)
	}
	return drift
}

// The rollup follows every insert exactly: new days, redeliveries, stale
// versions, restatements that change an ad's type; drift from a crash
// between the two inserts is removed by Reconcile.
func TestRollupStaysEqualToTheDays(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	insert := func(rows ...*schemas.AdInsight) {
		t.Helper()
		if err := st.InsertInsights(ctx, rows); err != nil {
			t.Fatal(err)
		}
	}
	first := []*schemas.AdInsight{day("ad0", "2026-11-01", 10, 10), day("ad1", "2026-11-01", 20, 10), day("ad0", "2026-11-02", 30, 10)}
	insert(first...)
	if d := rollupDiff(t, st); d != "" {
		t.Fatalf("after new days: %s", d)
	}
	insert(first...) // Kafka redelivers the batch
	if d := rollupDiff(t, st); d != "" {
		t.Fatalf("after a redelivery: %s", d)
	}
	restated := day("ad0", "2026-11-01", 15, 20)
	restated.CreativeType = schemas.CreativeImage // and its type changed
	insert(restated, day("ad1", "2026-11-01", 999, 5), day("ad1", "2026-11-01", 25, 30), day("ad1", "2026-11-01", 22, 25))
	if d := rollupDiff(t, st); d != "" {
		t.Fatalf("after restatements and a stale version: %s", d)
	}
	// A consumer that died between inserting days and their changes: the days
	// are stored, the rollup never heard of them.
	if err := st.Conn().Exec(ctx, "INSERT INTO "+st.Database()+".ad_days (brand_id, date, ad_id, creative_type, ad_effective_status,"+
		" spend_micros, impressions, version) SELECT 'b1', toDate('2026-11-02'), 'ad9', 'video', 'ACTIVE', 70, 700, 40"); err != nil {
		t.Fatal(err)
	}
	if d := rollupDiff(t, st); d == "" {
		t.Fatal("the simulated crash left no drift: the test proves nothing")
	}
	off, err := st.Reconcile(ctx, "b1", []string{"2026-11-01", "2026-11-02"})
	if err != nil || off != 1 {
		t.Fatalf("Reconcile corrected %d rows (%v), want 1", off, err)
	}
	if d := rollupDiff(t, st); d != "" {
		t.Fatalf("after Reconcile: %s", d)
	}
	if off, _ := st.Reconcile(ctx, "b1", []string{"2026-11-01", "2026-11-02"}); off != 0 {
		t.Fatalf("a second Reconcile corrected %d rows, want 0", off)
	}
	series, err := st.Series(ctx, store.SeriesQuery{Range: store.Range{BrandID: "b1", StartDate: "2026-11-01", EndDate: "2026-11-02"},
		CreativeType: "video", Metrics: []string{"spend", "impressions"}})
	// 11-01: ad1's newest day (ad0 became an image); 11-02: ad0 and the recovered ad9.
	if err != nil || len(series) != 2 || series[0].Values[1] != 250 || series[1].Values[0] != (30+70)/1e6 || series[1].Values[1] != 1000 {
		t.Fatalf("video series from the rollup = %+v, %v", series, err)
	}
}

// ad_days decides what is stored: a version that ad_day_versions holds of a
// day ad_days does not (a delete done in one, not yet in the other) is no
// day to replace, and the new day counts in full.
func TestRollupTakesTheDaysOverTheirVersions(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	if err := st.Conn().Exec(ctx, "INSERT INTO "+st.Database()+".ad_day_versions (brand_id, ad_id, date, version)"+
		" SELECT 'b1', 'ad1', toDate('2026-11-01'), 5"); err != nil {
		t.Fatal(err)
	}
	if err := st.InsertInsights(ctx, []*schemas.AdInsight{day("ad0", "2026-11-01", 10, 10), day("ad1", "2026-11-01", 20, 10)}); err != nil {
		t.Fatal(err)
	}
	if d := rollupDiff(t, st); d != "" {
		t.Fatalf("a version without its day was replaced: %s", d)
	}
}

// A batch's changes are summed per day, type and status before they are
// written, and only the days a batch replaces have their stored values
// read: batches mixing brands, new days received in several versions, and
// ads of which some days are restated and others are stale keep the rollup
// equal to the days.
func TestRollupOfMixedBatches(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	of := func(brand string, typ schemas.CreativeType, r *schemas.AdInsight) *schemas.AdInsight {
		r.BrandID, r.CreativeType = brand, typ
		return r
	}
	batches := [][]*schemas.AdInsight{{
		day("ad0", "2026-11-01", 10, 20), day("ad0", "2026-11-01", 5, 10), // a new day, newest last
		day("ad0", "2026-11-02", 7, 10), day("ad1", "2026-11-01", 4, 10),
		of("b2", schemas.CreativeVideo, day("ad0", "2026-11-01", 3, 10)), // the same ad id in another brand
	}, {
		day("ad0", "2026-11-01", 11, 30), // restated
		day("ad0", "2026-11-02", 8, 5),   // stale: the stored day stays
		day("ad1", "2026-11-01", 4, 20),  // restated with the same values
		of("b2", schemas.CreativeImage, day("ad0", "2026-11-01", 6, 40)),
	}}
	for i, b := range batches {
		if err := st.InsertInsights(ctx, b); err != nil {
			t.Fatal(err)
		}
		for _, brand := range []string{"b1", "b2"} {
			if d, err := st.RollupDrift(ctx, brand); err != nil || d != "" {
				t.Fatalf("after batch %d, rollup of %s: %s (%v)", i, brand, d, err)
			}
		}
	}
	series := func(brand string, typ schemas.CreativeType) []store.SeriesPoint {
		t.Helper()
		s, err := st.Series(ctx, store.SeriesQuery{Range: store.Range{BrandID: brand, StartDate: "2026-11-01", EndDate: "2026-11-02"},
			CreativeType: string(typ), Metrics: []string{"spend"}})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	if s := series("b1", schemas.CreativeVideo); len(s) != 2 || s[0].Values[0] != 15/1e6 || s[1].Values[0] != 7/1e6 {
		t.Fatalf("b1's video spend = %+v, want 15 and 7 micros", s)
	}
	if s := series("b2", schemas.CreativeImage); len(s) != 1 || s[0].Values[0] != 6/1e6 {
		t.Fatalf("b2's image spend = %+v, want 6 micros", s)
	}
}

// Batches with days of the same ads, inserted at once (as a consumer's
// batches of one ad would be if its partition changed), still leave the
// rollup equal to the days: each batch's changes are computed against what
// the others stored.
func TestRollupOfConcurrentBatches(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	for v := range 8 {
		wg.Go(func() {
			var rows []*schemas.AdInsight
			for a := range 50 {
				for _, date := range []string{"2026-11-01", "2026-11-02"} {
					rows = append(rows, day(fmt.Sprintf("ad%02d", a), date, int64(100*v+a), int64(10+v)))
				}
			}
			if err := st.InsertInsights(ctx, rows); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if d := rollupDiff(t, st); d != "" {
		t.Fatalf("after concurrent batches: %s", d)
	}
}
