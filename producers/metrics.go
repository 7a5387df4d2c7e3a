package producers

import "github.com/prometheus/client_golang/prometheus"

type metrics struct {
	jobs      *prometheus.CounterVec
	published *prometheus.CounterVec
}

func newMetrics(r prometheus.Registerer) *metrics {
	m := &metrics{
		jobs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "adstream_sync_jobs_total", Help: "Sync jobs finished, by status.",
		}, []string{"status"}),
		published: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "adstream_producer_records_total", Help: "Records published, by topic.",
		}, []string{"topic"}),
	}
	if r != nil {
		r.MustRegister(m.jobs, m.published)
	}
	return m
}
