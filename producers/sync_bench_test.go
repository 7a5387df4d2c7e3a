package producers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/internal/bus"
	"github.com/adstream/adstream/internal/config"
	"github.com/adstream/adstream/internal/graph"
	"github.com/adstream/adstream/internal/graphsim"
	"github.com/adstream/adstream/internal/testenv"
	"github.com/adstream/adstream/internal/tokenbox"
	"github.com/adstream/adstream/producers"
	"github.com/adstream/adstream/schemas"
)

// BenchmarkSync measures what a sync of 60 days costs the Graph API (calls)
// and how long it takes, with graphsim answering every call after 100 ms
// (ADSTREAM_BENCH_LATENCY_MS overrides it): the first sync, which fetches
// every day, and a refresh after it, which fetches only the days fetched
// less than the restatement window after they ended. Ads per account:
// ADSTREAM_BENCH_SYNC_ADS (default 1000 and 10000).
func BenchmarkSync(b *testing.B) {
	latency := envInt("ADSTREAM_BENCH_LATENCY_MS", 100)
	sizes := []int{1000, 10_000}
	if n := envInt("ADSTREAM_BENCH_SYNC_ADS", 0); n > 0 {
		sizes = []int{n}
	}
	for _, ads := range sizes {
		b.Run(fmt.Sprintf("ads-%d-latency-%dms", ads, latency), func(b *testing.B) {
			for b.Loop() {
				benchSync(b, ads, latency)
			}
		})
	}
}

func benchSync(b *testing.B, ads, latency int) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	sim, err := graphsim.New(graphsim.Options{Seed: 5, Brands: 1, Accounts: 1, Ads: ads})
	if err != nil {
		b.Fatal(err)
	}
	sim.SetFaults(graphsim.Faults{LatencyMs: latency})
	srv := httptest.NewServer(sim)
	defer srv.Close()
	conn, chCfg := testenv.ClickHouse(b)
	st := store.New(conn, chCfg.Database)
	box, _ := tokenbox.New(tokenbox.NewKey())
	brand := sim.Brands()[0]
	if err := st.PutBrand(ctx, store.Brand{BrandID: brand.BrandID, TokenCiphertext: box.Seal(brand.AccessToken), AdAccountIDs: brand.AdAccountIDs}); err != nil {
		b.Fatal(err)
	}
	brokers := testenv.Kafka(b)
	names := testenv.Topics(b, brokers, "req", "ads", "ins", "ev", "dlq")
	topics := config.Topics{SyncRequests: names[0], Ads: names[1], Insights: names[2], SyncEvents: names[3], DLQ: names[4]}
	gc, err := graph.New(graph.Config{BaseURL: srv.URL})
	if err != nil {
		b.Fatal(err)
	}
	codec, _ := schemas.NewSerde()
	log := slog.New(slog.DiscardHandler)
	pctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- producers.Run(pctx, producers.Config{Brokers: brokers, Topics: topics, Group: testenv.Group(b, brokers, "p")},
			producers.Deps{Brands: st, Graph: gc, Tokens: box, Codec: codec, Log: log, Jobs: st})
	}()
	defer func() { stop(); <-done }()
	cl, err := bus.NewClient(brokers, log, kgo.ConsumeTopics(topics.SyncEvents))
	if err != nil {
		b.Fatal(err)
	}
	defer cl.Close()
	queue := bus.NewSyncQueue(cl, topics.SyncRequests, codec)

	run := func(job string, kind schemas.SyncKind) (calls int64, took time.Duration) {
		before := simCalls(b, srv.URL)
		began := time.Now()
		req := &schemas.SyncRequest{JobID: job, BrandID: brand.BrandID, StartDate: "2026-09-29", EndDate: "2026-11-27",
			Kind: kind, RequestedAt: time.Now().UTC(), RequestedBy: "bench"}
		if err := queue.Enqueue(ctx, req); err != nil {
			b.Fatal(err)
		}
		for {
			fs := cl.PollFetches(ctx)
			if err := fs.Err0(); err != nil {
				b.Fatal(err)
			}
			var ended *schemas.SyncEvent
			fs.EachRecord(func(r *kgo.Record) {
				var ev schemas.SyncEvent
				if codec.DecodeInto(r.Value, &ev) == nil && ev.JobID == job && (ev.Type == schemas.SyncCompleted || ev.Type == schemas.SyncFailed) {
					ended = &ev
				}
			})
			if ended == nil {
				continue
			}
			if ended.Type != schemas.SyncCompleted {
				b.Fatalf("job %s failed: %s", job, ended.Error)
			}
			took = time.Since(began)
			// What the consumers do once the job's records are stored: the
			// next sync plans from these days.
			if err := st.RecordDaysSynced(ctx, brand.BrandID, ended.Days, job, time.Now()); err != nil {
				b.Fatal(err)
			}
			b.Logf("%s: %d ads, %d daily rows over %d days", job, ended.PublishedAds, ended.PublishedDays, len(ended.Days))
			return simCalls(b, srv.URL) - before, took
		}
	}
	firstCalls, firstTook := run("bench-first", schemas.SyncKindFull)
	refreshCalls, refreshTook := run("bench-refresh", schemas.SyncKindRefresh)
	b.ReportMetric(float64(firstCalls), "first-calls")
	b.ReportMetric(firstTook.Seconds(), "first-s")
	b.ReportMetric(float64(refreshCalls), "refresh-calls")
	b.ReportMetric(refreshTook.Seconds(), "refresh-s")
}

func simCalls(b *testing.B, sim string) int64 {
	resp, err := http.Get(sim + "/_sim/stats")
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var s struct {
		Calls int64 `json:"calls"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		b.Fatal(err)
	}
	return s.Calls
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return n
	}
	return def
}
