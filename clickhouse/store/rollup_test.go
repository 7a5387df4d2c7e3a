package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/schemas"
)

// rollupDiff compares type_daily with the deduplicated ad_days of brand b1,
// per day, type and status; "" when they are equal.
func rollupDiff(t *testing.T, st *store.Store) string {
	t.Helper()
	q := func(sql string) map[string]string {
		rows, err := st.Conn().Query(context.Background(), sql)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		out := map[string]string{}
		for rows.Next() {
			var key string
			var ads, spend, impressions int64
			if err := rows.Scan(&key, &ads, &spend, &impressions); err != nil {
				t.Fatal(err)
			}
			if ads != 0 || spend != 0 || impressions != 0 {
				out[key] = fmt.Sprint(ads, " ads ", spend, " µ ", impressions, " impressions")
			}
		}
		return out
	}
	db := st.Database()
	key := "concat(toString(date), ' ', creative_type, ' ', ad_effective_status)"
	truth := q("SELECT " + key + " AS k, toInt64(count()), sum(spend_micros), sum(impressions) FROM " + db + ".ad_days FINAL WHERE brand_id = 'b1' GROUP BY k")
	roll := q("SELECT " + key + " AS k, sum(ads), sum(spend_micros), sum(impressions) FROM " + db + ".type_daily WHERE brand_id = 'b1' GROUP BY k")
	if fmt.Sprint(truth) != fmt.Sprint(roll) {
		return fmt.Sprintf("rollup %v\n  days %v", roll, truth)
	}
	if len(truth) == 0 {
		return "nothing stored: the comparison proves nothing"
	}
	return ""
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
