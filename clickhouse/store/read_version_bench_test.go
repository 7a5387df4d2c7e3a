package store_test

import (
	"context"

	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/internal/testenv"
	"github.com/adstream/adstream/schemas"
)

// BenchmarkReadStamp times the read stamp every cached read checks against
// the floor of any query (SELECT 1) and against the stamp as it was before
// range_stamps (two scalar subqueries, of read_stamps and
// creative_aggregations), taken in turns in one run so that the load of the
// machine weighs on each alike. The range has had 30 syncs, each a
// completion event and a rebuild, written one insert at a time.
func BenchmarkReadStamp(b *testing.B) {
	conn, cfg := testenv.ClickHouse(b)
	st := store.New(conn, cfg.Database)
	ctx := context.Background()
	r := store.Range{BrandID: "bench", StartDate: "2026-10-29", EndDate: "2026-11-27"}
	if err := st.PutBrand(ctx, store.Brand{BrandID: r.BrandID, Name: "Bench", AdAccountIDs: []string{"act_1"}}); err != nil {
		b.Fatal(err)
	}
	for i := range 30 {
		at, job := time.Now().UTC(), fmt.Sprintf("job-%d", i)
		if err := st.InsertInsights(ctx, genInsights(r, 100, int64(i), at, job)); err != nil {
			b.Fatal(err)
		}
		if err := st.InsertSyncEvents(ctx, []*schemas.SyncEvent{{JobID: job, BrandID: r.BrandID, StartDate: r.StartDate,
			EndDate: r.EndDate, Kind: schemas.SyncKindRefresh, Type: schemas.SyncCompleted, At: at}}); err != nil {
			b.Fatal(err)
		}
		if _, err := st.RebuildAggregations(ctx, r, job); err != nil {
			b.Fatal(err)
		}
	}
	before := "SELECT (SELECT sum(writes) FROM " + cfg.Database + ".read_stamps WHERE brand_id = ? AND" +
		" (start_date = toDate(?) AND end_date = toDate(?) OR start_date = toDate(0))), (SELECT max(rebuild_version) FROM " +
		cfg.Database + ".creative_aggregations WHERE brand_id = ? AND start_date = toDate(?) AND end_date = toDate(?))"
	args := []any{r.BrandID, r.StartDate, r.EndDate, r.BrandID, r.StartDate, r.EndDate}
	reads := []struct {
		name string
		read func() error
	}{
		{"select-1", func() error { var x uint8; return conn.QueryRow(ctx, "SELECT 1").Scan(&x) }},
		{"stamp", func() error { _, err := st.ReadStamp(ctx, r); return err }},
		{"stamp-before-0042", func() error { var w, rb uint64; return conn.QueryRow(ctx, before, args...).Scan(&w, &rb) }},
	}
	took := make([][]time.Duration, len(reads))
	for b.Loop() {
		for i, rd := range reads {
			t0 := time.Now()
			if err := rd.read(); err != nil {
				b.Fatalf("%s: %v", rd.name, err)
			}
			took[i] = append(took[i], time.Since(t0))
		}
	}
	fmt.Fprintf(os.Stdout, "\nBenchmarkReadStamp, %d rounds of each in turn\n| read | p50 ms | p90 ms | p99 ms |\n|---|---:|---:|---:|\n", b.N)
	for i, rd := range reads {
		d := took[i]
		slices.Sort(d)
		p50, p90, p99 := d[len(d)/2], d[len(d)*9/10], d[min(len(d)-1, len(d)*99/100)]
		fmt.Fprintf(os.Stdout, "| %s | %.2f | %.2f | %.2f |\n", rd.name, ms(p50), ms(p90), ms(p99))
		b.ReportMetric(ms(p50), rd.name+"-p50-ms")
		b.ReportMetric(ms(p99), rd.name+"-p99-ms")
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
