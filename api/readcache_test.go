package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/adstream/adstream/api"
	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/internal/testenv"
	"github.com/adstream/adstream/schemas"
)

// replica is one API process of several on one ClickHouse, with its own
// read cache, served over HTTP.
type replica struct {
	url      string
	registry *prometheus.Registry
}

// It checks every read's stamp (ReadStaleness 0).
func newReplica(t *testing.T, st *store.Store, cache bool) replica {
	t.Helper()
	deps := api.Deps{}
	if !cache {
		deps.ReadCache.Entries = -1
	}
	return startReplica(t, st, deps)
}

// startReplica serves an API replica over st with deps' settings.
func startReplica(t *testing.T, st *store.Store, deps api.Deps) replica {
	t.Helper()
	reg := prometheus.NewRegistry()
	deps.Store, deps.Videos, deps.Queue, deps.Log, deps.Registry = st, st, &fakeQueue{}, slog.New(slog.DiscardHandler), reg
	app := api.New(deps)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = app.Listener(ln) }()
	t.Cleanup(func() { _ = app.Shutdown() })
	return replica{url: "http://" + ln.Addr().String(), registry: reg}
}

// cacheHits is how many reads of route the replica answered from its cache.
func (rp replica) cacheHits(t *testing.T, route string) float64 {
	t.Helper()
	families, err := rp.registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != "adstream_read_cache_lookups_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["route"] == route && labels["result"] == "hit" {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}

type listReply struct {
	Total      int64  `json:"total_creatives"`
	NextCursor string `json:"nextCursor"`
	Creatives  []struct {
		AdID   string `json:"ad_id"`
		Orders int64  `json:"orders"`
	} `json:"creatives"`
}

type aggReply struct {
	Aggregations struct {
		TotalAds    int64 `json:"total_ads"`
		TotalOrders int64 `json:"total_orders"`
	} `json:"aggregations"`
}

func getReply(t *testing.T, target string, v any) error {
	resp, err := http.Get(target)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %d %s", target, resp.StatusCode, body)
	}
	return json.Unmarshal(body, v)
}

// deleteThrough sends DELETE target and fails the test unless it answers 200.
// checkNoCreatives fails the test unless the list page answers no creatives;
// who names the replica in the message.
func checkNoCreatives(t *testing.T, page, who string) {
	t.Helper()
	var l listReply
	if err := getReply(t, page, &l); err != nil {
		t.Fatal(err)
	}
	if l.Total != 0 || len(l.Creatives) != 0 {
		t.Errorf("%s answered %d creatives of %d, want none", who, len(l.Creatives), l.Total)
	}
}

func deleteThrough(t *testing.T, target string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodDelete, target, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("DELETE %s: status %d", target, resp.StatusCode)
	}
}

// acmeStore is a store on a fresh database with the brand acme registered.
func acmeStore(ctx context.Context, t *testing.T) *store.Store {
	t.Helper()
	conn, cfg := testenv.ClickHouse(t)
	st := store.New(conn, cfg.Database)
	if err := st.PutBrand(ctx, store.Brand{BrandID: "acme", Name: "Acme", AdAccountIDs: []string{"act_1"}}); err != nil {
		t.Fatal(err)
	}
	return st
}

// storeGeneration writes what a completed sync of r leaves, as the consumers
// write it: n ads whose every insight says orders = gen (the sync's
// generation), the job's completion and the range's rebuild.
func storeGeneration(ctx context.Context, t *testing.T, st *store.Store, r store.Range, n int, gen int64) {
	t.Helper()
	at := time.Now().UTC()
	job := fmt.Sprintf("job-%d", gen)
	rows := make([]*schemas.AdInsight, 0, n)
	for i := range n {
		rows = append(rows, &schemas.AdInsight{BrandID: r.BrandID, AdAccountID: "act_1", AdID: fmt.Sprintf("ad%05d", i),
			StartDate: r.StartDate, EndDate: r.EndDate, CreativeType: schemas.CreativeImage, AdEffectiveStatus: "ACTIVE",
			SpendMicros: int64(i+1) * 1_000_000, Orders: gen, Impressions: 1000, Clicks: 10, Reach: 500,
			FetchedAt: at, Version: schemas.VersionAt(at), SyncID: job})
	}
	if err := st.InsertInsights(ctx, rows); err != nil {
		t.Fatal(err)
	}
	if err := st.InsertSyncEvents(ctx, []*schemas.SyncEvent{{JobID: job, BrandID: r.BrandID, StartDate: r.StartDate, EndDate: r.EndDate,
		Kind: schemas.SyncKindRefresh, Type: schemas.SyncCompleted, TotalAds: int64(n), PublishedAds: int64(n),
		PublishedInsights: int64(n), At: at, Seq: at.UnixNano()}}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.RebuildAggregations(ctx, r, job); err != nil {
		t.Fatal(err)
	}
}

// Two API replicas on one ClickHouse, each with its read cache: once a sync
// completes (written as the consumers write it, through neither replica),
// both answer the new figures, pages and totals alike, though each had the
// old ones cached; after a delete through one, the other does not answer
// the deleted page either.
func TestReadCacheNeverServesAnAnswerFromBeforeASync(t *testing.T) {
	ctx := context.Background()
	st := acmeStore(ctx, t)
	r := store.Range{BrandID: "acme", StartDate: "2026-10-01", EndDate: "2026-10-31"}
	const ads = 120
	storeGeneration(ctx, t, st, r, ads, 1)
	a, b := newReplica(t, st, true), newReplica(t, st, true)
	query := "?startDate=" + r.StartDate + "&endDate=" + r.EndDate
	page := "/api/creatives/acme" + query + "&limit=50"
	aggs := "/api/creatives/acme/aggregations" + query

	check := func(when string, rp replica, wantOrders int64) {
		t.Helper()
		var l listReply
		if err := getReply(t, rp.url+page, &l); err != nil {
			t.Fatalf("%s: %v", when, err)
		}
		if l.Total != ads || len(l.Creatives) != 50 {
			t.Errorf("%s: %d creatives of %d, want 50 of %d", when, len(l.Creatives), l.Total, ads)
		}
		for _, c := range l.Creatives {
			if c.Orders != wantOrders {
				t.Errorf("%s: ad %s has orders %d, want %d (the sync of generation %d)", when, c.AdID, c.Orders, wantOrders, wantOrders)
				break
			}
		}
		var g aggReply
		if err := getReply(t, rp.url+aggs, &g); err != nil {
			t.Fatalf("%s: %v", when, err)
		}
		if g.Aggregations.TotalOrders != ads*wantOrders {
			t.Errorf("%s: total orders %d, want %d", when, g.Aggregations.TotalOrders, ads*wantOrders)
		}
	}
	for range 2 { // the second read of each is a cache hit
		check("before the sync, replica a", a, 1)
		check("before the sync, replica b", b, 1)
	}
	for _, rp := range []replica{a, b} {
		if rp.cacheHits(t, "list") == 0 || rp.cacheHits(t, "aggregations") == 0 {
			t.Fatalf("the replica answered no read from its cache: the test proves nothing")
		}
	}

	storeGeneration(ctx, t, st, r, ads, 2)
	check("after the sync, replica a", a, 2)
	check("after the sync, replica b", b, 2)

	deleteThrough(t, b.url+"/api/creatives/acme"+query)
	checkNoCreatives(t, a.url+page, "after a delete through replica b, replica a")
}

// A replica with a staleness bound answers a range's cached reads without
// asking ClickHouse within it: a sync the consumers complete meanwhile shows
// once the bound has passed, and at once after the replica hands out the
// job's status or a progress event, or writes itself (a delete through it),
// so a client that saw its sync complete, or deleted a range, never reads
// the older answer next.
func TestReadStalenessBound(t *testing.T) {
	ctx := context.Background()
	st := acmeStore(ctx, t)
	r := store.Range{BrandID: "acme", StartDate: "2026-10-01", EndDate: "2026-10-31"}
	const ads = 60
	storeGeneration(ctx, t, st, r, ads, 1)
	const short = 300 * time.Millisecond
	long, brief := startReplica(t, st, api.Deps{ReadStaleness: time.Hour}), startReplica(t, st, api.Deps{ReadStaleness: short})
	query := "?startDate=" + r.StartDate + "&endDate=" + r.EndDate
	orders := func(when string, rp replica) int64 {
		t.Helper()
		var g aggReply
		if err := getReply(t, rp.url+"/api/creatives/acme/aggregations"+query, &g); err != nil {
			t.Fatalf("%s: %v", when, err)
		}
		return g.Aggregations.TotalOrders / ads
	}
	page := long.url + "/api/creatives/acme" + query + "&limit=50"
	for range 2 {
		orders("before the sync", long)
		orders("before the sync", brief)
		var l listReply
		if err := getReply(t, page, &l); err != nil {
			t.Fatal(err)
		}
	}

	storeGeneration(ctx, t, st, r, ads, 2)
	if got := orders("within the hour's bound", long); got != 1 {
		t.Fatalf("within its bound the replica answered generation %d without its cache, want the cached 1: the test proves nothing", got)
	}
	time.Sleep(short)
	if got := orders("once its bound passed", brief); got != 2 {
		t.Errorf("once its %v bound passed, the replica answered generation %d, want 2", short, got)
	}
	resp, err := http.Get(long.url + "/api/creatives/sync/status/acme" + query)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := orders("after a status read", long); got != 2 {
		t.Errorf("after handing out the job's status, the replica answered generation %d, want 2", got)
	}

	storeGeneration(ctx, t, st, r, ads, 3)
	if got := orders("within the bound again", long); got != 2 {
		t.Fatalf("within its bound the replica answered generation %d, want the cached 2", got)
	}
	resp, err = http.Get(long.url + "/api/creatives/sync/events/acme" + query) // the job is complete: one event, then the end
	if err != nil {
		t.Fatal(err)
	}
	events, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(events), "event: progress") {
		t.Fatalf("the progress stream sent %q, want an event", events)
	}
	if got := orders("after a progress event", long); got != 3 {
		t.Errorf("after sending the job's progress event, the replica answered generation %d, want 3", got)
	}

	deleteThrough(t, long.url+"/api/creatives/acme"+query)
	checkNoCreatives(t, page, "after a delete through it, the replica")
}

// A range answered from stored days, cached by replica a, is not answered
// from the cache once a delete through replica b of a range overlapping its
// days removed them, though no event of the derived range's own says so.
func TestReadCacheForgetsARangeWhoseDaysWereDeleted(t *testing.T) {
	ctx := context.Background()
	st := acmeStore(ctx, t)
	at := time.Now().UTC()
	days := []string{"2026-10-01", "2026-10-02", "2026-10-03"}
	const ads = 30
	var rows []*schemas.AdInsight
	for _, d := range days {
		for i := range ads {
			rows = append(rows, &schemas.AdInsight{BrandID: "acme", AdAccountID: "act_1", AdID: fmt.Sprintf("ad%05d", i),
				StartDate: d, EndDate: d, Daily: true, CreativeType: schemas.CreativeImage, AdEffectiveStatus: "ACTIVE",
				SpendMicros: int64(i+1) * 1_000_000, Orders: 1, Impressions: 1000, Clicks: 10, Reach: 500,
				FetchedAt: at, Version: schemas.VersionAt(at), SyncID: "job-days"})
		}
	}
	if err := st.InsertInsights(ctx, rows); err != nil {
		t.Fatal(err)
	}
	if err := st.RecordDaysSynced(ctx, "acme", days, "job-days", at); err != nil {
		t.Fatal(err)
	}
	a, b := newReplica(t, st, true), newReplica(t, st, true)
	page := "/api/creatives/acme?startDate=2026-10-01&endDate=2026-10-03&limit=10"
	for range 3 { // derived on the first read, cached on the second, a hit on the third
		var l listReply
		if err := getReply(t, a.url+page, &l); err != nil {
			t.Fatal(err)
		}
		if l.Total != ads || len(l.Creatives) != 10 || l.Creatives[0].Orders != 3 {
			t.Fatalf("from its days: %d creatives of %d, want 10 of %d with 3 orders each", len(l.Creatives), l.Total, ads)
		}
	}
	if a.cacheHits(t, "list") == 0 {
		t.Fatalf("replica a answered no read from its cache: the test proves nothing")
	}
	deleteThrough(t, b.url+"/api/creatives/acme?startDate=2026-10-02&endDate=2026-10-02")
	var l listReply
	if err := getReply(t, a.url+page, &l); err != nil {
		t.Fatal(err)
	}
	if l.Total != 0 || len(l.Creatives) != 0 {
		t.Errorf("after its day 2026-10-02 was deleted through replica b, replica a answered %d creatives of %d, want none",
			len(l.Creatives), l.Total)
	}
}

// While refreshes of a range are written one after another, readers of its
// pages (by page number and by cursor, cached and uncached) and of its
// totals see one sync's figures in every answer: every creative of a page
// and the totals carry the same generation, never a mix of two.
func TestReadersDuringRefreshesSeeOneSnapshot(t *testing.T) {
	ctx := context.Background()
	st := acmeStore(ctx, t)
	r := store.Range{BrandID: "acme", StartDate: "2026-09-01", EndDate: "2026-09-30"}
	const ads, refreshes = 3000, 6
	storeGeneration(ctx, t, st, r, ads, 1)
	const bound = 100 * time.Millisecond // the third replica's staleness
	replicas := []replica{newReplica(t, st, true), newReplica(t, st, false), startReplica(t, st, api.Deps{ReadStaleness: bound})}
	staleness := []time.Duration{0, 0, bound}
	query := "?startDate=" + r.StartDate + "&endDate=" + r.EndDate

	var written atomic.Int64
	written.Store(1)
	var writtenMu sync.Mutex
	writtenAt := map[int64]time.Time{1: time.Now()}
	// writtenBy is the newest generation whose write ended before t.
	writtenBy := func(t time.Time) int64 {
		writtenMu.Lock()
		defer writtenMu.Unlock()
		newest := int64(1)
		for g, at := range writtenAt {
			if at.Before(t) && g > newest {
				newest = g
			}
		}
		return newest
	}
	stop := make(chan struct{})
	var reads atomic.Int64
	var mu sync.Mutex
	var problems []string
	report := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		if len(problems) < 10 {
			problems = append(problems, fmt.Sprintf(format, args...))
		}
	}
	var wg sync.WaitGroup
	for i, rp := range replicas {
		for _, target := range []string{
			"/api/creatives/acme" + query + "&limit=100",
			"/api/creatives/acme" + query + "&limit=100&page=7&sortBy=ad_id&sortOrder=asc",
			"/api/creatives/acme/aggregations" + query,
			"cursor",
		} {
			wg.Go(func() {
				for n := 0; ; n++ {
					select {
					case <-stop:
						return
					default:
					}
					before := written.Load()
					if staleness[i] > 0 { // it may answer what was written up to the bound before
						before = writtenBy(time.Now().Add(-staleness[i]))
					}
					gens, err := readGenerations(t, rp.url, query, target, ads)
					reads.Add(1)
					if err != nil {
						report("replica %d %s: %v", i, target, err)
						continue
					}
					after := written.Load()
					if len(gens) != 1 {
						report("replica %d %s: one answer mixes generations %v", i, target, gens)
					}
					// The sync written before the read began (for the replica with a
					// staleness bound, that long before) is the oldest it may
					// answer; the one being written as it ended, the newest.
					for g := range gens {
						if g < before || g > after+1 {
							report("replica %d %s: generation %d answered by a read begun after %d was written and ended before %d was",
								i, target, g, before, after+1)
						}
					}
				}
			})
		}
	}
	for gen := int64(2); gen <= refreshes; gen++ {
		storeGeneration(ctx, t, st, r, ads, gen)
		writtenMu.Lock()
		writtenAt[gen] = time.Now()
		writtenMu.Unlock()
		written.Store(gen)
		time.Sleep(100 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	for _, p := range problems {
		t.Error(p)
	}
	if reads.Load() < 20 {
		t.Errorf("only %d reads during %d refreshes", reads.Load(), refreshes-1)
	}
	// Once the last refresh is written, every replica answers it (the third
	// once its bound has passed).
	time.Sleep(bound)
	for _, rp := range replicas {
		gens, err := readGenerations(t, rp.url, query, "/api/creatives/acme/aggregations"+query, ads)
		if err != nil || len(gens) != 1 || !gens[refreshes] {
			t.Errorf("after the last refresh: generations %v (%v), want only %d", gens, err, refreshes)
		}
	}
}

// readGenerations reads target (or, for "cursor", the range's first three
// pages by cursor) and returns the generations its figures carry.
func readGenerations(t *testing.T, base, query, target string, ads int64) (map[int64]bool, error) {
	gens := map[int64]bool{}
	switch {
	case strings.Contains(target, "/aggregations"):
		var g aggReply
		if err := getReply(t, base+target, &g); err != nil {
			return nil, err
		}
		if g.Aggregations.TotalAds != ads || g.Aggregations.TotalOrders%ads != 0 {
			return nil, fmt.Errorf("totals of %d ads with %d orders: not one generation's", g.Aggregations.TotalAds, g.Aggregations.TotalOrders)
		}
		gens[g.Aggregations.TotalOrders/ads] = true
	case target == "cursor":
		// Each page by cursor is an answer of its own (a refresh may land
		// between two): each carries one generation.
		next := base + "/api/creatives/acme" + query + "&limit=200"
		for range 3 {
			var l listReply
			if err := getReply(t, next, &l); err != nil {
				return nil, err
			}
			clear(gens)
			for _, c := range l.Creatives {
				gens[c.Orders] = true
			}
			if len(gens) != 1 || l.NextCursor == "" {
				return gens, nil
			}
			next = base + "/api/creatives/acme" + query + "&limit=200&cursor=" + l.NextCursor
		}
	default:
		var l listReply
		if err := getReply(t, base+target, &l); err != nil {
			return nil, err
		}
		if l.Total != ads || len(l.Creatives) != 100 {
			return nil, fmt.Errorf("%d creatives of %d, want 100 of %d", len(l.Creatives), l.Total, ads)
		}
		for _, c := range l.Creatives {
			gens[c.Orders] = true
		}
	}
	return gens, nil
}

// aheadStamps is a store whose read stamps run ahead of its rebuilds, as on
// a replica of a replicated ClickHouse that received the stamp rows of a
// rebuild before the rebuild's own rows: the stamp names a rebuild the
// replica's reads do not see yet, and stays the same when that rebuild
// arrives (no write comes with it).
type aheadStamps struct {
	*store.Store
	stamp store.ReadStamp
}

func (a *aheadStamps) ReadStamp(context.Context, store.Range) (store.ReadStamp, error) {
	return a.stamp, nil
}

// An answer read while the stamp names a rebuild the reads do not see yet is
// served but not kept under that stamp: once the rebuild arrives, the same
// stamp gets its figures, not the older ones.
func TestReadCacheKeepsNoAnswerOfAnotherRebuildThanItsStamp(t *testing.T) {
	ctx := context.Background()
	st := acmeStore(ctx, t)
	r := store.Range{BrandID: "acme", StartDate: "2026-10-01", EndDate: "2026-10-31"}
	const ads = 60
	storeGeneration(ctx, t, st, r, ads, 1)
	now, err := st.ReadStamp(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	ahead := &aheadStamps{Store: st, stamp: store.ReadStamp{Writes: now.Writes + 100, Rebuild: now.Rebuild + 1}}
	reg := prometheus.NewRegistry()
	app := api.New(api.Deps{Store: ahead, Videos: st, Queue: &fakeQueue{}, Log: slog.New(slog.DiscardHandler), Registry: reg})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = app.Listener(ln) }()
	t.Cleanup(func() { _ = app.Shutdown() })
	rp := replica{url: "http://" + ln.Addr().String(), registry: reg}
	query := "?startDate=" + r.StartDate + "&endDate=" + r.EndDate
	page := "/api/creatives/acme" + query + "&limit=50"
	aggs := "/api/creatives/acme/aggregations" + query

	check := func(when string, wantOrders int64) {
		t.Helper()
		var l listReply
		if err := getReply(t, rp.url+page, &l); err != nil {
			t.Fatalf("%s: %v", when, err)
		}
		if len(l.Creatives) == 0 {
			t.Fatalf("%s: page 1 is empty", when)
		}
		if got := l.Creatives[0].Orders; got != wantOrders {
			t.Errorf("%s: page 1 has the figures of generation %d, want %d", when, got, wantOrders)
		}
		var g aggReply
		if err := getReply(t, rp.url+aggs, &g); err != nil {
			t.Fatalf("%s: %v", when, err)
		}
		if g.Aggregations.TotalOrders != ads*wantOrders {
			t.Errorf("%s: total orders %d, want %d", when, g.Aggregations.TotalOrders, ads*wantOrders)
		}
	}
	for range 2 {
		check("before the stamp's rebuild arrived", 1)
	}
	storeGeneration(ctx, t, st, r, ads, 2) // the rebuild arrives; the stamp stays
	check("after the stamp's rebuild arrived", 2)
	if hits := rp.cacheHits(t, "list") + rp.cacheHits(t, "aggregations"); hits != 0 {
		t.Errorf("%v reads were answered from the cache, though no answer was read from the stamp's rebuild", hits)
	}
}
