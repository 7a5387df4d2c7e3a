package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/adstream/adstream/api"
	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/internal/testenv"
	"github.com/adstream/adstream/schemas"
)

// benchStaleness is ADSTREAM_READ_STALENESS's default.
const benchStaleness = 100 * time.Millisecond

// readBenchAds is the size of the brand's range the read benchmark serves:
// issue 12's 100k ads, in two ad accounts.
const readBenchAds = 100_000

// BenchmarkReadAPI measures the creatives API over real HTTP against the
// Fiber app on real ClickHouse, a range of readBenchAds ads stored through
// the store's write path (insights, ads, the job's completion, the rebuild).
// Each sub-benchmark reports p50-ms, p99-ms, req/s, ch-queries/req (the
// ClickHouse round trips a request makes, counted on the store's connection)
// and cpu-ms/req; the table is printed at the end. "uncached" rows use an API whose read cache
// is off: every request reads ClickHouse. The other rows check every
// cached answer's read stamp (ReadStaleness 0), except the "bounded" ones,
// which take the commands' default staleness bound (benchStaleness): a
// steadily read range's hits then make no round trip.
func BenchmarkReadAPI(b *testing.B) {
	conn, cfg := testenv.ClickHouse(b)
	counted := &countingConn{Conn: conn}
	st := store.New(counted, cfg.Database)
	ctx := context.Background()
	r := store.Range{BrandID: "bench", StartDate: "2026-10-29", EndDate: "2026-11-27"}
	t0 := time.Now()
	fillReadBench(ctx, b, st, r)
	b.Logf("stored %d ads in %s", readBenchAds, time.Since(t0).Round(time.Millisecond))

	cached := serveBench(b, st, true, 0)
	uncached := serveBench(b, st, false, 0)
	bounded := serveBench(b, st, true, benchStaleness)
	rangeQuery := "startDate=" + r.StartDate + "&endDate=" + r.EndDate
	list := "/api/creatives/bench?" + rangeQuery + "&limit=50"
	deepOffset := list + "&page=1000"
	// The cursor of page 1000: the next cursor of page 999.
	var p999 struct {
		NextCursor string `json:"nextCursor"`
	}
	getJSON(b, cached+list+"&page=999", &p999)
	deepCursor := list + "&cursor=" + url.QueryEscape(p999.NextCursor)
	filtered := list + "&filters=" + url.QueryEscape(`{"creative_type":"video"}`)
	aggs := "/api/creatives/bench/aggregations?" + rangeQuery + "&creative_type=video"

	var table []benchRow
	run := func(name, base, target string, clients int) {
		b.Run(name, func(b *testing.B) {
			row := measureReads(b, counted, base+target, clients)
			row.name = name
			// b.Run runs a sub-benchmark once to size b.N, then for b.N: keep the last.
			if len(table) > 0 && table[len(table)-1].name == name {
				table = table[:len(table)-1]
			}
			table = append(table, row)
		})
	}
	for _, srv := range []struct{ tag, base string }{{"", cached}, {"uncached-", uncached}} {
		run(srv.tag+"page1", srv.base, list, 1)
		run(srv.tag+"deep-cursor", srv.base, deepCursor, 1)
		run(srv.tag+"deep-offset", srv.base, deepOffset, 1)
		run(srv.tag+"filtered", srv.base, filtered, 1)
		run(srv.tag+"aggregations", srv.base, aggs, 1)
		run(srv.tag+"page1-16clients", srv.base, list, 16)
	}
	run("bounded-page1", bounded, list, 1)
	run("bounded-aggregations", bounded, aggs, 1)
	run("bounded-page1-16clients", bounded, list, 16)
	for _, field := range slices.Sorted(maps.Keys(store.SortColumns)) {
		run("sort-"+field, cached, list+"&sortBy="+field, 1)
		run("uncached-sort-"+field, uncached, list+"&sortBy="+field, 1)
	}
	fmt.Fprintf(os.Stdout, "\nBenchmarkReadAPI, %d ads, limit 50, over HTTP on loopback\n", readBenchAds)
	fmt.Fprintf(os.Stdout, "| read | p50 ms | p99 ms | req/s | ClickHouse queries/req | API+client CPU ms/req |\n|---|---:|---:|---:|---:|---:|\n")
	for _, row := range table {
		fmt.Fprintf(os.Stdout, "| %s | %.2f | %.2f | %.0f | %.2f | %.2f |\n", row.name, row.p50, row.p99, row.rate, row.queries, row.cpu)
	}
}

type benchRow struct {
	name                         string
	p50, p99, rate, queries, cpu float64
}

// processCPU is the CPU time this process has used, user and system.
func processCPU() time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		return 0
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}

// measureReads sends b.N GETs of target from clients goroutines, each with
// its own keep-alive connection, and reports their latency percentiles, the
// rate, the ClickHouse queries per request and this process's CPU time per
// request (the server's and the client's: what the rate would be bound by
// on an idle machine).
func measureReads(b *testing.B, counted *countingConn, target string, clients int) benchRow {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	get := func() time.Duration {
		t0 := time.Now()
		resp, err := client.Get(target)
		if err != nil {
			b.Error(err)
			return 0
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Errorf("GET %s: status %d", target, resp.StatusCode)
		}
		return time.Since(t0)
	}
	get() // the first answer fills the cache: measure what follows
	n := b.N
	took := make([]time.Duration, n)
	var next atomic.Int64
	queries0, cpu0 := counted.n.Load(), processCPU()
	b.ResetTimer()
	began := time.Now()
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			for i := next.Add(1) - 1; i < int64(n); i = next.Add(1) - 1 {
				took[i] = get()
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(began)
	b.StopTimer()
	slices.Sort(took)
	row := benchRow{
		p50:     ms(took[n/2]),
		p99:     ms(took[min(n-1, n*99/100)]),
		rate:    float64(n) / elapsed.Seconds(),
		queries: float64(counted.n.Load()-queries0) / float64(n),
		cpu:     ms(processCPU()-cpu0) / float64(n),
	}
	b.ReportMetric(row.p50, "p50-ms")
	b.ReportMetric(row.p99, "p99-ms")
	b.ReportMetric(row.rate, "req/s")
	b.ReportMetric(row.queries, "ch-queries/req")
	b.ReportMetric(row.cpu, "cpu-ms/req")
	return row
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// serveBench serves the API on a loopback port for the benchmark's lifetime.
func serveBench(b *testing.B, st *store.Store, cache bool, staleness time.Duration) string {
	deps := api.Deps{Store: st, Videos: st, Queue: &fakeQueue{}, Log: slog.New(slog.DiscardHandler), Registry: prometheus.NewRegistry(),
		ReadStaleness: staleness}
	if !cache {
		deps.ReadCache.Entries = -1
	}
	app := api.New(deps)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go func() { _ = app.Listener(ln) }()
	b.Cleanup(func() { _ = app.Shutdown() })
	return "http://" + ln.Addr().String()
}

func getJSON(b *testing.B, target string, v any) {
	resp, err := http.Get(target)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(resp.Body)
		b.Fatalf("GET %s: %d %s", target, resp.StatusCode, body)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		b.Fatal(err)
	}
}

// fillReadBench stores what a completed sync of r over readBenchAds ads
// leaves: the brand, each ad's details and range insights, the job's
// completion and the range's rebuild (its aggregations and snapshot).
func fillReadBench(ctx context.Context, b *testing.B, st *store.Store, r store.Range) {
	at := time.Now().UTC().Truncate(time.Second)
	accounts := []string{"act_1", "act_2"}
	if err := st.PutBrand(ctx, store.Brand{BrandID: r.BrandID, Name: "Bench", AdAccountIDs: accounts}); err != nil {
		b.Fatal(err)
	}
	types := []schemas.CreativeType{schemas.CreativeVideo, schemas.CreativeImage, schemas.CreativeCarousel, schemas.CreativeUnknown}
	statuses := []string{"ACTIVE", "PAUSED"}
	const chunk = 25_000
	for from := 0; from < readBenchAds; from += chunk {
		rows := make([]*schemas.AdInsight, 0, chunk)
		ads := make([]*schemas.Ad, 0, chunk)
		for i := from; i < from+chunk; i++ {
			id, typ := fmt.Sprintf("ad%06d", i), types[i%4]
			impressions := int64(1000 + (i*7919)%100_000)
			rows = append(rows, &schemas.AdInsight{BrandID: r.BrandID, AdAccountID: accounts[i%2], AdID: id, StartDate: r.StartDate,
				EndDate: r.EndDate, CreativeType: typ, AdEffectiveStatus: statuses[(i/2)%2],
				SpendMicros: int64((i*104729)%10_000_000) * 1000, RevenueMicros: int64((i*15485863)%30_000_000) * 1000,
				Orders: int64(i % 50), Impressions: impressions, Clicks: impressions / int64(20+i%80), Reach: impressions / 2,
				Frequency: 2, VideoViews: impressions / 3, FetchedAt: at, Version: schemas.VersionAt(at), SyncID: "job-bench"})
			ad := &schemas.Ad{BrandID: r.BrandID, AdAccountID: accounts[i%2], AdID: id, CreativeID: "cr" + id, AdName: "Ad " + id,
				AdStatus: "ACTIVE", CreativeType: typ, CreativeURL: "https://cdn.example.invalid/" + id + ".jpg",
				ThumbnailURL: "https://cdn.example.invalid/" + id + "-thumb.jpg", FetchedAt: at, SyncID: "job-bench"}
			if typ == schemas.CreativeVideo {
				ad.VideoID, ad.VideoSourceURL, ad.VideoLengthSeconds = "v"+id, "https://cdn.example.invalid/"+id+".mp4", 15
			}
			ads = append(ads, ad)
		}
		if err := st.InsertInsights(ctx, rows); err != nil {
			b.Fatal(err)
		}
		if err := st.InsertAds(ctx, ads); err != nil {
			b.Fatal(err)
		}
	}
	if err := st.InsertSyncEvents(ctx, []*schemas.SyncEvent{{JobID: "job-bench", BrandID: r.BrandID, StartDate: r.StartDate,
		EndDate: r.EndDate, Kind: schemas.SyncKindFull, Type: schemas.SyncCompleted, TotalAds: readBenchAds,
		PublishedAds: readBenchAds, PublishedInsights: readBenchAds, At: at}}); err != nil {
		b.Fatal(err)
	}
	if _, err := st.RebuildAggregations(ctx, r, "job-bench"); err != nil {
		b.Fatal(err)
	}
}

// countingConn counts the queries sent through a ClickHouse connection.
type countingConn struct {
	driver.Conn
	n atomic.Int64
}

func (c *countingConn) Query(ctx context.Context, query string, args ...any) (driver.Rows, error) {
	c.n.Add(1)
	return c.Conn.Query(ctx, query, args...)
}

func (c *countingConn) QueryRow(ctx context.Context, query string, args ...any) driver.Row {
	c.n.Add(1)
	return c.Conn.QueryRow(ctx, query, args...)
}

func (c *countingConn) Select(ctx context.Context, dest any, query string, args ...any) error {
	c.n.Add(1)
	return c.Conn.Select(ctx, dest, query, args...)
}

func (c *countingConn) Exec(ctx context.Context, query string, args ...any) error {
	c.n.Add(1)
	return c.Conn.Exec(ctx, query, args...)
}

func (c *countingConn) PrepareBatch(ctx context.Context, query string, opts ...driver.PrepareBatchOption) (driver.Batch, error) {
	c.n.Add(1)
	return c.Conn.PrepareBatch(ctx, query, opts...)
}
