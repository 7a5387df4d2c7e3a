package api

import (
	"testing"

	"github.com/adstream/adstream/internal/telemetry/metricstest"
)

// The refresh counter's results exist at zero, so a first burst of failed
// refreshes moves rate().
func TestMediaRefreshMetricsStartAtZero(t *testing.T) {
	reg := metricstest.New()
	newMediaRefresher(Deps{}, reg)
	reg.CheckAllZero(t)
	reg.CheckHas(t,
		`adstream_media_url_refreshes_total{result="refreshed"}`,
		`adstream_media_url_refreshes_total{result="failed"}`,
	)
}
