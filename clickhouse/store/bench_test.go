package store_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/internal/testenv"
	"github.com/adstream/adstream/schemas"
)

// benchAds is the size of the range the read benchmarks query; each ad is
// stored twice (a sync and a refresh), as after a refresh before merges.
const benchAds = 50_000

// BenchmarkReads measures the API's reads of one range of benchAds ads: the
// aggregation lookup against the FINAL scan it replaces (reported as the
// ratio scan/lookup, both timed in the same run), and list pages by offset.
func BenchmarkReads(b *testing.B) {
	conn, cfg := testenv.ClickHouse(b)
	st := store.New(conn, cfg.Database)
	ctx := context.Background()
	r := store.Range{BrandID: "bench", StartDate: "2026-10-29", EndDate: "2026-11-27"}
	types := []schemas.CreativeType{schemas.CreativeVideo, schemas.CreativeImage, schemas.CreativeCarousel, schemas.CreativeUnknown}
	for version, at := range []time.Time{time.Now().Add(-time.Hour), time.Now()} {
		rows := make([]*schemas.AdInsight, 0, benchAds)
		for i := range benchAds {
			rows = append(rows, &schemas.AdInsight{BrandID: r.BrandID, AdID: fmt.Sprintf("ad%06d", i), StartDate: r.StartDate,
				EndDate: r.EndDate, CreativeType: types[i%4], AdEffectiveStatus: "ACTIVE", SpendMicros: int64(i*1000 + version),
				Impressions: int64(1000 + i), Clicks: int64(i % 97), Reach: int64(500 + i), FetchedAt: at, Version: schemas.VersionAt(at)})
		}
		if err := st.InsertInsights(ctx, rows); err != nil {
			b.Fatal(err)
		}
	}
	ads := make([]*schemas.Ad, 0, benchAds)
	for i := range benchAds {
		ads = append(ads, &schemas.Ad{BrandID: r.BrandID, AdID: fmt.Sprintf("ad%06d", i), AdName: "ad", CreativeType: types[i%4],
			CreativeURL: "https://example.invalid/c.jpg", FetchedAt: time.Now()})
	}
	if err := st.InsertAds(ctx, ads); err != nil {
		b.Fatal(err)
	}
	if _, err := st.RebuildAggregations(ctx, r, "bench"); err != nil {
		b.Fatal(err)
	}
	scan := "SELECT creative_type, count(), sum(spend_micros), sum(impressions), sum(clicks) FROM " + cfg.Database +
		".ad_insights FINAL WHERE brand_id = ? AND start_date = toDate(?) AND end_date = toDate(?) GROUP BY creative_type"

	b.Run("aggregations", func(b *testing.B) {
		var lookup, scanned time.Duration
		for b.Loop() {
			t0 := time.Now()
			if _, err := st.Aggregations(ctx, store.AggregationQuery{Range: r, CreativeType: "image"}); err != nil {
				b.Fatal(err)
			}
			t1 := time.Now()
			rows, err := conn.Query(ctx, scan, r.BrandID, r.StartDate, r.EndDate)
			if err != nil {
				b.Fatal(err)
			}
			for rows.Next() {
			}
			rows.Close()
			lookup, scanned = lookup+t1.Sub(t0), scanned+time.Since(t1)
		}
		b.ReportMetric(float64(lookup.Microseconds())/float64(b.N)/1000, "lookup-ms/op")
		b.ReportMetric(float64(scanned.Microseconds())/float64(b.N)/1000, "scan-ms/op")
		b.ReportMetric(float64(scanned)/float64(lookup), "scan/lookup")
	})
	// A page from the snapshot (ids by the sort column, then the rows by key,
	// details included) against the FINAL read of the same page that it
	// replaces (the insights only, without the ads lookup it also needed).
	final := "SELECT ad_id, spend_micros, impressions, clicks, reach, fetched_at FROM " + cfg.Database +
		".ad_insights FINAL WHERE brand_id = ? AND start_date = toDate(?) AND end_date = toDate(?)" +
		" ORDER BY spend_micros DESC, ad_id LIMIT 50 OFFSET ?"
	for _, offset := range []int{0, benchAds / 2} {
		b.Run(fmt.Sprintf("list-page-offset-%d", offset), func(b *testing.B) {
			var snap, scanned time.Duration
			for b.Loop() {
				t0 := time.Now()
				page, err := st.ListCreatives(ctx, store.ListQuery{Range: r, SortBy: "spend", Limit: 50, Offset: offset})
				if err != nil || len(page) != 50 || page[0].CreativeURL == "" {
					b.Fatalf("page of %d (%v), details %+v", len(page), err, page)
				}
				t1 := time.Now()
				rows, err := conn.Query(ctx, final, r.BrandID, r.StartDate, r.EndDate, offset)
				if err != nil {
					b.Fatal(err)
				}
				for rows.Next() {
				}
				rows.Close()
				snap, scanned = snap+t1.Sub(t0), scanned+time.Since(t1)
			}
			b.ReportMetric(float64(snap.Microseconds())/float64(b.N)/1000, "snapshot-ms/op")
			b.ReportMetric(float64(scanned.Microseconds())/float64(b.N)/1000, "final-ms/op")
			b.ReportMetric(float64(scanned)/float64(snap), "final/snapshot")
		})
	}
	// Paging by cursor visits every ad once, and a deep page costs what the
	// first does (ratio deep/first, both timed in the same run).
	b.Run("cursor", func(b *testing.B) {
		var first, deep time.Duration
		for b.Loop() {
			seen := make(map[string]bool, benchAds)
			q := store.ListQuery{Range: r, SortBy: "spend", Limit: 500}
			for page := 0; ; page++ {
				t0 := time.Now()
				rows, err := st.ListCreatives(ctx, q)
				if err != nil {
					b.Fatal(err)
				}
				took := time.Since(t0)
				switch page {
				case 0:
					first += took
				case benchAds/500 - 2:
					deep += took
				}
				for _, c := range rows {
					if seen[c.AdID] {
						b.Fatalf("ad %s on two pages", c.AdID)
					}
					seen[c.AdID] = true
				}
				if len(rows) < q.Limit {
					break
				}
				last := rows[len(rows)-1]
				q.After = &store.Cursor{SortValue: last.SortValue, AdID: last.AdID}
			}
			if len(seen) != benchAds {
				b.Fatalf("cursor paging visited %d ads of %d", len(seen), benchAds)
			}
		}
		b.ReportMetric(float64(first.Microseconds())/float64(b.N)/1000, "first-page-ms")
		b.ReportMetric(float64(deep.Microseconds())/float64(b.N)/1000, "deep-page-ms")
		b.ReportMetric(float64(deep)/float64(first), "deep/first")
	})
	b.Run("count", func(b *testing.B) {
		for b.Loop() {
			if n, err := st.CountCreatives(ctx, r, map[string]string{"creative_type": "video"}); err != nil || n != benchAds/4 {
				b.Fatalf("count %d, %v", n, err)
			}
		}
	})
}

// fillDays stores rows daily rows of brand "bench" built inside ClickHouse,
// over days days from first, each day of an ad in turn (rows/days ads), all
// of job "job-<version>" at version; spend grows with the version.
func fillDays(b *testing.B, conn driver.Conn, db, first string, days, rows int, version int64) {
	b.Helper()
	v, d := strconv.FormatInt(version, 10), strconv.Itoa(days)
	if err := conn.Exec(context.Background(), "INSERT INTO "+db+".ad_days (brand_id, date, ad_id, ad_account_id, campaign_id,"+
		" campaign_name, adset_id, adset_name, creative_type, ad_effective_status, spend_micros, impressions, clicks,"+
		" video_views, fetched_at, version, sync_id) SELECT 'bench', toDate('"+first+"') + number % "+d+","+
		" concat('1202', toString(100000000000 + intDiv(number, "+d+"))), 'act_1', '1203000001', 'Spring campaign',"+
		" '1204000001', 'Spring ad set', 'video', 'ACTIVE', number % 1000 * "+v+", number % 5000, number % 50, number % 700,"+
		" now(), "+v+", 'job-"+v+"' FROM numbers("+strconv.Itoa(rows)+")"); err != nil {
		b.Fatal(err)
	}
}
