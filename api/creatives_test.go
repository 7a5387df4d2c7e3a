package api_test

import (
	"errors"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/schemas"
)

func sampleCreative() store.Creative {
	return store.Creative{
		AdID: "ad-1", AdAccountID: "act_9", CreativeID: "cr-1", AdName: "Summer sale",
		AdStatus: "ACTIVE", AdEffectiveStatus: "ACTIVE", CreativeType: "carousel",
		CreativeURL: "https://cdn.example/c.jpg", ThumbnailURL: "https://cdn.example/t.jpg",
		CarouselURLs:         []string{"https://cdn.example/1.jpg", "https://cdn.example/2.jpg"},
		CarouselLinks:        []string{"https://shop.example/1", "https://shop.example/2"},
		CarouselNames:        []string{"One", "Two"},
		CarouselDescriptions: []string{"First card"}, // shorter than the URLs: the rest are ""
		SpendMicros:          14_350_000,
		RevenueMicros:        43_050_000,
		Orders:               7,
		Impressions:          2000,
		Clicks:               50,
		Reach:                1500,
		Frequency:            1.33,
		VideoViews:           400,
		VideoP25:             300,
		VideoP50:             200,
		VideoP100:            100,
		PostEngagement:       80,
		FetchedAt:            time.Date(2024, 2, 1, 12, 0, 0, 0, time.UTC),
		Version:              42_000_000, // nanoseconds: served as 42 ms
	}
}

// completedJob is the history of a range that a sync filled.
func completedJob() *store.SyncJob {
	at := time.Date(2024, 2, 1, 12, 0, 0, 0, time.UTC)
	return &store.SyncJob{JobID: "sync-done", Kind: "FULL", Status: store.StatusCompleted, TotalAds: 25, PublishedAds: 25,
		CreatedAt: at, StartedAt: at, UpdatedAt: at, CompletedAt: at, RangeSyncedAt: at}
}

func TestListCreativesResponse(t *testing.T) {
	st := newFakeStore("acme")
	st.count = 25
	st.job = completedJob()
	st.rows = []store.Creative{sampleCreative(), {AdID: "ad-zero", CreativeType: "image"}}
	a := newTestAPI(t, st)
	got := a.doJSON(t, http.MethodGet, "/api/creatives/acme?"+goodRange+"&page=2&limit=10", "", http.StatusOK)

	for k, want := range map[string]any{
		"success":                 true,
		"brandId":                 "acme",
		"total_creatives":         25.0,
		"page":                    2.0,
		"limit":                   10.0,
		"total_pages":             3.0,
		"hasMore":                 true,
		"dataSource":              "database",
		"backgroundSyncTriggered": false,
		"complete":                true,
		"syncedAt":                "2024-02-01T12:00:00Z",
		"jobId":                   "sync-done",
	} {
		if v, ok := got[k]; !ok || v != want {
			t.Errorf("%s = %#v (present %v), want %#v", k, v, ok, want)
		}
	}
	if ft, ok := got["fetchTime"].(float64); !ok || ft < 0 {
		t.Errorf("fetchTime = %#v, want a non-negative number of milliseconds", got["fetchTime"])
	}
	creatives, ok := got["creatives"].([]any)
	if !ok || len(creatives) != 2 {
		t.Fatalf("creatives = %#v, want 2 of them", got["creatives"])
	}
	c := creatives[0].(map[string]any)
	// Every field of the seed's Creative model, with the derived metrics
	// computed from the stored sums.
	want := map[string]any{
		"brandId": "acme", "ad_id": "ad-1", "creative_id": "cr-1",
		"ad_name": "Summer sale", "ad_status": "ACTIVE", "ad_effective_status": "ACTIVE",
		"creative_type": "carousel", "creative_url": "https://cdn.example/c.jpg",
		"thumbnail_url":  "https://cdn.example/t.jpg",
		"spend":          14.35,
		"revenue":        43.05,
		"ctr":            2.5,      // 50 / 2000 * 100
		"cpc":            0.287,    // 14.35 / 50
		"cpp":            9.566667, // 14.35 / 1500 reached * 1000
		"roas":           3.0,      // 43.05 / 14.35
		"hook_rate":      20.0,     // 400 / 2000 * 100
		"engagementRate": 4.0,      // 80 / 2000 * 100
		"clicks":         50.0, "orders": 7.0, "impressions": 2000.0, "video_views": 400.0,
		"frequency":               1.33,
		"video_p25_watched":       300.0,
		"video_p50_watched":       200.0,
		"video_p100_watched":      100.0,
		"video_p25_watched_rate":  15.0,
		"video_p50_watched_rate":  10.0,
		"video_p100_watched_rate": 5.0,
		"startDate":               "2024-01-01",
		"endDate":                 "2024-01-31",
		"syncedAt":                "2024-02-01T12:00:00Z",
		"lastUpdated":             "2024-02-01T12:00:00Z",
		"dataVersion":             42.0,
	}
	for k, w := range want {
		if v, ok := c[k]; !ok || v != w {
			t.Errorf("creative %s = %#v (present %v), want %#v", k, v, ok, w)
		}
	}
	wantCards := []any{
		map[string]any{"url": "https://cdn.example/1.jpg", "link": "https://shop.example/1", "name": "One", "description": "First card"},
		map[string]any{"url": "https://cdn.example/2.jpg", "link": "https://shop.example/2", "name": "Two", "description": ""},
	}
	if !reflect.DeepEqual(c["carousel_images"], wantCards) {
		t.Errorf("carousel_images = %#v, want %#v", c["carousel_images"], wantCards)
	}

	zero := creatives[1].(map[string]any)
	for _, k := range []string{"spend", "ctr", "cpc", "cpp", "roas", "hook_rate", "engagementRate", "video_p25_watched_rate"} {
		if zero[k] != 0.0 {
			t.Errorf("creative with no impressions, clicks, orders or spend: %s = %#v, want 0", k, zero[k])
		}
	}
	if cards, ok := zero["carousel_images"].([]any); !ok || len(cards) != 0 {
		t.Errorf("non-carousel carousel_images = %#v, want []", zero["carousel_images"])
	}
}

func TestListCreativesQuery(t *testing.T) {
	acme := store.Range{BrandID: "acme", StartDate: "2024-01-01", EndDate: "2024-01-31"}
	tests := []struct {
		name        string
		give        string // query after the range
		wantQuery   store.ListQuery
		wantPage    float64
		wantPages   float64
		wantHasMore bool
	}{
		{
			name:      "defaults",
			give:      "",
			wantQuery: store.ListQuery{Range: acme, SortBy: "spend", Limit: 10, Offset: 0},
			wantPage:  1, wantPages: 4, wantHasMore: true,
		},
		{
			name:      "page 2 starts one limit in",
			give:      "&page=2&limit=15",
			wantQuery: store.ListQuery{Range: acme, SortBy: "spend", Limit: 15, Offset: 15},
			wantPage:  2, wantPages: 3, wantHasMore: true,
		},
		{
			name:      "last page",
			give:      "&page=4&limit=10",
			wantQuery: store.ListQuery{Range: acme, SortBy: "spend", Limit: 10, Offset: 30},
			wantPage:  4, wantPages: 4, wantHasMore: false,
		},
		{
			name:      "sort ascending by roas",
			give:      "&sortBy=roas&sortOrder=asc",
			wantQuery: store.ListQuery{Range: acme, SortBy: "roas", Ascending: true, Limit: 10},
			wantPage:  1, wantPages: 4, wantHasMore: true,
		},
		{
			name:      "sort descending by ctr",
			give:      "&sortBy=ctr&sortOrder=desc",
			wantQuery: store.ListQuery{Range: acme, SortBy: "ctr", Limit: 10},
			wantPage:  1, wantPages: 4, wantHasMore: true,
		},
		{
			name: "filters pass through",
			give: "&filters=" + url.QueryEscape(`{"creative_type":"video","ad_status":"ACTIVE"}`),
			wantQuery: store.ListQuery{Range: acme, SortBy: "spend", Limit: 10,
				Filters: map[string]string{"creative_type": "video", "ad_status": "ACTIVE"}},
			wantPage: 1, wantPages: 4, wantHasMore: true,
		},
		{
			name:      "creative_type all is no filter",
			give:      "&filters=" + url.QueryEscape(`{"creative_type":"all"}`),
			wantQuery: store.ListQuery{Range: acme, SortBy: "spend", Limit: 10},
			wantPage:  1, wantPages: 4, wantHasMore: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := newFakeStore("acme")
			st.count = 35
			st.job = completedJob()
			a := newTestAPI(t, st)
			got := a.doJSON(t, http.MethodGet, "/api/creatives/acme?"+goodRange+tt.give, "", http.StatusOK)
			if len(st.listed) != 1 {
				t.Fatalf("ListCreatives called %d times, want once", len(st.listed))
			}
			if !reflect.DeepEqual(st.listed[0], tt.wantQuery) {
				t.Errorf("ListQuery = %+v, want %+v", st.listed[0], tt.wantQuery)
			}
			if len(st.counted) != 1 || !reflect.DeepEqual(st.counted[0].Filters, tt.wantQuery.Filters) || st.counted[0].Range != acme {
				t.Errorf("CountCreatives calls = %+v, want one with %v and filters %v", st.counted, acme, tt.wantQuery.Filters)
			}
			if got["page"] != tt.wantPage || got["hasMore"] != tt.wantHasMore || got["total_pages"] != tt.wantPages {
				t.Errorf("page %v hasMore %v total_pages %v, want %v %v %v", got["page"], got["hasMore"], got["total_pages"], tt.wantPage, tt.wantHasMore, tt.wantPages)
			}
			if len(a.queue.reqs) != 0 {
				t.Errorf("a range with data queued %d syncs", len(a.queue.reqs))
			}
		})
	}
}

func TestListCreativesUnknownBrand(t *testing.T) {
	a := newTestAPI(t, newFakeStore("acme"))
	status, body := a.do(t, http.MethodGet, "/api/creatives/nobody?"+goodRange, "")
	if status != http.StatusNotFound {
		t.Fatalf("status %d, want 404; body %s", status, body)
	}
	if e := decodeError(t, body); e.Error.Code != "not_found" {
		t.Errorf("code %q, want not_found", e.Error.Code)
	}
	if len(a.store.counted) != 0 || len(a.queue.reqs) != 0 {
		t.Errorf("unknown brand was counted (%d) or queued (%d)", len(a.store.counted), len(a.queue.reqs))
	}
}

func TestListCreativesStoreFailureIsGeneric(t *testing.T) {
	const internal = "dial tcp 10.1.2.3:9000: password=hunter2 refused"
	tests := []struct {
		name string
		give func(*fakeStore)
	}{
		{name: "count fails", give: func(s *fakeStore) { s.countErr = errors.New(internal) }},
		{name: "list fails", give: func(s *fakeStore) { s.count = 3; s.listErr = errors.New(internal) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := newFakeStore("acme")
			st.job = completedJob()
			tt.give(st)
			a := newTestAPI(t, st)
			status, body := a.do(t, http.MethodGet, "/api/creatives/acme?"+goodRange, "")
			if status != http.StatusInternalServerError {
				t.Fatalf("status %d, want 500; body %s", status, body)
			}
			e := decodeError(t, body)
			if e.Error.Message != "internal error" || e.Error.Code != "internal" {
				t.Errorf("error %+v, want code internal, message %q", e.Error, "internal error")
			}
			if strings.Contains(string(body), "10.1.2.3") || strings.Contains(string(body), "hunter2") {
				t.Errorf("response leaks the internal error: %s", body)
			}
			if !strings.Contains(a.logs.String(), "10.1.2.3") {
				t.Errorf("internal error was not logged for operators; log: %s", a.logs.String())
			}
		})
	}
}

func TestListCreativesEmptyRangeQueuesOneSync(t *testing.T) {
	st := newFakeStore("acme")
	a := newTestAPI(t, st)
	target := "/api/creatives/acme?" + goodRange

	first := a.doJSON(t, http.MethodGet, target, "", http.StatusOK)
	if first["backgroundSyncTriggered"] != true {
		t.Errorf("first request backgroundSyncTriggered = %v, want true", first["backgroundSyncTriggered"])
	}
	jobID, _ := first["jobId"].(string)
	if jobID == "" {
		t.Fatalf("first request has no jobId: %v", first)
	}
	if first["total_creatives"] != 0.0 || first["hasMore"] != false {
		t.Errorf("total_creatives %v hasMore %v, want 0 false", first["total_creatives"], first["hasMore"])
	}
	if cs, ok := first["creatives"].([]any); !ok || len(cs) != 0 {
		t.Errorf("creatives = %#v, want []", first["creatives"])
	}
	if len(a.queue.reqs) != 1 {
		t.Fatalf("queued %d syncs, want 1", len(a.queue.reqs))
	}
	req := a.queue.reqs[0]
	if req.Kind != schemas.SyncKindFull || req.BrandID != "acme" || req.StartDate != "2024-01-01" ||
		req.EndDate != "2024-01-31" || req.JobID != jobID {
		t.Errorf("queued %+v, want FULL acme 2024-01-01..2024-01-31 job %s", req, jobID)
	}
	wantRecorded := []queuedCall{{Range: store.Range{BrandID: "acme", StartDate: "2024-01-01", EndDate: "2024-01-31"}, JobID: jobID, Kind: schemas.SyncKindFull}}
	if !reflect.DeepEqual(st.queued, wantRecorded) {
		t.Errorf("RecordQueued calls = %+v, want %+v", st.queued, wantRecorded)
	}
	if first["complete"] != false {
		t.Errorf("complete = %v, want false before any sync completed", first["complete"])
	}

	// The store now says that job is pending: a second look must not queue again.
	second := a.doJSON(t, http.MethodGet, target, "", http.StatusOK)
	if second["backgroundSyncTriggered"] != false || second["jobId"] != jobID {
		t.Errorf("second request backgroundSyncTriggered %v jobId %v, want false %s", second["backgroundSyncTriggered"], second["jobId"], jobID)
	}
	if len(a.queue.reqs) != 1 || len(st.queued) != 1 {
		t.Errorf("after two requests: %d enqueued, %d recorded, want 1 and 1", len(a.queue.reqs), len(st.queued))
	}
}

// A range derived from days has no reach: reach, frequency and cpp are null,
// never a wrong sum.
func TestUnknownReachIsNull(t *testing.T) {
	st := newFakeStore("acme")
	st.count = 1
	st.job = completedJob()
	c := sampleCreative()
	c.Reach, c.Frequency = -1, 0
	st.rows = []store.Creative{c}
	a := newTestAPI(t, st)
	got := a.doJSON(t, http.MethodGet, "/api/creatives/acme?"+goodRange, "", http.StatusOK)
	creative := got["creatives"].([]any)[0].(map[string]any)
	for _, k := range []string{"reach", "frequency", "cpp"} {
		if v, ok := creative[k]; !ok || v != nil {
			t.Errorf("%s = %#v (present %v), want null", k, v, ok)
		}
	}
	if creative["spend"] != 14.35 || creative["ctr"] != 2.5 {
		t.Errorf("additive figures changed: spend %v ctr %v", creative["spend"], creative["ctr"])
	}
}
