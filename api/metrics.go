package api

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"
)

type metrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	queued   *prometheus.CounterVec
}

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
	if r != nil {
		r.MustRegister(m.requests, m.latency, m.queued)
	}
	return m
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
