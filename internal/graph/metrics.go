package graph

import (
	"errors"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics is an Observer that exports every Graph API attempt to Prometheus:
// requests by endpoint and outcome, latency, throttled calls and the highest
// usage percentage reported per ad account.
type Metrics struct {
	requests  *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	throttled *prometheus.CounterVec
	usage     *prometheus.GaugeVec
}

// NewMetrics registers the Graph API metrics on r.
func NewMetrics(r prometheus.Registerer) *Metrics {
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "adstream_graph_requests_total", Help: "Graph API attempts, by endpoint and HTTP status (0: no response).",
		}, []string{"endpoint", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "adstream_graph_request_seconds", Help: "Graph API attempt latency, by endpoint.",
			Buckets: prometheus.ExponentialBuckets(0.005, 2, 12),
		}, []string{"endpoint"}),
		throttled: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "adstream_graph_throttled_total", Help: "Graph API attempts answered with a rate-limit error, by endpoint.",
		}, []string{"endpoint"}),
		usage: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "adstream_graph_usage_percent", Help: "Highest rate-limit usage the Graph API reported, by ad account.",
		}, []string{"account"}),
	}
	r.MustRegister(m.requests, m.latency, m.throttled, m.usage)
	return m
}

// ObserveRequest records one attempt; it is safe for concurrent use.
func (m *Metrics) ObserveRequest(info RequestInfo) {
	m.requests.WithLabelValues(info.Endpoint, strconv.Itoa(info.Status)).Inc()
	m.latency.WithLabelValues(info.Endpoint).Observe(info.Duration.Seconds())
	var apiErr *APIError
	if errors.As(info.Err, &apiErr) && apiErr.Throttled() {
		m.throttled.WithLabelValues(info.Endpoint).Inc()
	}
	if info.Account != "" && info.Usage.MaxPct > 0 {
		m.usage.WithLabelValues(info.Account).Set(info.Usage.MaxPct)
	}
}
