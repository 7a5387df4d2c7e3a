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
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/adstream/adstream/api"
	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/internal/graph"
	"github.com/adstream/adstream/internal/graphsim"
	"github.com/adstream/adstream/internal/testenv"
	"github.com/adstream/adstream/internal/tokenbox"
	"github.com/adstream/adstream/schemas"
)

// fallbackEnv is the API over a real ClickHouse store, with graphsim as the
// Graph API and a queue that records what it is asked to publish.
type fallbackEnv struct {
	app   *testAPI
	store *store.Store
	sim   *httptest.Server
	brand graphsim.Brand
}

func newFallbackEnv(t *testing.T) *fallbackEnv {
	testenv.Integration(t)
	sim, err := graphsim.New(graphsim.Options{Seed: 7, Accounts: 2, Ads: 100})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	box, _ := tokenbox.New(tokenbox.NewKey())
	b := sim.Brands()[0]
	conn, cfg := testenv.ClickHouse(t)
	st := store.New(conn, cfg.Database)
	if err := st.PutBrand(context.Background(), store.Brand{BrandID: b.BrandID, Name: "Demo",
		TokenCiphertext: box.Seal(b.AccessToken), AdAccountIDs: b.AdAccountIDs}); err != nil {
		t.Fatal(err)
	}
	gc, err := graph.New(graph.Config{BaseURL: srv.URL, MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	logs := &bytes.Buffer{}
	q := &fakeQueue{}
	app := api.New(api.Deps{Store: st, Queue: q, Log: slog.New(slog.NewTextHandler(logs, nil)), Registry: prometheus.NewRegistry(),
		Fallback: &api.Fallback{Graph: gc, Tokens: box, Writer: st}, Now: testNow})
	return &fallbackEnv{app: &testAPI{app: app, queue: q, logs: logs}, store: st, sim: srv, brand: b}
}

const fallbackRange = "startDate=2026-10-29&endDate=2026-11-27"

var fallbackStoreRange = store.Range{BrandID: "demo", StartDate: "2026-10-29", EndDate: "2026-11-27"}

// The first read of an empty range answers from a live Graph API fetch in
// the seed's shape, stores what it fetched and queues exactly one full sync.
func TestFirstReadFallsBackToTheGraphAPI(t *testing.T) {
	e := newFallbackEnv(t)
	body := e.app.doJSON(t, "GET", "/api/creatives/demo?"+fallbackRange+"&limit=10", "", http.StatusOK)
	if body["dataSource"] != "api_fallback" || body["backgroundSyncTriggered"] != true || body["complete"] != false {
		t.Fatalf("dataSource %v, backgroundSyncTriggered %v, complete %v; want api_fallback, true, false",
			body["dataSource"], body["backgroundSyncTriggered"], body["complete"])
	}
	creatives := body["creatives"].([]any)
	total := body["total_creatives"].(float64)
	if len(creatives) != 10 || total < 11 || total > 60 || body["hasMore"] != true {
		t.Fatalf("%d creatives of %v (hasMore %v); want 10 of the 11..60 fetched, more available", len(creatives), total, body["hasMore"])
	}
	if len(e.app.queue.reqs) != 1 || e.app.queue.reqs[0].Kind != schemas.SyncKindFull || e.app.queue.reqs[0].JobID != body["jobId"] {
		t.Fatalf("queued %+v, want one FULL sync as job %v", e.app.queue.reqs, body["jobId"])
	}
	stored, err := e.store.ListCreatives(context.Background(), store.ListQuery{Range: fallbackStoreRange, SortBy: "spend", Limit: 500})
	if err != nil || float64(len(stored)) != total {
		t.Fatalf("stored %d creatives (%v); want the %v fetched", len(stored), err, total)
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
	// The next read is answered by the store, with the sync still to come.
	again := e.app.doJSON(t, "GET", "/api/creatives/demo?"+fallbackRange+"&limit=10", "", http.StatusOK)
	if again["dataSource"] != "database" || again["backgroundSyncTriggered"] != false || again["jobId"] != body["jobId"] ||
		again["complete"] != false || len(e.app.queue.reqs) != 1 {
		t.Fatalf("second read %v; want the stored rows, the same job, still incomplete, nothing queued", again)
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

// A filtered first visit is a first visit: it takes the fallback path and
// answers the filter from what it stored.
func TestFilteredFirstReadFallsBack(t *testing.T) {
	e := newFallbackEnv(t)
	body := e.app.doJSON(t, "GET", "/api/creatives/demo?"+fallbackRange+`&filters={"creative_type":"video"}`, "", http.StatusOK)
	if body["dataSource"] != "api_fallback" || len(e.app.queue.reqs) != 1 {
		t.Fatalf("body %v, %d queued; want the fallback and one sync", body, len(e.app.queue.reqs))
	}
	creatives := body["creatives"].([]any)
	if len(creatives) == 0 {
		t.Fatalf("no video creative among the fetched ones: %v", body)
	}
	for _, c := range creatives {
		if typ := c.(map[string]any)["creative_type"]; typ != "video" {
			t.Fatalf("filtered page holds a %v creative", typ)
		}
	}
}

// Every read goes through the store's sort: a descending sort by ad id comes
// back descending, on the fallback's answer too.
func TestFallbackAnswerUsesTheStoreSort(t *testing.T) {
	e := newFallbackEnv(t)
	body := e.app.doJSON(t, "GET", "/api/creatives/demo?"+fallbackRange+"&sortBy=ad_id&sortOrder=desc&limit=20", "", http.StatusOK)
	creatives := body["creatives"].([]any)
	if body["dataSource"] != "api_fallback" || len(creatives) < 2 {
		t.Fatalf("body %v; want a fallback page", body)
	}
	for i := 1; i < len(creatives); i++ {
		prev, cur := creatives[i-1].(map[string]any)["ad_id"].(string), creatives[i].(map[string]any)["ad_id"].(string)
		if prev < cur {
			t.Fatalf("ad %s after %s: not descending by ad id", cur, prev)
		}
	}
}
