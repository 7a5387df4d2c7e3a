package consumers

import "github.com/prometheus/client_golang/prometheus"

// The steps of a batch flush, in order; adstream_consumer_insert_errors_total
// counts failed attempts by step.
const (
	stepInsertAds        = "insert ads"
	stepInsertInsights   = "insert insights"
	stepInsertSyncEvents = "insert sync events"
	stepPublishDead      = "publish dead letters"
	stepCommit           = "commit offsets"
)

// The tables adstream_consumer_rows_inserted_total counts rows of.
const (
	tableAds        = "ads"
	tableInsights   = "ad_insights"
	tableSyncEvents = "sync_events"
)

type metrics struct {
	inserted     *prometheus.CounterVec
	insertErrors *prometheus.CounterVec
	dlq          prometheus.Counter
	// registryRetries counts decodes retried while the schema registry did
	// not answer; while it grows, the consumer holds its partitions.
	registryRetries prometheus.Counter
	pending         prometheus.Gauge
	lag             *prometheus.GaugeVec
	flushSeconds    prometheus.Histogram
}

// newMetrics registers the consumer's metrics on r (nil: unregistered) with
// every step and table at zero, so that increase() sees the first failed
// insert instead of the series' first sample. Lag is by partition, which
// only the broker knows: it appears at the first fetch.
func newMetrics(r prometheus.Registerer) *metrics {
	m := &metrics{
		inserted: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "adstream_consumer_rows_inserted_total", Help: "Rows inserted into ClickHouse, by table.",
		}, []string{"table"}),
		insertErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "adstream_consumer_insert_errors_total", Help: "Failed batch steps (each is retried), by step.",
		}, []string{"step"}),
		dlq: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "adstream_consumer_dlq_records_total", Help: "Records sent to the dead-letter topic.",
		}),
		registryRetries: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "adstream_consumer_registry_retries_total", Help: "Decodes retried because the schema registry did not answer (the consumer waits meanwhile).",
		}),
		pending: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "adstream_consumer_pending_records", Help: "Records polled but not yet inserted and committed.",
		}),
		lag: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "adstream_consumer_lag_records", Help: "Records behind the partition's high watermark at the last fetch.",
		}, []string{"topic", "partition"}),
		flushSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "adstream_consumer_flush_seconds", Help: "Time to insert and commit one batch.",
			Buckets: prometheus.ExponentialBuckets(0.005, 2, 12),
		}),
	}
	for _, s := range []string{stepInsertAds, stepInsertInsights, stepInsertSyncEvents, stepPublishDead, stepCommit} {
		m.insertErrors.WithLabelValues(s)
	}
	for _, t := range []string{tableAds, tableInsights, tableSyncEvents} {
		m.inserted.WithLabelValues(t)
	}
	if r != nil {
		r.MustRegister(m.inserted, m.insertErrors, m.dlq, m.registryRetries, m.pending, m.lag, m.flushSeconds)
	}
	return m
}
