package store_test

import (
	"context"
	"strconv"
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
	rows := strconv.Itoa(benchDeriveAds * 10)
	for version := 1; version <= 2; version++ {
		if err := conn.Exec(ctx, "INSERT INTO "+cfg.Database+".ad_days (brand_id, date, ad_id, ad_account_id, campaign_id,"+
			" campaign_name, adset_id, adset_name, creative_type, ad_effective_status, spend_micros, impressions, clicks,"+
			" video_views, fetched_at, version, sync_id) SELECT 'bench', toDate('2026-09-11') + number % 10,"+
			" concat('1202', toString(100000000000 + intDiv(number, 10))), 'act_1', '1203000001', 'Spring campaign',"+
			" '1204000001', 'Spring ad set', 'video', 'ACTIVE', number % 1000 * "+strconv.Itoa(version)+", number % 5000,"+
			" number % 50, number % 700, now(), "+strconv.Itoa(version)+", 'job-"+strconv.Itoa(version)+"'"+
			" FROM numbers("+rows+")"); err != nil {
			b.Fatal(err)
		}
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
