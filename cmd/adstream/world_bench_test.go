package main

import (
	"fmt"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/adstream/adstream/internal/testenv"
)

// The ranges a world is synced and read over, days before graphsim's clock
// (which starts at the real time). syncedRange is dev's demo range, the 30
// days the issue measured; slowRange the 30 days before it, synced at 100 ms
// a call; the fallback ranges are weeks before both, never synced.
var (
	benchClock  = devClock(time.Now())
	syncedRange = benchDays(-30, -1)
	slowRange   = benchDays(-60, -31)
)

// benchDays is the range from..to days from benchClock (-1: the day before).
func benchDays(from, to int) benchRange {
	return benchRange{benchClock.AddDate(0, 0, from).Format(time.DateOnly), benchClock.AddDate(0, 0, to).Format(time.DateOnly)}
}

func fallbackRanges() []benchRange {
	var out []benchRange
	for from := -119; len(out) < 8; from += 7 {
		out = append(out, benchDays(from, from+6))
	}
	return out
}

// BenchmarkWorld is issue 12's measurement end to end: graphsim serves a
// brand of ADSTREAM_BENCH_WORLD_ADS ads (two accounts, unset: skipped; make
// bench sets 100000), `adstream dev` syncs 30 days of it at 0 ms a Graph
// call into the test ClickHouse through the test Kafka, and the benchmark
// reads it over HTTP as a client would: page 1, a deep page by cursor and
// by page number, a filtered page, every sort field, aggregations, page 1
// from 16 clients. Then at 100 ms a call: a sync of the 30 days before
// (given ADSTREAM_BENCH_SLOW_BUDGET, default 3m, to finish) and first reads
// of never-synced weeks (the Graph fallback). Last, a world of
// ADSTREAM_BENCH_SLOW_ADS ads (default 10000) is synced at 0 ms (dev's RSS
// beside the large world's, at the same pace) and, in another dev, at 100 ms. It
// prints the table (figure, measured, goal, met?); the ingest rows
// come from BenchmarkIngest's output in ADSTREAM_BENCH_INGEST_OUTPUT. A first
// sync not done within ADSTREAM_BENCH_SYNC_LIMIT (default 30m) fails the
// benchmark after printing that row: what the machine allows at that size.
func BenchmarkWorld(b *testing.B) {
	ads := benchEnvInt(b, "ADSTREAM_BENCH_WORLD_ADS", 0)
	if ads == 0 {
		b.Skip("set ADSTREAM_BENCH_WORLD_ADS (make bench sets 100000) to build and measure a world")
	}
	testenv.Integration(b)
	slowAds := benchEnvInt(b, "ADSTREAM_BENCH_SLOW_ADS", 10_000)
	slowBudget := benchEnvDuration(b, "ADSTREAM_BENCH_SLOW_BUDGET", 3*time.Minute)
	syncLimit := benchEnvDuration(b, "ADSTREAM_BENCH_SYNC_LIMIT", 30*time.Minute)
	for b.Loop() {
		began, loadStart := time.Now(), benchLoadAverage()
		var t benchTable
		w := startBenchWorld(b, ads, 0)
		first := w.sync(b, syncedRange, syncLimit)
		title := fmt.Sprintf("## issue 12 at %s ads (%s)", thousands(int64(ads)), time.Now().UTC().Format("2006-01-02 15:04 UTC"))
		if !first.finished {
			// What the machine allows at this size: say so in the table's shape.
			t.add(fmt.Sprintf("sync of %s ads, 30 days, 0 ms per Graph call", thousands(int64(ads))),
				fmt.Sprintf("not done after %s (%s calls by then)", syncLimit, thousands(first.calls)), "—", "—")
			t.print(os.Stdout, title)
			b.Fatalf("the sync of %d ads at 0 ms did not finish within ADSTREAM_BENCH_SYNC_LIMIT (%s)", ads, syncLimit)
		}
		rssAtComplete, peakAfterSync, rssAfterSync := w.settledRSS(b)
		t.add(fmt.Sprintf("sync of %s ads, 30 days, 0 ms per Graph call", thousands(int64(ads))),
			fmt.Sprintf("%.1f s, %s calls (%s creatives with data)", first.wall.Seconds(), thousands(first.calls), thousands(first.creative)), "—", "—")
		b.ReportMetric(first.wall.Seconds(), "sync-0ms-s")
		b.ReportMetric(float64(first.calls), "sync-0ms-calls")

		// Reads are measured once ClickHouse has merged what the sync wrote:
		// the figures are the steady state a reader sees, not the minutes of
		// merging after a sync of millions of rows (how long is noted).
		merging := w.waitMerges(b, 5*time.Minute)
		t.note("reads measured once ClickHouse's background merges after the first sync were done: %.0f s after it", merging.Seconds())
		w.measureReads(b, &t, first.creative)
		w.measureDerived(b, &t)

		w.setLatency(b, 100)
		slow := w.sync(b, slowRange, slowBudget)
		slowCell := fmt.Sprintf("%.1f s, %s calls", slow.wall.Seconds(), thousands(slow.calls))
		if !slow.finished {
			slowCell = fmt.Sprintf("not done after %s (%s calls by then)", slowBudget, thousands(slow.calls))
		}
		t.add(fmt.Sprintf("sync of %s ads, the 30 days before, 100 ms per Graph call", thousands(int64(ads))), slowCell, "—", "—")
		w.measureFallback(b, &t)
		rssEnd, peak := w.rss(b)
		w.stop()

		// RSS grows with the world only if it does at the same pace: the
		// smaller world's first sync is also at 0 ms, where the producer
		// outruns the consumer as it did above. (At 100 ms per call the
		// consumer idles between small batches, which would compare a calm
		// pipeline with a saturated one.)
		flatWorld := startBenchWorld(b, slowAds, 0)
		flatSync := flatWorld.sync(b, syncedRange, syncLimit)
		flatAtComplete, flatPeak, flatRSS := flatWorld.settledRSS(b)
		flatWorld.stop()
		if !flatSync.finished {
			b.Fatalf("the sync of %d ads at 0 ms did not finish within ADSTREAM_BENCH_SYNC_LIMIT (%s)", slowAds, syncLimit)
		}

		small := startBenchWorld(b, slowAds, 100)
		smallSync := small.sync(b, syncedRange, syncLimit)
		smallRSS, _ := small.rss(b)
		least := small.leastCalls(b, syncedRange)
		small.stop()
		ratio := float64(smallSync.calls) / float64(least)
		t.add(fmt.Sprintf("sync of %s ads, 30 days, 100 ms per Graph call", thousands(int64(slowAds))),
			fmt.Sprintf("%.1f s, %s calls (fewest possible %s, × %.2f)", smallSync.wall.Seconds(), thousands(smallSync.calls), thousands(least), ratio),
			"≤ 20 s, calls ≤ 1.1 × minimum", slowSyncVerdict(smallSync, ratio))
		b.ReportMetric(smallSync.wall.Seconds(), "sync-100ms-s")
		b.ReportMetric(ratio, "sync-100ms-calls/min")

		t.addIngest(os.Getenv("ADSTREAM_BENCH_INGEST_OUTPUT"))

		flat := float64(rssAfterSync) <= 1.25*float64(flatRSS)
		t.add(fmt.Sprintf("`dev` RSS %s after the first sync at 0 ms per Graph call, %s → %s ads", rssSettle, thousands(int64(slowAds)), thousands(int64(ads))),
			fmt.Sprintf("%s → %s (when the list answered complete %s → %s; peak %s → %s; %s after both syncs, reads and fallbacks, peak %s)",
				mb(flatRSS), mb(rssAfterSync), mb(flatAtComplete), mb(rssAtComplete), mb(flatPeak), mb(peakAfterSync), mb(rssEnd), mb(peak)),
			"flat (≤ 1.25 ×)", met(flat))
		b.ReportMetric(float64(rssAfterSync)/(1<<20), "rss-MB")

		t.note("Graph calls by endpoint: %s ads at 0 ms: %s; %s ads at 100 ms: %s.",
			thousands(int64(ads)), first.endpoints(), thousands(int64(slowAds)), smallSync.endpoints())
		t.note("RSS is dev's VmRSS %s after the list answers complete (the sync stored), as well as the moment it does, peak its VmHWM; %s ads at 100 ms: %s the moment its list answered complete.",
			rssSettle, thousands(int64(slowAds)), mb(smallRSS))
		t.note("dev ran as its own process with graphsim apart (its RSS excludes graphsim's world) on the test ClickHouse and Kafka; requests on loopback, one warm-up request before each measurement not counted.")
		t.note("machine: %s; load average %s at the start, %s at the end (other work on the machine slows every figure); the whole benchmark took %s.",
			benchMachine(), loadStart, benchLoadAverage(), time.Since(began).Round(time.Second))
		t.print(os.Stdout, title)
	}
}

// slowSyncVerdict judges issue 12's sync at 100 ms a call on both goals,
// naming the one missed: at most 20 s, at most 1.1 × the fewest calls.
func slowSyncVerdict(r syncResult, callsRatio float64) string {
	var missed []string
	if !r.finished {
		return "no (not done)"
	}
	if r.wall > 20*time.Second {
		missed = append(missed, "time")
	}
	if callsRatio > 1.1 {
		missed = append(missed, "calls")
	}
	if len(missed) > 0 {
		return "no (" + strings.Join(missed, ", ") + ")"
	}
	return "yes"
}

// measureReads adds the read rows of the table.
func (w *benchWorld) measureReads(b *testing.B, t *benchTable, total int64) {
	b.Helper()
	list := w.api + "/api/creatives/demo?" + syncedRange.query() + "&limit=50"
	run := func(u string, clients int, lb loadBounds) loadResult {
		b.Helper()
		r, err := w.measure(u, clients, lb)
		if err != nil {
			b.Fatalf("GET %s: %v", u, err)
		}
		return r
	}
	const readGoal = "p99 ≤ 20 ms"
	page1 := run(list+"&sortBy=spend", 1, alone)
	t.add("page 1 (limit 50, by spend), 1 client", latencyCell(page1), readGoal, met(page1.p99 <= 20*time.Millisecond))
	b.ReportMetric(float64(page1.p99)/1e6, "page1-p99-ms")

	deep := min(1000, int((total+49)/50))
	cursor, err := w.cursorTo(list+"&sortBy=spend", (deep-1)*50)
	if err != nil {
		b.Fatalf("walk to page %d by cursor: %v", deep, err)
	}
	byCursor := run(list+"&sortBy=spend&cursor="+url.QueryEscape(cursor), 1, alone)
	t.add(fmt.Sprintf("page %d by cursor, 1 client", deep), latencyCell(byCursor), "≤ 2 × page 1 (p99)", met(byCursor.p99 <= 2*page1.p99))
	byOffset := run(list+"&sortBy=spend&page="+strconv.Itoa(deep), 1, alone)
	t.add(fmt.Sprintf("page %d by page number, 1 client", deep), latencyCell(byOffset), "—", "—")
	w.checkSamePage(b, list+"&sortBy=spend&cursor="+url.QueryEscape(cursor), list+"&sortBy=spend&page="+strconv.Itoa(deep))

	filtered := run(list+"&sortBy=spend&filters="+url.QueryEscape(`{"creative_type":"video"}`), 1, alone)
	t.add("page 1 filtered (creative_type video), 1 client", latencyCell(filtered), readGoal, met(filtered.p99 <= 20*time.Millisecond))

	for _, field := range w.sortFields(b) {
		r := run(list+"&sortBy="+field, 1, alone)
		t.add("page 1 by "+field+", 1 client", latencyCell(r), readGoal, met(r.p99 <= 20*time.Millisecond))
	}

	aggs := run(w.api+"/api/creatives/demo/aggregations?"+syncedRange.query(), 1, alone)
	t.add("aggregations, 1 client", latencyCell(aggs), "p99 ≤ 5 ms", met(aggs.p99 <= 5*time.Millisecond))
	b.ReportMetric(float64(aggs.p99)/1e6, "aggs-p99-ms")

	many := run(list+"&sortBy=spend", 16, crowd)
	t.add("page 1, 16 clients", latencyCell(many), "≥ 500 pages/s, p99 ≤ 100 ms", met(many.perSec >= 500 && many.p99 <= 100*time.Millisecond))
	b.ReportMetric(many.perSec, "page1-16c-req/s")
}

// cursorTo follows nextCursor from page 1 of u past skip creatives, in
// pages of up to 500, and returns the cursor that continues after them.
func (w *benchWorld) cursorTo(u string, skip int) (string, error) {
	base := strings.Replace(u, "&limit=50", "", 1)
	cursor := ""
	for skip > 0 {
		n := min(skip, 500)
		page := base + "&limit=" + strconv.Itoa(n)
		if cursor != "" {
			page += "&cursor=" + url.QueryEscape(cursor)
		}
		var got struct {
			Next *string `json:"nextCursor"`
		}
		if err := w.getJSON(page, &got); err != nil {
			return "", err
		}
		if got.Next == nil {
			return "", fmt.Errorf("the listing ended with %d creatives still to skip", skip)
		}
		cursor, skip = *got.Next, skip-n
	}
	return cursor, nil
}

// checkSamePage fails the benchmark when a page reached by cursor differs
// from the same page asked by number: the figures would compare different work.
func (w *benchWorld) checkSamePage(b *testing.B, byCursor, byNumber string) {
	b.Helper()
	ids := func(u string) string {
		var got struct {
			Creatives []struct {
				AdID string `json:"ad_id"`
			} `json:"creatives"`
		}
		if err := w.getJSON(u, &got); err != nil {
			b.Fatalf("GET %s: %v", u, err)
		}
		var out []string
		for _, c := range got.Creatives {
			out = append(out, c.AdID)
		}
		return strings.Join(out, ",")
	}
	if c, n := ids(byCursor), ids(byNumber); c != n || c == "" {
		b.Errorf("the deep page by cursor lists %.200q, by page number %.200q", c, n)
	}
}

// sortFields are the list's sort fields, as the API's OpenAPI document
// lists them.
func (w *benchWorld) sortFields(b *testing.B) []string {
	b.Helper()
	var doc struct {
		Paths map[string]map[string]struct {
			Parameters []struct {
				Name   string `json:"name"`
				Schema struct {
					Enum []string `json:"enum"`
				} `json:"schema"`
			} `json:"parameters"`
		} `json:"paths"`
	}
	if err := w.getJSON(w.api+"/openapi.json", &doc); err != nil {
		b.Fatalf("openapi.json: %v", err)
	}
	for _, p := range doc.Paths["/api/creatives/{brandId}"]["get"].Parameters {
		if p.Name == "sortBy" && len(p.Schema.Enum) > 0 {
			return p.Schema.Enum
		}
	}
	b.Fatal("openapi.json lists no sortBy values for GET /api/creatives/{brandId}")
	return nil
}

// measureFallback times the first read of never-synced weeks while
// graphsim answers after 100 ms: each is a different range, so each is a
// first read.
func (w *benchWorld) measureFallback(b *testing.B, t *benchTable) {
	b.Helper()
	var took []time.Duration
	var sources []string
	for _, r := range fallbackRanges() {
		var got struct {
			Source string `json:"dataSource"`
		}
		t0 := time.Now()
		if err := w.getJSON(w.api+"/api/creatives/demo?"+r.query()+"&limit=50&sortBy=spend", &got); err != nil {
			b.Fatalf("first read of %s..%s: %v", r.start, r.end, err)
		}
		took = append(took, time.Since(t0))
		sources = append(sources, got.Source)
	}
	fallbacks := 0
	for _, s := range sources {
		if s == "api_fallback" {
			fallbacks++
		}
	}
	t.add("first read of a never-synced week (Graph fallback), 100 ms per Graph call",
		fmt.Sprintf("%s / %s ms (p50 / slowest of %d; %d answered api_fallback)", ms(quantile(took, 0.5)), ms(quantile(took, 1)), len(took), fallbacks), "—", "—")
	b.ReportMetric(float64(quantile(took, 0.5))/1e6, "fallback-p50-ms")
}

// benchMachine describes the CPU and memory from /proc.
func benchMachine() string {
	model := runtime.GOARCH
	if raw, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.SplitSeq(string(raw), "\n") {
			if name, value, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(name) == "model name" {
				model = strings.TrimSpace(value)
				break
			}
		}
	}
	mem := ""
	if raw, err := os.ReadFile("/proc/meminfo"); err == nil {
		if f := strings.Fields(string(raw)); len(f) > 1 && f[0] == "MemTotal:" {
			if kb, err := strconv.ParseFloat(f[1], 64); err == nil {
				mem = fmt.Sprintf(", %.0f GiB", kb/(1<<20))
			}
		}
	}
	return fmt.Sprintf("%d × %s%s", runtime.NumCPU(), model, mem)
}

// benchLoadAverage is the 1-minute load average, "?" where /proc has none.
func benchLoadAverage() string {
	raw, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(raw)); err == nil && len(f) > 0 {
		return f[0]
	}
	return "?"
}

func benchEnvInt(b *testing.B, name string, def int) int {
	raw := os.Getenv(name)
	if raw == "" {
		return def
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 0 {
		b.Fatalf("%s=%q: want a whole number of ads", name, raw)
	}
	return n
}

func benchEnvDuration(b *testing.B, name string, def time.Duration) time.Duration {
	raw := os.Getenv(name)
	if raw == "" {
		return def
	}
	d, err := time.ParseDuration(raw)
	if err != nil || d <= 0 {
		b.Fatalf("%s=%q: want a duration like 3m", name, raw)
	}
	return d
}
