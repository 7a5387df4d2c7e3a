package graph

import (
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// MetricsOptions choose what the Graph API metrics reveal.
type MetricsOptions struct {
	// AccountLabels labels the usage gauge by ad account. Off (the
	// default), one series, account="all", carries the highest usage any
	// account reported lately: ad account numbers are the brands' business
	// data, and /metrics is often scraped and kept with fewer guards.
	AccountLabels bool
}

// allAccounts is the account label value when accounts are not shown.
const allAccounts = "all"

// usageMemory is how long an account's last usage report counts toward the
// "all" series: Meta's usage windows roll over within the hour, and an
// account no longer called should not hold the gauge up forever.
const usageMemory = 10 * time.Minute

// Metrics is an Observer that exports every Graph API attempt to Prometheus:
// requests by endpoint and outcome, latency, throttled calls and the highest
// usage percentage reported (per ad account only when asked for).
type Metrics struct {
	requests  *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	throttled *prometheus.CounterVec
	usage     *prometheus.GaugeVec
	byAccount bool

	mu      sync.Mutex
	reports map[string]usageReport // by account, for the "all" series
}

type usageReport struct {
	pct float64
	at  time.Time
}

// Endpoints are the values of the endpoint label: the last segment of the
// paths the client requests ("ads", "insights", "adaccounts"), "ids" for the
// batch-by-ids root, "batch" for a Graph batch (POST / with batch=[...]) and
// "object" for a node such as a video or a report run.
var Endpoints = []string{"ads", "adaccounts", "batch", "ids", "insights", "object"}

// initialStatuses are the HTTP statuses counted from the start: success, the
// 400 the Graph API answers throttling and most errors with, its 500 for
// "reduce the amount of data", and 0 for no response.
var initialStatuses = []string{"0", "200", "400", "500"}

// NewMetrics registers the Graph API metrics on r with every endpoint (and
// its common statuses) at zero, so that rate() sees the first throttled call
// instead of the series' first sample. The "all" usage series starts at 0
// too; per-account series appear with their account's first report.
func NewMetrics(r prometheus.Registerer, opts MetricsOptions) *Metrics {
	usageHelp := "Highest rate-limit usage any ad account reported in the last 10 minutes (account=\"all\"; " +
		"per account with ADSTREAM_METRICS_ACCOUNT_LABELS=true)."
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
			Name: "adstream_graph_usage_percent", Help: usageHelp,
		}, []string{"account"}),
		byAccount: opts.AccountLabels,
		reports:   map[string]usageReport{},
	}
	for _, e := range Endpoints {
		m.latency.WithLabelValues(e)
		m.throttled.WithLabelValues(e)
		for _, s := range initialStatuses {
			m.requests.WithLabelValues(e, s)
		}
	}
	if !m.byAccount {
		m.usage.WithLabelValues(allAccounts)
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
	if info.Account == "" || info.Usage.MaxPct <= 0 {
		return
	}
	if m.byAccount {
		m.usage.WithLabelValues(info.Account).Set(info.Usage.MaxPct)
		return
	}
	m.setHighestUsage(info.Account, info.Usage.MaxPct, time.Now())
}

// setHighestUsage records an account's report and sets the "all" series to
// the highest report younger than usageMemory. The lock covers the Set, so
// concurrent reports cannot leave an older maximum behind.
func (m *Metrics) setHighestUsage(account string, pct float64, now time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.reports[account] = usageReport{pct: pct, at: now}
	high := 0.0
	for a, r := range m.reports {
		if now.Sub(r.at) > usageMemory {
			delete(m.reports, a)
			continue
		}
		high = max(high, r.pct)
	}
	m.usage.WithLabelValues(allAccounts).Set(high)
}
