package consumers

import (
	"log/slog"
	"testing"
	"time"

	"github.com/adstream/adstream/internal/telemetry/metricstest"
)

// The first failed insert after a start must raise increase() above zero, so
// every step's error series has to exist at zero before it.
func TestMetricsStartAtZero(t *testing.T) {
	reg := metricstest.New()
	m := newMetrics(reg)
	newAggregator(nil, slog.New(slog.DiscardHandler), time.Second, reg)
	reg.CheckAllZero(t, m.lag) // by partition: known at the first fetch
	reg.CheckHas(t,
		`adstream_consumer_insert_errors_total{step="insert insights"}`,
		`adstream_consumer_insert_errors_total{step="commit offsets"}`,
		`adstream_consumer_rows_inserted_total{table="ad_insights"}`,
		`adstream_consumer_dlq_records_total`,
		`adstream_consumer_aggregation_rebuilds_total`,
	)
}
