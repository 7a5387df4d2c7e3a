package producers

import (
	"testing"

	"github.com/adstream/adstream/internal/telemetry/metricstest"
)

// 20 failed jobs right after a start must raise increase() above zero, so the
// failed series has to exist at zero before the first failure.
func TestMetricsStartAtZero(t *testing.T) {
	reg := metricstest.New()
	newMetrics(reg, []string{"t.ads.v1", "t.insights.v1", "t.sync-events.v1"})
	reg.CheckAllZero(t)
	reg.CheckHas(t,
		`adstream_sync_jobs_total{status="completed"}`,
		`adstream_sync_jobs_total{status="failed"}`,
		`adstream_sync_jobs_total{status="duplicate"}`,
		`adstream_producer_records_total{topic="t.insights.v1"}`,
	)
}
