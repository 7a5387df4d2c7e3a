package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/internal/testenv"
)

// benchDeriveAds is the ads of the range BenchmarkDeriveRange derives, each
// with a row on each of its 10 days (the 1M-ad world's 10-day range holds
// about 467k ads a day).
const benchDeriveAds = 150_000

// BenchmarkDeriveRange times the derivation of a 10-day range from its
// stored days (MaterializeRange), its days read with FINAL in one run
// against in as many runs as MaterializeRange uses, taken in turns in one
// run. Every day is stored twice (a sync and a refresh, before merges), so
// FINAL has versions to choose between.
func BenchmarkDeriveRange(b *testing.B) {
	conn, cfg := testenv.ClickHouse(b)
	st := store.New(conn, cfg.Database)
	ctx := context.Background()
	r := store.Range{BrandID: "bench", StartDate: "2026-09-11", EndDate: "2026-09-20"}
	for version := int64(1); version <= 2; version++ {
		fillDays(b, conn, cfg.Database, "2026-09-11", 10, benchDeriveAds*10, version)
	}
	ways := []struct {
		name string
		runs int
	}{{"one-run", 1}, {"runs", 8}}
	took := make([]time.Duration, len(ways))
	for b.Loop() {
		for i, w := range ways {
			t0 := time.Now()
			if err := st.MaterializeRangeInRuns(ctx, r, w.runs); err != nil {
				b.Fatal(err)
			}
			took[i] += time.Since(t0)
		}
	}
	var n uint64
	if err := conn.QueryRow(ctx, "SELECT count() FROM "+cfg.Database+".ad_insights FINAL WHERE brand_id = 'bench'").Scan(&n); err != nil || n != benchDeriveAds {
		b.Fatalf("the derived range holds %d ads (%v); want %d", n, err, benchDeriveAds)
	}
	for i, w := range ways {
		b.ReportMetric(float64(took[i].Microseconds())/float64(b.N)/1000, w.name+"-ms/op")
	}
	b.ReportMetric(float64(took[0])/float64(took[1]), "one-run/runs")
}
