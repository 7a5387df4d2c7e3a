package api_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/adstream/adstream/api"
	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/internal/bus"
	"github.com/adstream/adstream/internal/testenv"
	"github.com/adstream/adstream/internal/tokenbox"
	"github.com/adstream/adstream/schemas"
)

// outageRoutes is every /api route that reads or writes ClickHouse. The
// progress stream comes before anything queues a job: with a job it would
// stream until the job ends.
var outageRoutes = []struct {
	method, path, body string
}{
	{http.MethodGet, "/api/creatives/sync/status/acme?" + goodRange, ""},
	{http.MethodGet, "/api/creatives/sync/events/acme?" + goodRange, ""},
	{http.MethodGet, "/api/creatives/acme?" + goodRange, ""},
	{http.MethodGet, "/api/creatives/acme/aggregations?" + goodRange, ""},
	{http.MethodPost, "/api/creatives/sync/acme", rangeJSON},
	{http.MethodPost, "/api/creatives/refresh/acme", rangeJSON},
	{http.MethodDelete, "/api/creatives/acme?" + goodRange, ""},
	{http.MethodGet, "/api/brands", ""},
	{http.MethodGet, "/api/brands/acme", ""},
	{http.MethodPost, "/api/brands", `{"brandId":"acme2","name":"Acme 2","accessToken":"EAAtoken","adAccountIds":["act_1"]}`},
	{http.MethodPost, "/api/brands/acme/presync", ""},
	{http.MethodDelete, "/api/brands/acme", ""},
}

// A real ClickHouse server stops under a running API: every route that
// needs it answers 503 store_unavailable with Retry-After (not 500), and
// the same routes answer again once the server is back.
func TestRoutesWhenClickHouseIsDown(t *testing.T) {
	ch := testenv.OutageClickHouse(t)
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	st := ch.Store
	if err := st.PutBrand(ctx, store.Brand{BrandID: "acme", Name: "Acme", AdAccountIDs: []string{"act_1"}}); err != nil {
		t.Fatal(err)
	}
	box, err := tokenbox.New(tokenbox.NewKey())
	if err != nil {
		t.Fatal(err)
	}
	app := api.New(api.Deps{Store: st, Queue: &fakeQueue{}, Tokens: box, Log: slog.New(slog.DiscardHandler), Registry: prometheus.NewRegistry()})
	if status, body := send(t, app, http.MethodGet, "/api/creatives/sync/status/acme?"+goodRange, ""); status != http.StatusNotFound {
		t.Fatalf("server up: status %d, want 404 (no job yet); body %s", status, body)
	}

	ch.Stop()
	began := time.Now()
	for _, r := range append(outageRoutes, struct{ method, path, body string }{http.MethodGet, "/readyz", ""}) {
		resp, body := sendResp(t, app, r.method, r.path, r.body)
		if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "5" {
			t.Errorf("%s %s with ClickHouse down: status %d, Retry-After %q; want 503 and 5; body %s",
				r.method, r.path, resp.StatusCode, resp.Header.Get("Retry-After"), body)
			continue
		}
		if r.path == "/readyz" {
			continue // its own shape: {"status":"unavailable",...}
		}
		if e := decodeError(t, body); e.Error.Code != "store_unavailable" {
			t.Errorf("%s %s with ClickHouse down: code %q, want store_unavailable", r.method, r.path, e.Error.Code)
		}
	}

	t.Logf("%d requests with ClickHouse down answered in %s", len(outageRoutes)+1, time.Since(began).Round(time.Millisecond))

	ch.Start()
	for _, r := range outageRoutes {
		if status, body := send(t, app, r.method, r.path, r.body); status >= 500 {
			t.Errorf("%s %s with ClickHouse back: status %d; body %s", r.method, r.path, status, body)
		}
	}
}

// With the broker gone, a sync, refresh or pre-sync answers 503
// queue_unavailable with Retry-After within the queue's bound, and records
// no job: a pending job that never reached Kafka would block the range's
// syncs.
func TestSyncWhenKafkaIsDown(t *testing.T) {
	topic := "adstream.sync-requests.v1"
	broker, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, topic))
	if err != nil {
		t.Fatal(err)
	}
	cl, err := bus.NewQueueClient(broker.ListenAddrs(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	codec, err := schemas.NewSerde()
	if err != nil {
		t.Fatal(err)
	}
	st := newFakeStore("acme")
	app := api.New(api.Deps{Store: st, Queue: bus.NewSyncQueue(cl, topic, codec), Log: slog.New(slog.DiscardHandler),
		Registry: prometheus.NewRegistry(), Presync: api.Presync{Days: []int{7}}})
	if status, body := send(t, app, http.MethodPost, "/api/creatives/sync/acme", rangeJSON); status != http.StatusOK {
		t.Fatalf("broker up: status %d; body %s", status, body)
	}

	st.mu.Lock()
	st.job, st.queued = nil, nil // the range is free again
	st.mu.Unlock()

	broker.Close()
	for _, path := range []string{"/api/creatives/sync/acme", "/api/creatives/refresh/acme", "/api/brands/acme/presync"} {
		start := time.Now()
		give := rangeJSON
		if strings.HasSuffix(path, "presync") {
			give = ""
		}
		resp, body := sendResp(t, app, http.MethodPost, path, give)
		took := time.Since(start)
		t.Logf("POST %s with Kafka down answered %d after %s", path, resp.StatusCode, took.Round(time.Millisecond))
		if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "5" {
			t.Fatalf("status %d, Retry-After %q; want 503 and 5; body %s", resp.StatusCode, resp.Header.Get("Retry-After"), body)
		}
		if e := decodeError(t, body); e.Error.Code != "queue_unavailable" {
			t.Errorf("code %q, want queue_unavailable", e.Error.Code)
		}
		if took > bus.EnqueueTimeout+10*time.Second {
			t.Errorf("answered after %s; the queue's bound is %s", took, bus.EnqueueTimeout)
		}
	}
	if len(st.queued) > 0 {
		t.Errorf("recorded %+v, though no request reached Kafka", st.queued)
	}
}

// send makes one request without Fiber's test timeout (a 503 may take the
// queue's full bound) and returns the status and body.
func send(t *testing.T, app *fiber.App, method, target, body string) (int, []byte) {
	t.Helper()
	resp, b := sendResp(t, app, method, target, body)
	return resp.StatusCode, b
}

func sendResp(t *testing.T, app *fiber.App, method, target, body string) (*http.Response, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, target, rd)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := app.Test(req, -1)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, target, err)
	}
	return resp, b
}
