package api_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/adstream/adstream/api"
	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/internal/graph"
	"github.com/adstream/adstream/internal/tokenbox"
	"github.com/adstream/adstream/schemas"
)

// loadSpec parses api/openapi.json with kin-openapi and checks the
// document itself is valid OpenAPI 3.0.
func loadSpec(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(api.OpenAPI)
	if err != nil {
		t.Fatalf("load api/openapi.json: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("api/openapi.json is not valid OpenAPI: %v", err)
	}
	return doc
}

// exchange is one request the validation drives and the operation it is.
type exchange struct {
	method, path string // the documented operation, e.g. GET /api/creatives/{brandId}
	target, body string
	headers      []string
	want         int
}

// validateAnswer checks that the operation documents r's status and that
// r's body matches that answer's JSON schema.
func validateAnswer(t *testing.T, doc *openapi3.T, x exchange, r reply) {
	t.Helper()
	item := doc.Paths.Value(x.path)
	if item == nil || item.GetOperation(x.method) == nil {
		t.Fatalf("%s %s is not in the document", x.method, x.path)
	}
	resp := item.GetOperation(x.method).Responses.Status(r.status)
	if resp == nil {
		t.Errorf("%s %s answered %d, which the document does not list; body %s", x.method, x.target, r.status, r.body)
		return
	}
	ct, _, _ := strings.Cut(r.header.Get("Content-Type"), ";")
	mt := resp.Value.Content.Get(ct)
	if mt == nil || mt.Schema == nil {
		t.Errorf("%s %s answered %d as %q, which the document does not describe", x.method, x.target, r.status, ct)
		return
	}
	if ct != "application/json" {
		return
	}
	var v any
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Errorf("%s %s: body is not JSON: %v", x.method, x.target, err)
		return
	}
	if err := mt.Schema.Value.VisitJSON(v, openapi3.MultiErrors(), openapi3.VisitAsResponse(), openapi3.EnableFormatValidation(), openapi3.DisableSchemaErrorDetails()); err != nil {
		t.Errorf("%s %s → %d does not match the document:\n%v\nbody: %.600s", x.method, x.target, r.status, err, r.body)
	}
}

// Every route's answers, from a real store, graphsim's live fallback and
// a real sync's traces, match api/openapi.json: successes, empty pages,
// the fallback's page, and errors.
func TestAnswersMatchTheOpenAPIDocument(t *testing.T) {
	doc := loadSpec(t)
	e := newFallbackEnv(t)
	ctx := context.Background()
	synced := store.Range{BrandID: "synced", StartDate: "2026-10-29", EndDate: "2026-11-27"}
	writeRange(ctx, t, e.store, synced, 12, "job-synced")
	failed := store.Range{BrandID: "synced", StartDate: "2026-11-01", EndDate: "2026-11-02"}
	if err := e.store.InsertSyncEvents(ctx, []*schemas.SyncEvent{{JobID: "job-failed", BrandID: "synced", StartDate: failed.StartDate, EndDate: failed.EndDate,
		Kind: schemas.SyncKindFull, Type: schemas.SyncFailed, Error: "the token expired", ErrorCode: "token_invalid", At: time.Now()}}); err != nil {
		t.Fatal(err)
	}
	box, _ := tokenbox.New(tokenbox.NewKey())
	app := api.New(api.Deps{Store: e.store, Videos: e.store, Queue: e.app.queue, Log: slog.New(slog.DiscardHandler), Registry: prometheus.NewRegistry(),
		Fallback: newFallbackFor(t, e, box), Tokens: box, Now: testNow})
	a := &testAPI{app: app, queue: e.app.queue}

	const demo, synq = "startDate=2026-10-29&endDate=2026-11-27", "startDate=2026-10-29&endDate=2026-11-27"
	const failedQ = "startDate=2026-11-01&endDate=2026-11-02"
	const rangeBody = `{"startDate":"2026-10-29","endDate":"2026-11-27"}`
	get := func(path, target string, want int) exchange {
		return exchange{method: http.MethodGet, path: path, target: target, want: want}
	}
	exchanges := []exchange{
		get("/healthz", "/healthz", 200),
		get("/readyz", "/readyz", 200),
		get("/metrics", "/metrics", 200),
		get("/openapi.json", "/openapi.json", 200),
		get("/api/creatives/{brandId}", "/api/creatives/demo?"+demo+"&limit=5", 200),                             // the live fallback
		get("/api/creatives/{brandId}", "/api/creatives/demo?"+demo+"&limit=5&page=2", 200),                      // the store, sync pending
		get("/api/creatives/{brandId}", "/api/creatives/demo?"+demo+"&page=9999", 200),                           // past the end: empty
		get("/api/creatives/{brandId}", "/api/creatives/synced?"+synq+"&sortBy=ctr&sortOrder=asc", 200),          // complete
		get("/api/creatives/{brandId}", "/api/creatives/synced?"+synq+`&filters={"creative_type":"video"}`, 200), // empty filter
		get("/api/creatives/{brandId}", "/api/creatives/synced?"+failedQ, 200),                                   // its sync failed
		get("/api/creatives/{brandId}", "/api/creatives/demo?startDate=2026-11-27&endDate=2026-10-29", 400),
		get("/api/creatives/{brandId}", "/api/creatives/ghost?"+demo, 404),
		get("/api/creatives/{brandId}/aggregations", "/api/creatives/demo/aggregations?"+demo, 200), // partial
		get("/api/creatives/{brandId}/aggregations", "/api/creatives/synced/aggregations?"+synq+"&creative_type=image", 200),
		get("/api/creatives/{brandId}/aggregations", "/api/creatives/synced/aggregations?"+synq+"&creative_type=gif", 400),
		get("/api/creatives/{brandId}/series", "/api/creatives/synced/series?"+synq+"&metrics=spend,impressions", 200),
		get("/api/creatives/{brandId}/series", "/api/creatives/synced/series?"+synq+"&metrics=nope", 400),
		get("/api/creatives/sync/status/{brandId}", "/api/creatives/sync/status/demo?"+demo, 200),
		get("/api/creatives/sync/status/{brandId}", "/api/creatives/sync/status/synced?"+synq, 200),
		get("/api/creatives/sync/status/{brandId}", "/api/creatives/sync/status/synced?"+failedQ, 200),
		get("/api/creatives/sync/status/{brandId}", "/api/creatives/sync/status/synced?startDate=2026-01-01&endDate=2026-01-02", 404),
		get("/api/creatives/sync/events/{brandId}", "/api/creatives/sync/events/synced?"+synq, 200),
		get("/api/creatives/sync/events/{brandId}", "/api/creatives/sync/events/synced?"+synq+"&streamToken=forged", 401),
		{method: http.MethodPost, path: "/api/creatives/sync/stream-token/{brandId}", target: "/api/creatives/sync/stream-token/synced?" + synq, want: 200},
		{method: http.MethodPost, path: "/api/creatives/sync/{brandId}", target: "/api/creatives/sync/synced", body: rangeBody, want: 200},
		{method: http.MethodPost, path: "/api/creatives/sync/{brandId}", target: "/api/creatives/sync/synced", body: "{", want: 400},
		{method: http.MethodPost, path: "/api/creatives/refresh/{brandId}", target: "/api/creatives/refresh/synced", body: rangeBody, want: 200},
		{method: http.MethodPost, path: "/api/brands", target: "/api/brands", body: registration("acme", "EAABtoken0123456789", "act_1"), want: 201},
		{method: http.MethodPost, path: "/api/brands", target: "/api/brands", body: `{"brandId":"acme"}`, want: 400},
		get("/api/brands", "/api/brands", 200),
		get("/api/brands/{brandId}", "/api/brands/acme", 200),
		get("/api/brands/{brandId}", "/api/brands/ghost", 404),
		{method: http.MethodPost, path: "/api/brands/{brandId}/presync", target: "/api/brands/acme/presync", want: 200},
		{method: http.MethodDelete, path: "/api/creatives/{brandId}", target: "/api/creatives/synced?" + synq, want: 200},
		{method: http.MethodDelete, path: "/api/brands/{brandId}", target: "/api/brands/acme", want: 200},
	}
	exchanges = append(exchanges, videoExchanges(t, e.store)...)
	// Refusals of the access checks come from an API with keys and limits.
	keyed := newAccessAPI(t, api.Access{Keys: []api.Key{{Secret: keyA, Brands: []string{"acme"}}}, RateLimit: 1})
	keyedExchanges := []exchange{
		get("/api/brands", "/api/brands", 401),
		{method: http.MethodPost, path: "/api/brands", target: "/api/brands", body: "{}", headers: []string{"X-API-Key: " + keyA}, want: 403},
		get("/api/brands", "/api/brands", 429),
	}

	seen := map[string]bool{}
	run := func(a *testAPI, xs []exchange) {
		for _, x := range xs {
			r := a.send(t, x.method, x.target, x.body, x.headers...)
			if r.status != x.want {
				t.Errorf("%s %s: status %d, want %d; body %.300s", x.method, x.target, r.status, x.want, r.body)
			}
			validateAnswer(t, doc, x, r)
			seen[x.method+" "+x.path] = true
		}
	}
	run(a, exchanges)
	run(keyed, keyedExchanges)
	for _, op := range servedOperations(t) {
		if !seen[op] {
			t.Errorf("no answer of %s was validated", op)
		}
	}
}

// newFallbackFor re-registers e's graphsim brand with box's seal of its
// token and returns the live fallback that reads it.
func newFallbackFor(t *testing.T, e *fallbackEnv, box *tokenbox.Box) *api.Fallback {
	t.Helper()
	if err := e.store.PutBrand(context.Background(), store.Brand{BrandID: e.brand.BrandID, Name: "Demo", TokenCiphertext: box.Seal(e.brand.AccessToken),
		AdAccountIDs: e.brand.AdAccountIDs, UpdatedAt: time.Now().Add(time.Second)}); err != nil {
		t.Fatal(err)
	}
	gc, err := graph.New(graph.Config{BaseURL: e.sim.URL, MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	return &api.Fallback{Graph: gc, Tokens: box, Writer: e.store}
}
