package api_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/adstream/adstream/api"
	"github.com/adstream/adstream/clickhouse/store"
)

var errNotFaked = errors.New("not faked in this test")

// The plain fakeStore answers the aggregation and delete methods with an
// error; aggFakeStore overrides them.
func (f *fakeStore) Aggregations(context.Context, store.AggregationQuery) (store.Aggregation, error) {
	return store.Aggregation{}, errNotFaked
}

func (f *fakeStore) RebuildAggregations(context.Context, store.Range, string) (uint64, error) {
	return 0, errNotFaked
}

func (f *fakeStore) AggregateNow(context.Context, store.AggregationQuery) (store.Aggregation, error) {
	return store.Aggregation{}, errNotFaked
}

func (f *fakeStore) DeleteRange(context.Context, store.Range) (int64, error) { return 0, errNotFaked }

// EnsureRange says no day is stored: the fake ranges are synced as ranges.
func (f *fakeStore) EnsureRange(context.Context, store.Range) (bool, time.Time, error) {
	return false, time.Time{}, nil
}

func (f *fakeStore) PurgeBrand(context.Context, string) error { return nil }

func (f *fakeStore) Series(context.Context, store.SeriesQuery) ([]store.SeriesPoint, error) {
	return nil, errNotFaked
}

// aggFakeStore keeps one aggregation per creative type, absent until
// RebuildAggregations (or built), and records the queries and deletes.
type aggFakeStore struct {
	*fakeStore
	amu       sync.Mutex
	built     bool
	byType    map[string]store.Aggregation
	version   uint64
	rebuilds  []store.Range
	queries   []store.AggregationQuery
	deletes   []store.Range
	deleted   int64
	deleteErr error
	computed  int // AggregateNow calls
}

// newAggFake is a store whose range was synced by job-9 (so its figures are
// complete), with its aggregations built or not yet.
func newAggFake(built bool) *aggFakeStore {
	fs := newFakeStore("acme")
	synced := time.Date(2025, 11, 24, 16, 0, 0, 0, time.UTC)
	fs.job = &store.SyncJob{JobID: "job-9", Kind: "FULL", Status: store.StatusCompleted, CreatedAt: synced,
		UpdatedAt: synced, CompletedAt: synced, RangeSyncedAt: synced}
	return &aggFakeStore{fakeStore: fs, built: built, version: 1_764_000_000_123_456_789,
		byType: map[string]store.Aggregation{
			"video": {TotalAds: 2, SpendMicros: 3_500_000, RevenueMicros: 7_000_000, Orders: 4, Impressions: 1000, Clicks: 20, Reach: 500,
				VideoViews: 100, VideoP25: 50, VideoP50: 25, VideoP100: 10, SumCTR: 4, NCTR: 2, SumCPC: 0.4, NCPC: 2, SumCPP: 14, NCPP: 2, SumROAS: 4, NROAS: 2},
			"image": {TotalAds: 1, SpendMicros: 1_000_001, Impressions: 10, Reach: 10, SumCTR: 0, NCTR: 1, SumCPP: 100.0001, NCPP: 1},
		}}
}

func (f *aggFakeStore) Aggregations(_ context.Context, q store.AggregationQuery) (store.Aggregation, error) {
	f.amu.Lock()
	defer f.amu.Unlock()
	q.Range = cloneRange(q.Range)
	q.CreativeType, q.AdStatus = strings.Clone(q.CreativeType), strings.Clone(q.AdStatus)
	f.queries = append(f.queries, q)
	if !f.built {
		return store.Aggregation{}, store.ErrNotFound
	}
	out := f.sumOf(q)
	out.RebuildVersion, out.JobID = f.version, "job-9"
	return out, nil
}

// AggregateNow sums what is stored, built or not, and stores nothing.
func (f *aggFakeStore) AggregateNow(_ context.Context, q store.AggregationQuery) (store.Aggregation, error) {
	f.amu.Lock()
	defer f.amu.Unlock()
	f.computed++
	return f.sumOf(q), nil
}

func (f *aggFakeStore) sumOf(q store.AggregationQuery) store.Aggregation {
	var out store.Aggregation
	for typ, a := range f.byType {
		if q.CreativeType == "all" || q.CreativeType == typ {
			v, j := out.RebuildVersion, out.JobID
			out = sum(out, a)
			out.RebuildVersion, out.JobID = v, j
		}
	}
	return out
}

func sum(a, b store.Aggregation) store.Aggregation {
	a.TotalAds += b.TotalAds
	a.SpendMicros += b.SpendMicros
	a.RevenueMicros += b.RevenueMicros
	a.Orders += b.Orders
	a.Impressions += b.Impressions
	a.Clicks += b.Clicks
	a.Reach += b.Reach
	a.VideoViews += b.VideoViews
	a.VideoP25 += b.VideoP25
	a.VideoP50 += b.VideoP50
	a.VideoP100 += b.VideoP100
	a.SumCTR, a.NCTR = a.SumCTR+b.SumCTR, a.NCTR+b.NCTR
	a.SumCPC, a.NCPC = a.SumCPC+b.SumCPC, a.NCPC+b.NCPC
	a.SumCPP, a.NCPP = a.SumCPP+b.SumCPP, a.NCPP+b.NCPP
	a.SumROAS, a.NROAS = a.SumROAS+b.SumROAS, a.NROAS+b.NROAS
	return a
}

func (f *aggFakeStore) RebuildAggregations(_ context.Context, r store.Range, _ string) (uint64, error) {
	f.amu.Lock()
	defer f.amu.Unlock()
	f.rebuilds = append(f.rebuilds, cloneRange(r))
	f.built = true
	return f.version, nil
}

func (f *aggFakeStore) DeleteRange(_ context.Context, r store.Range) (int64, error) {
	f.amu.Lock()
	defer f.amu.Unlock()
	f.deletes = append(f.deletes, cloneRange(r))
	return f.deleted, f.deleteErr
}

func newAggAPI(t *testing.T, st *aggFakeStore) *testAPI {
	t.Helper()
	logs := &bytes.Buffer{}
	q := &fakeQueue{}
	app := api.New(api.Deps{Store: st, Queue: q, Log: slog.New(slog.NewTextHandler(logs, nil)), Registry: prometheus.NewRegistry(), Now: testNow})
	return &testAPI{app: app, store: st.fakeStore, queue: q, logs: logs}
}

func TestAggregationsResponse(t *testing.T) {
	tests := []struct {
		give        string // query after the range
		wantType    string
		wantAds     float64
		wantSpend   float64
		wantMicros  float64
		wantCTR     float64 // weighted
		wantAvgCPP  float64
		wantCPP     float64 // weighted: spend / reach · 1000
		wantROAS    float64
		wantAvgROAS float64
	}{
		{"", "all", 3, 4.500001, 4_500_001, 1.980198, 38.0000333, 8.823531, 1.555555, 2},
		{"&creative_type=all", "all", 3, 4.500001, 4_500_001, 1.980198, 38.0000333, 8.823531, 1.555555, 2},
		{"&creative_type=video", "video", 2, 3.5, 3_500_000, 2, 7, 7, 2, 2},
		{"&creative_type=image", "image", 1, 1.000001, 1_000_001, 0, 100.0001, 100.0001, 0, 0},
		{"&creative_type=carousel", "carousel", 0, 0, 0, 0, 0, 0, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.wantType+tt.give, func(t *testing.T) {
			st := newAggFake(true)
			a := newAggAPI(t, st)
			got := a.doJSON(t, http.MethodGet, "/api/creatives/acme/aggregations?"+goodRange+tt.give, "", http.StatusOK)
			if got["success"] != true || got["brandId"] != "acme" || got["startDate"] != "2024-01-01" || got["endDate"] != "2024-01-31" ||
				got["creative_type"] != tt.wantType || got["jobId"] != "job-9" || got["source"] != "stored" {
				t.Fatalf("envelope = %v", got)
			}
			if got["lastCalculatedAt"] != "2025-11-24T16:00:00.123456789Z" || got["dataVersion"] != float64(1_764_000_000_123) {
				t.Errorf("lastCalculatedAt %v, dataVersion %v", got["lastCalculatedAt"], got["dataVersion"])
			}
			agg, _ := got["aggregations"].(map[string]any)
			checks := []struct {
				key  string
				want float64
			}{
				{"total_ads", tt.wantAds}, {"total_spend", tt.wantSpend}, {"total_spend_micros", tt.wantMicros},
				{"weighted_avg_ctr", tt.wantCTR}, {"avg_cpp", round6(tt.wantAvgCPP)}, {"weighted_avg_cpp", tt.wantCPP},
				{"weighted_avg_roas", tt.wantROAS}, {"avg_roas", tt.wantAvgROAS},
			}
			for _, c := range checks {
				if agg[c.key] != c.want {
					t.Errorf("%s = %v, want %v", c.key, agg[c.key], c.want)
				}
			}
			for _, key := range []string{"total_revenue", "total_revenue_micros", "total_orders", "total_impressions", "total_clicks",
				"total_video_views", "total_video_p25_watched", "total_video_p50_watched", "total_video_p100_watched",
				"weighted_avg_cpc", "avg_ctr", "avg_cpc"} {
				if _, ok := agg[key].(float64); !ok {
					t.Errorf("aggregations.%s missing or not a number: %v", key, agg[key])
				}
			}
			if len(st.rebuilds) != 0 {
				t.Errorf("a stored aggregation was rebuilt: %v", st.rebuilds)
			}
		})
	}
}

func round6(v float64) float64 { return float64(int64(v*1e6+0.5)) / 1e6 }

// A synced range whose rebuild the consumers still owe (its last records may
// not be stored yet) is computed for the read, never stored by it.
func TestAggregationsCalculatedUntilTheConsumersRebuild(t *testing.T) {
	st := newAggFake(false)
	a := newAggAPI(t, st)
	got := a.doJSON(t, http.MethodGet, "/api/creatives/acme/aggregations?"+goodRange+"&creative_type=video&ad_status=PAUSED", "", http.StatusOK)
	if got["source"] != "calculated" || got["ad_status"] != "PAUSED" || got["complete"] != true {
		t.Fatalf("response = %v", got)
	}
	if len(st.rebuilds) != 0 || st.computed != 1 {
		t.Fatalf("%d rebuilds stored, %d computed; want 0 and 1", len(st.rebuilds), st.computed)
	}
	if agg, _ := got["aggregations"].(map[string]any); agg["total_ads"] != float64(2) {
		t.Errorf("total_ads = %v, want the 2 stored video ads", agg["total_ads"])
	}
	st.built = true // the consumers rebuilt it
	again := a.doJSON(t, http.MethodGet, "/api/creatives/acme/aggregations?"+goodRange, "", http.StatusOK)
	if again["source"] != "stored" {
		t.Fatalf("after the rebuild: source %v, want stored", again["source"])
	}
}

// A range never synced gets its sync queued and the figures of what is
// stored so far, marked incomplete and never stored as its aggregations.
func TestAggregationsOfANeverSyncedRange(t *testing.T) {
	st := newAggFake(false)
	st.job = nil
	a := newAggAPI(t, st)
	got := a.doJSON(t, http.MethodGet, "/api/creatives/acme/aggregations?"+goodRange+"&creative_type=video", "", http.StatusOK)
	if got["complete"] != false || got["source"] != "partial" || got["backgroundSyncTriggered"] != true {
		t.Fatalf("response = %v; want complete:false, source partial, a sync triggered", got)
	}
	sync, _ := got["sync"].(map[string]any)
	if sync["status"] != store.StatusPending || sync["jobId"] == nil || sync["jobId"] != got["jobId"] {
		t.Errorf("sync = %v, want the pending job %v", sync, got["jobId"])
	}
	if len(a.queue.reqs) != 1 || len(st.rebuilds) != 0 || st.computed != 1 {
		t.Fatalf("%d requests queued, %d rebuilds stored, %d computed; want 1, 0, 1", len(a.queue.reqs), len(st.rebuilds), st.computed)
	}
	if agg, _ := got["aggregations"].(map[string]any); agg["total_ads"] != float64(2) {
		t.Errorf("total_ads = %v, want the 2 stored video ads", agg["total_ads"])
	}
	// A second read while the job runs queues nothing more.
	again := a.doJSON(t, http.MethodGet, "/api/creatives/acme/aggregations?"+goodRange, "", http.StatusOK)
	if again["complete"] != false || again["backgroundSyncTriggered"] != false || len(a.queue.reqs) != 1 {
		t.Fatalf("second read: %v, %d requests; want complete:false and no new request", again, len(a.queue.reqs))
	}
}

func TestAggregationsAndDeleteRejectBadInput(t *testing.T) {
	tests := []struct {
		method    string
		give      string
		wantCode  int
		wantField string
	}{
		{http.MethodGet, "/api/creatives/acme/aggregations?" + goodRange + "&creative_type=gif", 400, "creative_type"},
		{http.MethodGet, "/api/creatives/acme/aggregations?" + goodRange + "&creative_type=VIDEO", 400, "creative_type"},
		{http.MethodGet, "/api/creatives/acme/aggregations?" + goodRange + "&ad_status=active'--", 400, "ad_status"},
		{http.MethodGet, "/api/creatives/acme/aggregations?endDate=2024-01-31", 400, "startDate"},
		{http.MethodGet, "/api/creatives/acme/aggregations?startDate=2024-02-01&endDate=2024-01-31", 400, "endDate"},
		{http.MethodGet, "/api/creatives/b%27x/aggregations?" + goodRange, 400, "brandId"},
		{http.MethodGet, "/api/creatives/nobody/aggregations?" + goodRange, 404, ""},
		{http.MethodDelete, "/api/creatives/acme?startDate=2024-01-01", 400, "endDate"},
		{http.MethodDelete, "/api/creatives/acme?startDate=2024-13-01&endDate=2024-01-31", 400, "startDate"},
		{http.MethodDelete, "/api/creatives/b%20x?" + goodRange, 400, "brandId"},
		{http.MethodDelete, "/api/creatives/nobody?" + goodRange, 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.give, func(t *testing.T) {
			st := newAggFake(true)
			a := newAggAPI(t, st)
			code, body := a.do(t, tt.method, tt.give, "")
			if code != tt.wantCode {
				t.Fatalf("status %d, want %d: %s", code, tt.wantCode, body)
			}
			if e := decodeError(t, body); e.Error.Field != tt.wantField {
				t.Errorf("field = %q, want %q: %s", e.Error.Field, tt.wantField, body)
			}
			if len(st.queries)+len(st.rebuilds)+len(st.deletes) != 0 {
				t.Errorf("bad input reached the store: %v %v %v", st.queries, st.rebuilds, st.deletes)
			}
		})
	}
}

func TestDeleteCreatives(t *testing.T) {
	tests := []struct {
		name     string
		giveErr  error
		wantCode int
		wantBody string
	}{
		{"deleted", nil, 200, `{"deletedCount":1500,"message":"Deleted 1500 creatives","success":true}`},
		{"still running", fmt.Errorf("wait: %w", store.ErrMutationPending), 503, `still running`},
		{"store down", errors.New("connection refused"), 500, `"internal"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := newAggFake(true)
			st.deleted, st.deleteErr = 1500, tt.giveErr
			a := newAggAPI(t, st)
			code, body := a.do(t, http.MethodDelete, "/api/creatives/acme?"+goodRange, "")
			if code != tt.wantCode || !strings.Contains(string(body), tt.wantBody) {
				t.Fatalf("status %d body %s; want %d containing %s", code, body, tt.wantCode, tt.wantBody)
			}
			want := store.Range{BrandID: "acme", StartDate: "2024-01-01", EndDate: "2024-01-31"}
			if fmt.Sprint(st.deletes) != fmt.Sprint([]store.Range{want}) {
				t.Fatalf("deletes = %v, want %v", st.deletes, want)
			}
		})
	}
}
