package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/adstream/adstream/api"
	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/internal/graph"
	"github.com/adstream/adstream/internal/graphsim"
	"github.com/adstream/adstream/internal/tokenbox"
	"github.com/adstream/adstream/schemas"
)

// fallbackStore is the fake store with a real brand (sealed token, graphsim
// accounts) and a memory of what the live fetch stored.
type fallbackStore struct {
	*fakeStore
	brand    store.Brand
	mu       sync.Mutex
	ads      []*schemas.Ad
	insights []*schemas.AdInsight
}

func (f *fallbackStore) GetBrand(context.Context, string) (store.Brand, error) { return f.brand, nil }

func (f *fallbackStore) InsertAds(_ context.Context, ads []*schemas.Ad) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ads = append(f.ads, ads...)
	return nil
}

func (f *fallbackStore) InsertInsights(_ context.Context, rows []*schemas.AdInsight) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.insights = append(f.insights, rows...)
	return nil
}

type fallbackEnv struct {
	app   *testAPI
	store *fallbackStore
	sim   *httptest.Server
	brand graphsim.Brand
}

func newFallbackEnv(t *testing.T) *fallbackEnv {
	sim, err := graphsim.New(graphsim.Options{Seed: 7, Accounts: 2, Ads: 100})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	box, _ := tokenbox.New(tokenbox.NewKey())
	b := sim.Brands()[0]
	st := &fallbackStore{fakeStore: newFakeStore(b.BrandID),
		brand: store.Brand{BrandID: b.BrandID, TokenCiphertext: box.Seal(b.AccessToken), AdAccountIDs: b.AdAccountIDs}}
	gc, err := graph.New(graph.Config{BaseURL: srv.URL, MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	logs := &bytes.Buffer{}
	q := &fakeQueue{}
	app := api.New(api.Deps{Store: st, Queue: q, Log: slog.New(slog.NewTextHandler(logs, nil)), Registry: prometheus.NewRegistry(),
		Fallback: &api.Fallback{Graph: gc, Tokens: box, Writer: st}})
	return &fallbackEnv{app: &testAPI{app: app, store: st.fakeStore, queue: q, logs: logs}, store: st, sim: srv, brand: b}
}

const fallbackRange = "startDate=2026-10-29&endDate=2026-11-27"

// The first read of an empty range answers from the Graph API in the seed's
// shape, stores what it fetched and queues exactly one full sync.
func TestFirstReadFallsBackToTheGraphAPI(t *testing.T) {
	e := newFallbackEnv(t)
	body := e.app.doJSON(t, "GET", "/api/creatives/demo?"+fallbackRange+"&limit=10", "", http.StatusOK)
	if body["dataSource"] != "api_fallback" || body["backgroundSyncTriggered"] != true {
		t.Fatalf("dataSource %v, backgroundSyncTriggered %v; want api_fallback, true", body["dataSource"], body["backgroundSyncTriggered"])
	}
	creatives := body["creatives"].([]any)
	total := body["total_creatives"].(float64)
	if len(creatives) != 10 || total < 11 || total > 30 || body["hasMore"] != true {
		t.Fatalf("%d creatives of %v (hasMore %v); want 10 of 11..30 fetched, more available", len(creatives), total, body["hasMore"])
	}
	if len(e.app.queue.reqs) != 1 || e.app.queue.reqs[0].Kind != schemas.SyncKindFull {
		t.Fatalf("queued %+v, want one FULL sync", e.app.queue.reqs)
	}
	e.store.mu.Lock()
	stored := len(e.store.insights)
	syncID := e.store.insights[0].SyncID
	e.store.mu.Unlock()
	if float64(stored) != total || syncID != "fallback-"+body["jobId"].(string) {
		t.Fatalf("stored %d insights with sync id %q; want %v, fallback-<jobId>", stored, syncID, total)
	}
	prev := 1e18
	for _, c := range creatives {
		m := c.(map[string]any)
		spend := m["spend"].(float64)
		if spend > prev {
			t.Fatalf("creatives not sorted by spend desc: %v after %v", spend, prev)
		}
		prev = spend
		if want := e.servedSpend(t, m["ad_id"].(string)); spend != want {
			t.Errorf("ad %v: spend %v, graphsim served %v", m["ad_id"], spend, want)
		}
	}
}

// servedSpend asks graphsim for one ad's spend in the range, as a number.
func (e *fallbackEnv) servedSpend(t *testing.T, adID string) float64 {
	q := url.Values{"access_token": {e.brand.AccessToken}, "fields": {"spend"},
		"time_range": {`{"since":"2026-10-29","until":"2026-11-27"}`}}
	resp, err := http.Get(e.sim.URL + "/v21.0/" + adID + "/insights?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var page struct {
		Data []struct {
			Spend json.Number `json:"spend"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&page); err != nil || len(page.Data) != 1 {
		t.Fatalf("graphsim insights of ad %s: %v (%d rows)", adID, err, len(page.Data))
	}
	f, _ := page.Data[0].Spend.Float64()
	return f
}

// A Graph API that fails the live fetch (an expired token here) leaves the
// request answering from the empty database, with the full sync queued.
func TestFirstReadSurvivesAFailingGraphAPI(t *testing.T) {
	e := newFallbackEnv(t)
	req, _ := http.NewRequest(http.MethodPut, e.sim.URL+"/_sim/faults", strings.NewReader(`{"expire_token":true}`))
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("set faults: %v", err)
	}
	body := e.app.doJSON(t, "GET", "/api/creatives/demo?"+fallbackRange, "", http.StatusOK)
	if body["dataSource"] != "database" || len(body["creatives"].([]any)) != 0 || body["backgroundSyncTriggered"] != true {
		t.Fatalf("body = %v; want an empty database answer with the sync queued", body)
	}
	if !strings.Contains(e.app.logs.String(), "live fallback fetch failed") || strings.Contains(e.app.logs.String(), e.brand.AccessToken) {
		t.Fatalf("log should say the fallback failed, without the token:\n%s", e.app.logs.String())
	}
}

// A filtered read with no match is an answer, not a first read: no live
// fetch, no sync.
func TestFilteredEmptyReadDoesNotFallBack(t *testing.T) {
	e := newFallbackEnv(t)
	body := e.app.doJSON(t, "GET", "/api/creatives/demo?"+fallbackRange+`&filters={"creative_type":"video"}`, "", http.StatusOK)
	if body["dataSource"] != "database" || len(e.app.queue.reqs) != 0 || len(e.store.insights) != 0 {
		t.Fatalf("body %v, %d queued, %d stored; want no fallback", body, len(e.app.queue.reqs), len(e.store.insights))
	}
}
