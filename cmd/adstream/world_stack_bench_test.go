package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/internal/chserver"
	"github.com/adstream/adstream/internal/config"
	"github.com/adstream/adstream/internal/graphsim"
	"github.com/adstream/adstream/internal/testenv"
)

// benchWorld is a graphsim world of one brand ("demo", two ad accounts) and
// `adstream dev` syncing it into the test ClickHouse through the test Kafka,
// each a process of its own as a user runs them. The benchmark reaches both
// only over HTTP (the API, graphsim's /_sim/ control endpoints) and reads
// dev's memory from /proc, so it measures whatever the roles do inside.
type benchWorld struct {
	ads      int    // ads in the world (both accounts)
	sim, api string // base URLs
	brand    simBrand
	dev, gs  *proc
	http     *http.Client
	chAddr   string // the ClickHouse dev writes to, and its database
	db       string
}

// startBenchWorld starts graphsim with ads split over two accounts, every
// Graph call delayed by latencyMs, then dev on a database, topics and groups
// of its own (removed when the benchmark ends), and registers the brand.
func startBenchWorld(b *testing.B, ads, latencyMs int) *benchWorld {
	b.Helper()
	chAddr, brokers := testenv.ClickHouseAddr(b), testenv.Kafka(b)
	db, prefix, groups := testenv.UniqueName(b, "db"), testenv.UniqueName(b, "t"), testenv.UniqueName(b, "g")
	w := &benchWorld{ads: ads, sim: "http://" + benchFreeAddr(b), api: "http://" + benchFreeAddr(b),
		http:   &http.Client{Timeout: 2 * time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: 64}},
		chAddr: chAddr, db: db}
	b.Cleanup(func() { dropDevData(chAddr, db, brokers, prefix, groups) })

	faults, _ := json.Marshal(map[string]int{"latency_ms": latencyMs})
	w.gs = startProc(b, "graphsim", nil, "graphsim", "--addr", strings.TrimPrefix(w.sim, "http://"),
		"--accounts", "2", "--ads", strconv.Itoa(ads/2), "--faults", string(faults),
		// graphsim's clock at the real time: the media URLs it signs are then
		// valid by the API's clock, as the Graph API's are, and pages do not
		// all refresh them (graphsim's default clock start is a fixed date).
		"--now", time.Now().UTC().Format(time.RFC3339),
		// Measure the pipeline, not graphsim's rate limiter: no bucket fills up.
		"--call-budget", "1e9")
	var brand simBrand
	benchWait(b, time.Minute, "graphsim to answer", func() bool {
		var brands []simBrand
		if w.getJSON(w.sim+"/_sim/brands", &brands) != nil || len(brands) == 0 {
			return false
		}
		brand = brands[0]
		return true
	})

	env := map[string]string{
		"ADSTREAM_CLICKHOUSE_ADDR":     chAddr,
		"ADSTREAM_CLICKHOUSE_DATABASE": db,
		"ADSTREAM_KAFKA_BROKERS":       strings.Join(brokers, ","),
		"ADSTREAM_TOPIC_PREFIX":        prefix,
		"ADSTREAM_KAFKA_GROUP_PREFIX":  groups,
		"ADSTREAM_GRAPH_URL":           w.sim,
		"ADSTREAM_HTTP_ADDR":           strings.TrimPrefix(w.api, "http://"),
		"ADSTREAM_DATA_DIR":            b.TempDir(),
		"ADSTREAM_LOG_LEVEL":           "warn",
		// The benchmark's own clients must not be limited, and only the
		// syncs it asks for may run.
		"ADSTREAM_RATE_LIMIT":       "0",
		"ADSTREAM_SYNC_RATE_LIMIT":  "0",
		"ADSTREAM_PRESYNC_RANGES":   "off",
		"ADSTREAM_REFRESH_INTERVAL": "720h",
	}
	if addr := os.Getenv("ADSTREAM_PPROF_ADDR"); addr != "" {
		env["ADSTREAM_PPROF_ADDR"] = addr // profile dev while the benchmark runs
	}
	if limit := os.Getenv("GOMEMLIMIT"); limit != "" {
		env["GOMEMLIMIT"] = limit // dev's memory limit other than its default
	}
	w.dev = startProc(b, "dev", env, "dev")
	benchWait(b, 2*time.Minute, "dev's API to be ready", func() bool {
		resp, err := w.http.Get(w.api + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	w.brand = brand
	body, _ := json.Marshal(map[string]any{"brandId": "demo", "name": "Demo", "accessToken": brand.AccessToken,
		"adAccountIds": brand.AdAccountIDs})
	if err := w.post(w.api+"/api/brands", body, nil); err != nil {
		b.Fatalf("register the demo brand: %v", err)
	}
	return w
}

// stop ends dev and graphsim (their cleanups would, later), so that the
// next world measures on an idle machine.
func (w *benchWorld) stop() {
	w.dev.kill()
	w.gs.kill()
}

// waitMerges waits, up to limit, until ClickHouse runs no background merge
// of the world's tables for a second, and returns how long that took. A
// sync's millions of rows leave parts that ClickHouse merges for a while
// after it; reads measured meanwhile share the 2 cores with those merges.
func (w *benchWorld) waitMerges(b *testing.B, limit time.Duration) time.Duration {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit+time.Minute)
	defer cancel()
	conn, err := store.Open(ctx, config.ClickHouse{Addr: w.chAddr, Username: "default"})
	if err != nil {
		b.Fatalf("clickhouse: %v", err)
	}
	defer conn.Close()
	began, quietSince := time.Now(), time.Time{}
	for time.Since(began) < limit {
		var merges uint64
		if err := conn.QueryRow(ctx, "SELECT count() FROM system.merges WHERE database = ?", w.db).Scan(&merges); err != nil {
			b.Fatalf("merges of %s: %v", w.db, err)
		}
		switch {
		case merges > 0:
			quietSince = time.Time{}
		case quietSince.IsZero():
			quietSince = time.Now()
		case time.Since(quietSince) >= time.Second:
			return quietSince.Sub(began)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return time.Since(began)
}

// benchRange is an inclusive date range of the demo brand.
type benchRange struct{ start, end string }

func (r benchRange) query() string { return "startDate=" + r.start + "&endDate=" + r.end }

// syncResult is what one sync cost: wall time from the POST until the list
// answers "complete", and the Graph calls graphsim served meanwhile.
type syncResult struct {
	wall     time.Duration
	calls    int64
	byPath   map[string]int64 // calls by Graph endpoint, as graphsim names them
	creative int64            // creatives with data in the range, as the list counts them
	finished bool             // false: still running when the time limit passed
}

// sync asks the API for a full sync of r and waits up to limit for it.
func (w *benchWorld) sync(b *testing.B, r benchRange, limit time.Duration) syncResult {
	b.Helper()
	before := w.simStats(b)
	began := time.Now()
	body := fmt.Appendf(nil, `{"startDate":%q,"endDate":%q}`, r.start, r.end)
	if err := w.post(w.api+"/api/creatives/sync/demo", body, nil); err != nil {
		b.Fatalf("POST sync %s..%s: %v", r.start, r.end, err)
	}
	var res syncResult
	for time.Since(began) < limit {
		var st struct {
			Status string `json:"status"`
			Error  struct {
				Code, Message string
			} `json:"error"`
		}
		if err := w.getJSON(w.api+"/api/creatives/sync/status/demo?"+r.query(), &st); err == nil {
			if st.Status == store.StatusFailed {
				b.Fatalf("sync %s..%s failed: %s: %s", r.start, r.end, st.Error.Code, st.Error.Message)
			}
			if st.Status == store.StatusCompleted {
				var page struct {
					Complete bool  `json:"complete"`
					Total    int64 `json:"total_creatives"`
				}
				if err := w.getJSON(w.api+"/api/creatives/demo?"+r.query()+"&limit=1", &page); err == nil && page.Complete {
					res.finished, res.creative = true, page.Total
					break
				}
			}
		}
		time.Sleep(250 * time.Millisecond)
	}
	after := w.simStats(b)
	res.wall, res.calls, res.byPath = time.Since(began), after.Calls-before.Calls, map[string]int64{}
	for path, n := range after.ByEndpoint {
		if d := n - before.ByEndpoint[path]; d > 0 {
			res.byPath[path] = d
		}
	}
	return res
}

// leastCalls is the fewest Graph calls a first sync of r can make: it
// fetches every day of r.
func (w *benchWorld) leastCalls(b *testing.B, r benchRange) int64 {
	b.Helper()
	var days []string
	end, _ := time.Parse(time.DateOnly, r.end)
	for d, _ := time.Parse(time.DateOnly, r.start); !d.After(end); d = d.AddDate(0, 0, 1) {
		days = append(days, d.Format(time.DateOnly))
	}
	return testenv.LeastSyncCalls(b, w.sim, testenv.SyncDone{Brand: graphsim.Brand(w.brand), Since: r.start, Until: r.end, Days: days, Reread: -1})
}

// endpoints lists the calls by endpoint, most first: "act/insights 2,962, ids 1,945".
func (r syncResult) endpoints() string {
	paths := slices.Collect(maps.Keys(r.byPath))
	slices.SortFunc(paths, func(a, b string) int { return cmp.Or(cmp.Compare(r.byPath[b], r.byPath[a]), cmp.Compare(a, b)) })
	parts := make([]string, len(paths))
	for i, p := range paths {
		parts[i] = p + " " + thousands(r.byPath[p])
	}
	return strings.Join(parts, ", ")
}

// benchSimStats are graphsim's counters (GET /_sim/stats).
type benchSimStats struct {
	Calls      int64            `json:"calls"`
	ByEndpoint map[string]int64 `json:"by_endpoint"`
}

func (w *benchWorld) simStats(b *testing.B) benchSimStats {
	b.Helper()
	var s benchSimStats
	if err := w.getJSON(w.sim+"/_sim/stats", &s); err != nil {
		b.Fatalf("graphsim stats: %v", err)
	}
	return s
}

// setLatency makes graphsim answer every Graph call after ms milliseconds.
func (w *benchWorld) setLatency(b *testing.B, ms int) {
	b.Helper()
	req, _ := http.NewRequest(http.MethodPut, w.sim+"/_sim/faults", strings.NewReader(fmt.Sprintf(`{"latency_ms":%d}`, ms)))
	if err := w.do(req, nil); err != nil {
		b.Fatalf("graphsim faults: %v", err)
	}
}

// rss is dev's resident memory now and its peak so far, from /proc.
func (w *benchWorld) rss(b *testing.B) (now, peak int64) {
	b.Helper()
	w.dev.mu.Lock()
	pid := w.dev.cmd.Process.Pid
	w.dev.mu.Unlock()
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Logf("dev's memory: %v", err)
		return 0, 0
	}
	for line := range strings.SplitSeq(string(raw), "\n") {
		name, value, _ := strings.Cut(line, ":")
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		switch {
		case err != nil:
		case name == "VmRSS":
			now = kb << 10
		case name == "VmHWM":
			peak = kb << 10
		}
	}
	return now, peak
}

// rssSettle is how long after a sync the RSS the table compares is read.
// The moment a sync's list answers complete, dev's RSS still holds the
// collector's headroom of the sync's last batches, which the runtime hands
// back to the system over time: read then, five runs of 2026-12-02 gave
// 10k → 100k ads 146 → 164, 148 → 161, 124 → 135, 140 → 128 and 111 → 228
// MB. The table compares what dev holds ten seconds later, and shows the
// moment's figure beside it; in the run that followed, ten seconds took
// it from 135 → 229 MB to 135 → 212 only.
const rssSettle = 10 * time.Second

// settledRSS returns dev's VmRSS now and its peak (VmHWM), then its VmRSS
// rssSettle later, the benchmark making no request meanwhile.
func (w *benchWorld) settledRSS(b *testing.B) (now, peak, settled int64) {
	now, peak = w.rss(b)
	time.Sleep(rssSettle)
	settled, _ = w.rss(b)
	return now, peak, settled
}

func (w *benchWorld) getJSON(u string, v any) error {
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	return w.do(req, v)
}

func (w *benchWorld) post(u string, body []byte, v any) error {
	req, _ := http.NewRequest(http.MethodPost, u, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	return w.do(req, v)
}

// do sends req and decodes a 2xx answer into v (nil: discard it).
func (w *benchWorld) do(req *http.Request, v any) error {
	resp, err := w.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: HTTP %d: %.300s", req.Method, req.URL.Path, resp.StatusCode, body)
	}
	if v == nil {
		return nil
	}
	return json.Unmarshal(body, v)
}

func benchWait(b *testing.B, limit time.Duration, what string, ok func() bool) {
	b.Helper()
	deadline := time.Now().Add(limit)
	for !ok() {
		if time.Now().After(deadline) {
			b.Fatalf("timed out after %s waiting for %s", limit, what)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func benchFreeAddr(b *testing.B) string {
	p, err := chserver.FreePort()
	if err != nil {
		b.Fatal(err)
	}
	return "127.0.0.1:" + strconv.Itoa(p)
}
