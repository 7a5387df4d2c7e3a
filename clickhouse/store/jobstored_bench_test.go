package store_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/internal/testenv"
)

// benchJobDays is the daily rows of the job BenchmarkJobStored checks: 100k
// ads over 30 days (a 1M-ad world's 30-day sync stores about 14M).
const benchJobDays = 3_000_000

// BenchmarkJobStored times the consumer's check of a completed job over
// benchJobDays daily rows, taken in turns in one run: while its records are
// still arriving (one row short, what most checks of a large job see) and
// once they are all stored (the distinct counts and the ads' records). The
// ratio stored/arriving is what counting the rows before their distinct
// (day, ad) pairs saves an arriving job's check.
func BenchmarkJobStored(b *testing.B) {
	conn, cfg := testenv.ClickHouse(b)
	st := store.New(conn, cfg.Database)
	ctx := context.Background()
	r := store.Range{BrandID: "bench", StartDate: "2026-09-01", EndDate: "2026-09-30"}
	fillDays(b, conn, cfg.Database, "2026-09-01", 30, benchJobDays, 1)
	if err := conn.Exec(ctx, "INSERT INTO "+cfg.Database+".ads (brand_id, ad_id, ad_account_id, creative_type, fetched_at, version, sync_id)"+
		" SELECT 'bench', concat('1202', toString(100000000000 + number)), 'act_1', 'video', now(), 1, 'job-1'"+
		" FROM numbers("+strconv.Itoa(benchJobDays/30)+")"); err != nil {
		b.Fatal(err)
	}
	checks := []struct {
		name      string
		published int64
		want      bool
	}{
		{"arriving", benchJobDays + 1, false},
		{"stored", benchJobDays, true},
	}
	took := make([]time.Duration, len(checks))
	for b.Loop() {
		for i, c := range checks {
			t0 := time.Now()
			got, err := st.JobStored(ctx, store.CompletedJob{Range: r, JobID: "job-1", PublishedDays: c.published})
			took[i] += time.Since(t0)
			if err != nil || got != c.want {
				b.Fatalf("JobStored of a job %s = %v, %v; want %v", c.name, got, err, c.want)
			}
		}
	}
	for i, c := range checks {
		b.ReportMetric(float64(took[i].Microseconds())/float64(b.N)/1000, c.name+"-ms/op")
	}
	b.ReportMetric(float64(took[1])/float64(took[0]), "stored/arriving")
}
