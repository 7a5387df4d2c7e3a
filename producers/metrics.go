package producers

import "github.com/prometheus/client_golang/prometheus"

// How a sync job ends, as adstream_sync_jobs_total counts it.
const (
	jobCompleted = "completed"
	jobFailed    = "failed"
	jobDuplicate = "duplicate" // a request of a job that already ended
)

type metrics struct {
	jobs      *prometheus.CounterVec
	published *prometheus.CounterVec
}

// newMetrics registers the producer's metrics on r (nil: unregistered) with
// every outcome and every topic it publishes to at zero, so that rate() and
// increase() see the first failure instead of the series' first sample.
func newMetrics(r prometheus.Registerer, topics []string) *metrics {
	m := &metrics{
		jobs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "adstream_sync_jobs_total", Help: "Sync jobs finished, by status.",
		}, []string{"status"}),
		published: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "adstream_producer_records_total", Help: "Records published, by topic.",
		}, []string{"topic"}),
	}
	for _, s := range []string{jobCompleted, jobFailed, jobDuplicate} {
		m.jobs.WithLabelValues(s)
	}
	for _, t := range topics {
		m.published.WithLabelValues(t)
	}
	if r != nil {
		r.MustRegister(m.jobs, m.published)
	}
	return m
}
