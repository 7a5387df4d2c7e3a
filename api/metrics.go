package api

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/adstream/adstream/schemas"
)

type metrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	queued   *prometheus.CounterVec
}

// newMetrics registers the API's metrics on r (nil: unregistered). Every
// route and status code that the OpenAPI document lists, and every sync
// kind, starts at zero, so that rate() sees the first 5xx burst instead of
// the series' first sample.
func newMetrics(r prometheus.Registerer) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "adstream_http_requests_total", Help: "API requests, by route and status code.",
		}, []string{"route", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "adstream_http_request_seconds", Help: "API request latency, by route.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 14),
		}, []string{"route"}),
		queued: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "adstream_api_sync_jobs_queued_total", Help: "Sync jobs queued by the API, by kind.",
		}, []string{"kind"}),
	}
	routes, err := documentedRoutes(OpenAPI)
	if err != nil {
		panic(err) // the embedded document is checked by tests; it cannot change at run time
	}
	for route, codes := range routes {
		m.latency.WithLabelValues(route)
		for _, code := range codes {
			m.requests.WithLabelValues(route, code)
		}
	}
	for _, k := range []schemas.SyncKind{schemas.SyncKindFull, schemas.SyncKindRefresh, schemas.SyncKindIncremental, schemas.SyncKindFallback} {
		m.queued.WithLabelValues(string(k))
	}
	if r != nil {
		r.MustRegister(m.requests, m.latency, m.queued)
	}
	return m
}

var pathParam = regexp.MustCompile(`\{([A-Za-z]+)\}`)

// documentedRoutes maps every path of an OpenAPI document, written as a
// Fiber route (/api/creatives/:brandId), to the status codes its operations
// document.
func documentedRoutes(doc []byte) (map[string][]string, error) {
	var d struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(doc, &d); err != nil {
		return nil, fmt.Errorf("openapi document: %w", err)
	}
	out := map[string][]string{}
	for path, items := range d.Paths {
		route := pathParam.ReplaceAllString(path, ":$1")
		seen := map[string]bool{}
		for _, item := range items {
			var op struct {
				Responses map[string]json.RawMessage `json:"responses"`
			}
			if json.Unmarshal(item, &op) != nil {
				continue // not an operation: the path's shared parameters or summary
			}
			for code := range op.Responses {
				if !seen[code] {
					seen[code] = true
					out[route] = append(out[route], code)
				}
			}
		}
	}
	return out, nil
}

// observe counts every request by its route pattern (never the raw path, so
// brand ids do not become label values).
func (s *server) observe(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	if err != nil {
		// Render the error here so the status code below is the one sent.
		err = c.App().ErrorHandler(c, err)
	}
	route := c.Route().Path
	code := c.Response().StatusCode()
	s.metrics.requests.WithLabelValues(route, strconv.Itoa(code)).Inc()
	s.metrics.latency.WithLabelValues(route).Observe(time.Since(start).Seconds())
	return err
}
