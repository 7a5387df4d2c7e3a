package api

import (
	"slices"
	"testing"

	"github.com/adstream/adstream/internal/telemetry/metricstest"
)

// The first 5xx burst after a start must move rate(), so every documented
// route and code has to exist at zero before the first request.
func TestMetricsStartAtZero(t *testing.T) {
	reg := metricstest.New()
	newMetrics(reg)
	reg.CheckAllZero(t)
	reg.CheckHas(t,
		`adstream_http_requests_total{code="500",route="/api/creatives/:brandId"}`,
		`adstream_http_requests_total{code="200",route="/api/creatives/:brandId/aggregations"}`,
		`adstream_http_requests_total{code="503",route="/readyz"}`,
		`adstream_http_request_seconds{route="/api/creatives/sync/:brandId"}`,
		`adstream_api_sync_jobs_queued_total{kind="REFRESH"}`,
	)
}

// The routes metrics start with are the routes the app serves: a route added
// to the app and the document but written differently here would start late.
func TestDocumentedRoutesAreServed(t *testing.T) {
	routes, err := documentedRoutes(OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	app := New(Deps{Registry: metricstest.New().Registry})
	var served []string
	for _, r := range app.GetRoutes(true) {
		served = append(served, r.Path)
	}
	for route := range routes {
		if !slices.Contains(served, route) {
			t.Errorf("documented route %s is not served (served: %v)", route, served)
		}
	}
}
