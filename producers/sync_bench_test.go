package producers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"syscall"
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

// BenchmarkSync measures what a sync costs the Graph API (calls) and how
// long it takes, with graphsim answering every call after 0 and after 100 ms
// (ADSTREAM_BENCH_LATENCY_MS picks one): the first sync, which fetches every
// day, and a refresh after it, which fetches only the days fetched less than
// the restatement window after they ended. One account of 10,000 ads over 60
// days and one of 100,000 ads over 30 days (bounded: its days alone are a
// million rows); ADSTREAM_BENCH_SYNC_ADS picks one size (60 days below
// 50,000 ads). Beside the calls made it reports the fewest a sync of that
// data can make (min-calls): the pages at the page limit of the range pass
// and of each chunk of days, and the id lookups of its ads and videos.
// graphsim's call budget is set so high that it never throttles.
func BenchmarkSync(b *testing.B) {
	latencies := []int{0, 100}
	if ms := envInt("ADSTREAM_BENCH_LATENCY_MS", -1); ms >= 0 {
		latencies = []int{ms}
	}
	sizes := []int{10_000, 100_000}
	if n := envInt("ADSTREAM_BENCH_SYNC_ADS", 0); n > 0 {
		sizes = []int{n}
	}
	for _, ads := range sizes {
		days := 60
		if ads >= 50_000 {
			days = 30
		}
		for _, latency := range latencies {
			b.Run(fmt.Sprintf("ads-%d-days-%d-latency-%dms", ads, days, latency), func(b *testing.B) {
				for b.Loop() {
					benchSync(b, ads, days, latency)
				}
			})
		}
	}
}

func benchSync(b *testing.B, ads, days, latency int) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	// A call budget no sync here fills: the figures are the producer's
	// own, not the waits a throttled account imposes (at graphsim's default
	// budget a 100k-ad sync is throttled for minutes; the producer's gate
	// and the client's pacing handle that, tested elsewhere).
	sim, err := graphsim.New(graphsim.Options{Seed: 5, Brands: 1, Accounts: 1, Ads: ads, CallBudget: 1e9})
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

	const until = "2026-11-27"
	since := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC).AddDate(0, 0, 1-days).Format(time.DateOnly)
	run := func(job string, kind schemas.SyncKind, reread func() int64) (calls, least int64, took, cpu time.Duration) {
		before := simCalls(b, srv.URL)
		began, cpuBefore := time.Now(), cpuTime()
		req := &schemas.SyncRequest{JobID: job, BrandID: brand.BrandID, StartDate: since, EndDate: until,
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
			took, cpu = time.Since(began), cpuTime()-cpuBefore
			// What the consumers do once the job's records are stored: the
			// next sync plans from these days.
			if err := st.RecordDaysSynced(ctx, brand.BrandID, ended.Days, job, time.Now()); err != nil {
				b.Fatal(err)
			}
			calls = simCalls(b, srv.URL) - before
			least = testenv.LeastSyncCalls(b, srv.URL, testenv.SyncDone{Brand: brand, Since: since, Until: until,
				Days: ended.Days, Reread: reread()})
			b.Logf("%s: %d ads, %d daily rows over %d days: %d Graph calls (fewest possible %d, ×%.2f) in %.1f s, %.1f s of CPU",
				job, ended.PublishedAds, ended.PublishedDays, len(ended.Days), calls, least, float64(calls)/float64(least), took.Seconds(), cpu.Seconds())
			return calls, least, took, cpu
		}
	}
	// A first sync looks every ad of the range up; a refresh the next day
	// looks up only those changed meanwhile, after listing the changes.
	firstCalls, firstLeast, firstTook, firstCPU := run("bench-first", schemas.SyncKindFull, func() int64 { return -1 })
	changedSince := advanceSimDay(b, srv.URL)
	refreshCalls, refreshLeast, refreshTook, refreshCPU := run("bench-refresh", schemas.SyncKindRefresh, func() int64 {
		return changedAds(b, srv.URL, brand, changedSince)
	})
	b.ReportMetric(float64(firstCalls), "first-calls")
	b.ReportMetric(float64(firstLeast), "first-min-calls")
	b.ReportMetric(firstTook.Seconds(), "first-s")
	b.ReportMetric(firstCPU.Seconds(), "first-cpu-s")
	b.ReportMetric(float64(refreshCalls), "refresh-calls")
	b.ReportMetric(float64(refreshLeast), "refresh-min-calls")
	b.ReportMetric(refreshTook.Seconds(), "refresh-s")
	b.ReportMetric(refreshCPU.Seconds(), "refresh-cpu-s")
}

// advanceSimDay moves graphsim's clock a day on, as between a sync and the
// next day's refresh, and returns the clock's time before.
func advanceSimDay(b *testing.B, sim string) time.Time {
	var clock struct {
		Now time.Time `json:"now"`
	}
	getSim(b, sim+"/_sim/clock", &clock)
	resp, err := http.Post(sim+"/_sim/clock?advance=24h", "", nil)
	if err != nil {
		b.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || clock.Now.IsZero() {
		b.Fatalf("advance graphsim's clock: HTTP %d, clock was %v", resp.StatusCode, clock.Now)
	}
	return clock.Now
}

// changedAds counts the ads of the brand updated after t, with every status.
func changedAds(b *testing.B, sim string, brand graphsim.Brand, t time.Time) int64 {
	var n int64
	for _, acct := range brand.AdAccountIDs {
		q := url.Values{"fields": {"id"}, "limit": {"500"}, "access_token": {brand.AccessToken},
			"filtering": {fmt.Sprintf(`[{"field":"ad.updated_time","operator":"GREATER_THAN","value":%d},`+
				`{"field":"ad.effective_status","operator":"IN","value":["ACTIVE","PAUSED","ARCHIVED","DELETED","CAMPAIGN_PAUSED","ADSET_PAUSED","DISAPPROVED","WITH_ISSUES","PENDING_REVIEW","IN_PROCESS","PENDING_BILLING_INFO","PREAPPROVED"]}]`, t.Unix())}}
		for next := sim + "/v21.0/" + acct + "/ads?" + q.Encode(); next != ""; {
			var page struct {
				Data   []json.RawMessage `json:"data"`
				Paging struct {
					Next string `json:"next"`
				} `json:"paging"`
			}
			getSim(b, next, &page)
			n += int64(len(page.Data))
			next = page.Paging.Next
		}
	}
	return n
}

// cpuTime is the CPU time the benchmark's process has used: producer,
// graphsim and the test's Kafka client together. Unlike wall time it hardly
// moves when other work shares the machine.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func simCalls(b *testing.B, sim string) int64 {
	var s struct {
		Calls int64 `json:"calls"`
	}
	getSim(b, sim+"/_sim/stats", &s)
	return s.Calls
}

func getSim(b *testing.B, u string, out any) {
	resp, err := http.Get(u)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		b.Fatal(err)
	}
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return n
	}
	return def
}
