package consumers_test

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/consumers"
	"github.com/adstream/adstream/internal/config"
	"github.com/adstream/adstream/internal/testenv"
	"github.com/adstream/adstream/schemas"
)

// BenchmarkIngest measures the consumer's ingest of daily rows from a real
// broker into ClickHouse (rows/s, from the first poll to the last commit)
// beside the store inserting the same rows directly in batches of the same
// size, timed in the same run: the ratio is what Kafka, decoding and
// committing cost on top of ClickHouse's own work.
func BenchmarkIngest(b *testing.B) {
	const n = 60_000
	for _, batchRows := range []int{5_000, 20_000} {
		b.Run(fmt.Sprintf("batch-%d", batchRows), func(b *testing.B) {
			for b.Loop() {
				consumed, direct := benchIngest(b, n, batchRows)
				b.ReportMetric(float64(n)/consumed.Seconds(), "consumer-rows/s")
				b.ReportMetric(float64(n)/direct.Seconds(), "direct-rows/s")
				b.ReportMetric(direct.Seconds()/consumed.Seconds(), "consumer/direct")
			}
		})
	}
}

func benchIngest(b *testing.B, n, batchRows int) (consumed, direct time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	codec := newCodec(b)
	at := time.Now().UTC()
	rows := make([]*schemas.AdInsight, n)
	for i := range rows {
		day := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i%60).Format(time.DateOnly)
		in := testInsight("b1", fmt.Sprintf("%06d", i/60), int64(i), at)
		in.StartDate, in.EndDate, in.Daily = day, day, true
		rows[i] = in
	}
	conn, cfg := testenv.ClickHouse(b)
	st := store.New(conn, cfg.Database)
	began := time.Now()
	for i := 0; i < n; i += batchRows {
		if err := st.InsertInsights(ctx, rows[i:min(i+batchRows, n)]); err != nil {
			b.Fatal(err)
		}
	}
	direct = time.Since(began)

	brokers := testenv.Kafka(b)
	names := testenv.Topics(b, brokers, "ads", "ins", "ev", "dlq", "req")
	tp := config.Topics{Ads: names[0], Insights: names[1], SyncEvents: names[2], DLQ: names[3], SyncRequests: names[4]}
	prod, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ProducerLinger(5*time.Millisecond))
	if err != nil {
		b.Fatal(err)
	}
	defer prod.Close()
	for _, r := range rows {
		v, err := codec.Encode(r)
		if err != nil {
			b.Fatal(err)
		}
		prod.Produce(ctx, &kgo.Record{Topic: tp.Insights, Key: schemas.AdKey(r.BrandID, r.AdID), Value: v}, nil)
	}
	if err := prod.Flush(ctx); err != nil {
		b.Fatal(err)
	}
	conn2, cfg2 := testenv.ClickHouse(b)
	st2 := store.New(conn2, cfg2.Database)
	group := testenv.Group(b, brokers, "g")
	began = time.Now()
	cctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- consumers.Run(cctx, consumers.Config{Brokers: brokers, Topics: tp, Group: group, BatchRows: batchRows},
			consumers.Deps{Sink: st2, Codec: codec, Log: slog.New(slog.DiscardHandler)})
	}()
	defer func() { stop(); <-done }()
	for {
		var stored uint64
		if err := conn2.QueryRow(ctx, "SELECT count() FROM "+cfg2.Database+".ad_days").Scan(&stored); err != nil {
			b.Fatal(err)
		}
		if int(stored) >= n {
			return time.Since(began), direct
		}
		time.Sleep(20 * time.Millisecond)
	}
}
