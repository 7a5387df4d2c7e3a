package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/internal/chserver"
	"github.com/adstream/adstream/internal/config"
	"github.com/adstream/adstream/internal/testenv"
)

// TestDevPipelineEndToEnd runs `adstream dev` against the real ClickHouse and
// Kafka of the test environment and checks that what the API returns from
// ClickHouse is exactly what graphsim served: graphsim → producer → Kafka →
// consumer → ClickHouse → API.
func TestDevPipelineEndToEnd(t *testing.T) {
	dev := startDev(t, map[string]string{"ADSTREAM_DEMO_ADS": "700"})
	api, simAddr := dev.api, strings.TrimPrefix(dev.sim, "http://")
	q := dev.demoQuery()
	waitFor(t, 90*time.Second, "the demo sync to complete", func() bool {
		var st struct{ Status string }
		return getJSON(t, api+"/api/creatives/sync/status/demo?"+q, &st) == http.StatusOK && st.Status == "completed"
	})
	// The COMPLETED event may land before the last data batch is inserted.
	served := servedInsights(t, dev)
	// Pages read by number while the consumers still store the job's last
	// records, or rebuild its range, may overlap: read again until every ad
	// is there, then once more, when no page may repeat an ad.
	waitFor(t, 30*time.Second, "every served ad to be stored", func() bool {
		got, dup := pageCreatives(t, api, q)
		return dup == "" && len(got) >= len(served)
	})
	stored := storedCreatives(t, api, q)
	if len(stored) != len(served) {
		t.Fatalf("API returns %d creatives, graphsim served %d", len(stored), len(served))
	}
	for id, want := range served {
		got, ok := stored[id]
		if !ok {
			t.Errorf("ad %s served by graphsim is missing from the API", id)
			continue
		}
		if got.metrics() != want {
			t.Errorf("ad %s: API %+v, graphsim %+v", id, got.metrics(), want)
		}
		if got.DataSource != "" || got.CreativeType == "" || got.ThumbnailURL == "" {
			t.Errorf("ad %s: creative details missing: %+v", id, got)
		}
	}
	var truth struct {
		TotalAds         int64 `json:"total_ads"`
		TotalSpendMicros int64 `json:"total_spend_micros"`
		TotalClicks      int64 `json:"total_clicks"`
	}
	getJSON(t, "http://"+simAddr+"/_sim/truth?brand_id=demo&since="+dev.demo.StartDate+"&until="+dev.demo.EndDate+"&creative_type=all", &truth)
	var ads, spend, clicks int64
	for _, c := range stored {
		ads++
		spend += int64(c.Spend*1e6 + 0.5)
		clicks += c.Clicks
	}
	if ads != truth.TotalAds || spend != truth.TotalSpendMicros || clicks != truth.TotalClicks {
		t.Errorf("stored totals ads=%d spend=%d clicks=%d, graphsim truth ads=%d spend=%d clicks=%d",
			ads, spend, clicks, truth.TotalAds, truth.TotalSpendMicros, truth.TotalClicks)
	}
	t.Logf("%d ads stored and equal to what graphsim served", len(stored))

	// The aggregations the consumer rebuilt for the sync equal graphsim's
	// ground truth, for every creative type, to the micro-unit.
	var st struct{ JobID string }
	getJSON(t, api+"/api/creatives/sync/status/demo?"+q, &st)
	first := checkAggregations(t, dev, st.JobID)

	// A refresh after the simulated clock moved restates recent days; the
	// aggregation follows the new truth without counting any ad twice.
	if code := post(t, "http://"+simAddr+"/_sim/clock?advance=24h", ""); code != http.StatusOK {
		t.Fatalf("advance graphsim clock: HTTP %d", code)
	}
	var refresh struct{ JobID string }
	if code := postJSON(t, api+"/api/creatives/refresh/demo", `{"startDate":"`+dev.demo.StartDate+`","endDate":"`+dev.demo.EndDate+`"}`, &refresh); code != http.StatusOK || refresh.JobID == "" || refresh.JobID == st.JobID {
		t.Fatalf("refresh: HTTP %d, job %q", code, refresh.JobID)
	}
	waitFor(t, 90*time.Second, "the refresh to complete", func() bool {
		var js struct{ JobID, Status string }
		return getJSON(t, api+"/api/creatives/sync/status/demo?"+q, &js) == http.StatusOK && js.JobID == refresh.JobID && js.Status == "completed"
	})
	second := checkAggregations(t, dev, refresh.JobID)
	if first == second {
		t.Errorf("the refresh changed no total (%+v): the clock advance did not restate the range, the check proves nothing", first)
	}
}

// devStack is a running `adstream dev`: its API and graphsim base URLs.
type devStack struct {
	api, sim string
	out      *syncBuffer // what dev printed
	clock    time.Time   // graphsim's clock start
	demo     store.Range // the range dev synced first
}

// demoQuery is the query string of the demo range.
func (d devStack) demoQuery() string {
	return "startDate=" + d.demo.StartDate + "&endDate=" + d.demo.EndDate
}

// day is the date n days from graphsim's clock start (-1: the day before).
func (d devStack) day(n int) string { return d.clock.AddDate(0, 0, n).Format(time.DateOnly) }

// startDev runs `adstream dev` against the real ClickHouse and Kafka of the
// test environment, on free ports, with a database, topics and groups of its
// own, until the test ends. env overrides its settings.
func startDev(t *testing.T, env map[string]string) devStack {
	t.Helper()
	httpAddr, simAddr := freeAddr(t), freeAddr(t)
	chAddr, brokers := testenv.ClickHouseAddr(t), testenv.Kafka(t)
	db, prefix, groups := testenv.UniqueName(t, "db"), testenv.UniqueName(t, "t"), testenv.UniqueName(t, "g")
	t.Cleanup(func() { dropDevData(chAddr, db, brokers, prefix, groups) }) // after dev stops: cleanups run last first
	settings := map[string]string{
		"ADSTREAM_CLICKHOUSE_ADDR":     chAddr,
		"ADSTREAM_CLICKHOUSE_DATABASE": db,
		"ADSTREAM_KAFKA_BROKERS":       strings.Join(brokers, ","),
		"ADSTREAM_TOPIC_PREFIX":        prefix,
		"ADSTREAM_KAFKA_GROUP_PREFIX":  groups,
		"ADSTREAM_HTTP_ADDR":           httpAddr,
		"ADSTREAM_GRAPHSIM_ADDR":       simAddr,
		"ADSTREAM_DATA_DIR":            t.TempDir(),
		"ADSTREAM_LOG_LEVEL":           "warn",
		"ADSTREAM_RATE_LIMIT":          "0", // tests poll far faster than a user would
		"ADSTREAM_SYNC_RATE_LIMIT":     "0",
	}
	for k, v := range env {
		settings[k] = v
	}
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- runMain(ctx, []string{"dev"}, func(k string) string { return settings[k] }, out, &testLog{t: t})
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("dev returned %v after shutdown", err)
			}
		case <-time.After(30 * time.Second):
			t.Errorf("dev did not stop within 30 s of cancellation")
		}
	})
	waitFor(t, 60*time.Second, "dev to print its URLs", func() bool { return strings.Contains(out.String(), "adstream dev is up") })
	dev := devStack{api: "http://" + httpAddr, sim: "http://" + simAddr, out: out}
	dev.clock = simClockStart(t, dev.sim)
	dev.demo = demoRange(dev.clock)
	return dev
}

// simClockStart asks graphsim where its clock started.
func simClockStart(t testing.TB, sim string) time.Time {
	t.Helper()
	resp, err := http.Get(sim + "/_sim/clock")
	if err != nil {
		t.Fatalf("graphsim clock: %v", err)
	}
	defer resp.Body.Close()
	var clock struct{ Start string }
	if err := json.NewDecoder(resp.Body).Decode(&clock); err != nil {
		t.Fatalf("graphsim clock: %v", err)
	}
	start, err := time.Parse(time.RFC3339, clock.Start)
	if err != nil {
		t.Fatalf("graphsim clock start %q: %v", clock.Start, err)
	}
	return start
}

// aggTotals are the integer totals compared between the aggregation endpoint
// and graphsim's ground truth.
type aggTotals struct {
	TotalAds              int64 `json:"total_ads"`
	TotalSpendMicros      int64 `json:"total_spend_micros"`
	TotalRevenueMicros    int64 `json:"total_revenue_micros"`
	TotalOrders           int64 `json:"total_orders"`
	TotalImpressions      int64 `json:"total_impressions"`
	TotalClicks           int64 `json:"total_clicks"`
	TotalVideoViews       int64 `json:"total_video_views"`
	TotalVideoP25Watched  int64 `json:"total_video_p25_watched"`
	TotalVideoP50Watched  int64 `json:"total_video_p50_watched"`
	TotalVideoP100Watched int64 `json:"total_video_p100_watched"`
}

// checkAggregations waits until the aggregation endpoint answers from the
// rebuild of job over dev's demo range, then checks it against the truth for
// all and each type; it returns the totals of all.
func checkAggregations(t *testing.T, dev devStack, job string) aggTotals {
	t.Helper()
	api, sim, q := dev.api, dev.sim, dev.demoQuery()
	truth := sim + "/_sim/truth?brand_id=demo&since=" + dev.demo.StartDate + "&until=" + dev.demo.EndDate
	type resp struct {
		JobID        string    `json:"jobId"`
		CreativeType string    `json:"creative_type"`
		Aggregations aggTotals `json:"aggregations"`
	}
	// Ratios are floats summed in another order than graphsim's: compared
	// to 1e-5, after the integers they derive from compared exactly.
	type ratios struct {
		Aggregations map[string]float64 `json:"aggregations"`
	}
	ratioKeys := []string{"weighted_avg_ctr", "weighted_avg_cpc", "weighted_avg_cpp", "weighted_avg_roas", "avg_ctr", "avg_cpc", "avg_cpp", "avg_roas"}
	waitFor(t, 60*time.Second, "the aggregation of job "+job, func() bool {
		var r resp
		return getJSON(t, api+"/api/creatives/demo/aggregations?"+q, &r) == http.StatusOK && r.JobID == job
	})
	var all aggTotals
	for _, typ := range []string{"all", "video", "image", "carousel", "unknown"} {
		var got resp
		var want aggTotals
		began := time.Now()
		if code := getJSON(t, api+"/api/creatives/demo/aggregations?"+q+"&creative_type="+typ, &got); code != http.StatusOK {
			t.Fatalf("aggregations %s: HTTP %d", typ, code)
		}
		took := time.Since(began)
		getJSON(t, truth+"&creative_type="+typ, &want)
		if got.Aggregations != want || got.CreativeType != typ || got.JobID != job {
			t.Errorf("aggregations %s (job %s):\n got %+v\nwant %+v (graphsim truth)", typ, got.JobID, got.Aggregations, want)
		}
		var gotR ratios
		var wantR map[string]any
		getJSON(t, api+"/api/creatives/demo/aggregations?"+q+"&creative_type="+typ, &gotR)
		getJSON(t, truth+"&creative_type="+typ, &wantR)
		for _, k := range ratioKeys {
			w, _ := wantR[k].(float64)
			if g := gotR.Aggregations[k]; math.Abs(g-w) > 1e-5*math.Max(1, math.Abs(w)) {
				t.Errorf("aggregations %s: %s = %v, graphsim truth %v", typ, k, g, w)
			}
		}
		if typ == "all" {
			all = got.Aggregations
		}
		t.Logf("aggregations %s: %d ads, %d spend micros, answered in %s", typ, got.Aggregations.TotalAds, got.Aggregations.TotalSpendMicros, took)
	}
	return all
}

func post(t *testing.T, u, body string) int {
	t.Helper()
	resp, err := http.Post(u, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatalf("POST %s: %v", u, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

func postJSON(t *testing.T, u, body string, v any) int {
	t.Helper()
	resp, err := http.Post(u, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatalf("POST %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatalf("POST %s: %v in %.200s", u, err, b)
		}
	}
	return resp.StatusCode
}

// metrics are the per-ad numbers compared between graphsim and the API.
type metrics struct {
	SpendMicros, Impressions, Clicks, Orders, VideoViews, VideoP100 int64
}

type apiCreative struct {
	AdID         string  `json:"ad_id"`
	CreativeType string  `json:"creative_type"`
	ThumbnailURL string  `json:"thumbnail_url"`
	Spend        float64 `json:"spend"`
	Impressions  int64   `json:"impressions"`
	Clicks       int64   `json:"clicks"`
	Orders       int64   `json:"orders"`
	VideoViews   int64   `json:"video_views"`
	VideoP100    int64   `json:"video_p100_watched"`
	DataSource   string  `json:"dataSource"`
}

func (c apiCreative) metrics() metrics {
	return metrics{int64(c.Spend*1e6 + 0.5), c.Impressions, c.Clicks, c.Orders, c.VideoViews, c.VideoP100}
}

// storedCreatives pages the API (500 a page) and returns every creative by
// ad id; an ad on two pages fails the test.
func storedCreatives(t *testing.T, api, q string) map[string]apiCreative {
	out, dup := pageCreatives(t, api, q)
	if dup != "" {
		t.Fatalf("ad %s appears on two pages", dup)
	}
	return out
}

// pageCreatives pages the API (500 a page) and returns every creative by ad
// id, and an ad it found on two pages ("" when none did).
func pageCreatives(t *testing.T, api, q string) (map[string]apiCreative, string) {
	out, dup := map[string]apiCreative{}, ""
	for page := 1; ; page++ {
		var resp struct {
			DataSource string        `json:"dataSource"`
			HasMore    bool          `json:"hasMore"`
			Creatives  []apiCreative `json:"creatives"`
		}
		if code := getJSON(t, fmt.Sprintf("%s/api/creatives/demo?%s&page=%d&limit=500&sortBy=ad_id&sortOrder=asc", api, q, page), &resp); code != http.StatusOK {
			t.Fatalf("list page %d: HTTP %d", page, code)
		}
		if resp.DataSource != "database" {
			t.Fatalf("dataSource = %q, want database", resp.DataSource)
		}
		for _, c := range resp.Creatives {
			if _, seen := out[c.AdID]; seen && dup == "" {
				dup = c.AdID
			}
			out[c.AdID] = c
		}
		if !resp.HasMore {
			return out, dup
		}
	}
}

// servedInsights pages graphsim's level=ad insights of dev's demo range for
// every demo account, parsing the values independently of internal/graph.
func servedInsights(t *testing.T, dev devStack) map[string]metrics {
	var brands []struct {
		AccessToken  string   `json:"access_token"`
		AdAccountIDs []string `json:"ad_account_ids"`
	}
	getJSON(t, dev.sim+"/_sim/brands", &brands)
	return servedAdInsights(t, dev.sim, brands[0].AccessToken, brands[0].AdAccountIDs, dev.demo.StartDate, dev.demo.EndDate)
}

// servedAdInsights pages graphsim's level=ad insights of since..until for
// the accounts, by ad id.
func servedAdInsights(t *testing.T, sim, token string, accounts []string, since, until string) map[string]metrics {
	t.Helper()
	out := map[string]metrics{}
	for _, acct := range accounts {
		next := sim + "/v21.0/" + acct + "/insights?" + url.Values{
			"level": {"ad"}, "limit": {"500"}, "access_token": {token},
			"time_range": {`{"since":"` + since + `","until":"` + until + `"}`},
			"fields":     {"ad_id,spend,impressions,clicks,actions,video_p100_watched_actions"},
		}.Encode()
		for next != "" {
			var page struct {
				Data []struct {
					AdID        string `json:"ad_id"`
					Spend       string `json:"spend"`
					Impressions string `json:"impressions"`
					Clicks      string `json:"clicks"`
					Actions     []struct {
						Type  string `json:"action_type"`
						Value string `json:"value"`
					} `json:"actions"`
					P100 []struct {
						Value string `json:"value"`
					} `json:"video_p100_watched_actions"`
				} `json:"data"`
				Paging struct {
					Next string `json:"next"`
				} `json:"paging"`
			}
			if code := getJSON(t, next, &page); code != http.StatusOK {
				t.Fatalf("graphsim insights of %s: HTTP %d", acct, code)
			}
			for _, r := range page.Data {
				m := metrics{SpendMicros: decimalMicros(t, r.Spend), Impressions: atoi(t, r.Impressions), Clicks: atoi(t, r.Clicks)}
				for _, a := range r.Actions {
					switch a.Type {
					case "purchase":
						m.Orders = atoi(t, a.Value)
					case "video_view":
						m.VideoViews = atoi(t, a.Value)
					}
				}
				for _, p := range r.P100 {
					m.VideoP100 += atoi(t, p.Value)
				}
				out[r.AdID] = m
			}
			next = page.Paging.Next
		}
	}
	return out
}

// decimalMicros parses "14.35" into 14350000 without floating point.
func decimalMicros(t *testing.T, s string) int64 {
	whole, frac, _ := strings.Cut(s, ".")
	frac = (frac + "000000")[:6]
	return atoi(t, whole)*1_000_000 + atoi(t, frac)
}

func atoi(t *testing.T, s string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatalf("not an integer: %q", s)
	}
	return n
}

func getJSON(t *testing.T, u string, v any) int {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(body, v); err != nil {
			t.Fatalf("GET %s: %v in %.200s", u, err, body)
		}
	}
	return resp.StatusCode
}

func waitFor(t *testing.T, limit time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", limit, what)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func freeAddr(t *testing.T) string {
	p, err := chserver.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	return "127.0.0.1:" + strconv.Itoa(p)
}

// syncBuffer is a bytes.Buffer safe for one writer and one reader.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// testLog sends the process's log lines to the test log.
type testLog struct{ t *testing.T }

func (l *testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// dropDevData removes what a dev of the tests or benchmarks created on the
// shared test servers: its databases, topics and consumer groups. Left
// behind, every `make test` added some to a developer's servers.
func dropDevData(chAddr, db string, brokers []string, prefix, groups string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if conn, err := store.Open(ctx, config.ClickHouse{Addr: chAddr, Username: "default"}); err == nil {
		_ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+db+"_bi") // its views read db's tables
		_ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+db)
		conn.Close()
	}
	topics := config.LoadTopics(config.NewEnv(func(k string) string {
		return map[string]string{"ADSTREAM_TOPIC_PREFIX": prefix}[k]
	}))
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...))
	if err != nil {
		return
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	_, _ = adm.DeleteTopics(ctx, topics.All()...)
	k := config.Kafka{GroupPrefix: groups}
	_, _ = adm.DeleteGroups(ctx, k.ProducerGroup(), k.ConsumerGroup())
}
