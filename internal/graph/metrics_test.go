package graph

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/adstream/adstream/internal/telemetry/metricstest"
)

// usageSeries returns the usage gauge's value by account label, and every
// label value the registry exposes.
func usageSeries(t *testing.T, reg *prometheus.Registry) (map[string]float64, []string) {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	usage := map[string]float64{}
	var values []string
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				values = append(values, l.GetValue())
				if mf.GetName() == "adstream_graph_usage_percent" && l.GetName() == "account" {
					usage[l.GetValue()] = m.GetGauge().GetValue()
				}
			}
		}
	}
	return usage, values
}

func TestMetricsAccountLabels(t *testing.T) {
	reports := []RequestInfo{
		{Endpoint: "insights", Account: "1234567", Status: 200, Usage: Usage{MaxPct: 80}},
		{Endpoint: "insights", Account: "7654321", Status: 200, Usage: Usage{MaxPct: 30}},
		{Endpoint: "ads", Account: "7654321", Status: 200, Usage: Usage{MaxPct: 35}},
	}
	tests := []struct {
		name string
		give MetricsOptions
		want map[string]float64
	}{
		{name: "default: one series, the highest usage", give: MetricsOptions{}, want: map[string]float64{"all": 80}},
		{name: "asked for: by account", give: MetricsOptions{AccountLabels: true}, want: map[string]float64{"1234567": 80, "7654321": 35}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg := prometheus.NewRegistry()
			m := NewMetrics(reg, tt.give)
			for _, r := range reports {
				m.ObserveRequest(r)
			}
			got, values := usageSeries(t, reg)
			if !maps.Equal(got, tt.want) {
				t.Errorf("usage = %v, want %v", got, tt.want)
			}
			leaked := slices.ContainsFunc(values, func(v string) bool { return strings.Contains(v, "1234567") || strings.Contains(v, "7654321") })
			if leaked != tt.give.AccountLabels {
				t.Errorf("an account number in a label value: %v, want %v (labels %v)", leaked, tt.give.AccountLabels, values)
			}
		})
	}
}

// An account no longer called stops holding the "all" series up.
func TestMetricsForgetOldUsage(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := NewMetrics(reg, MetricsOptions{})
	t0 := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	m.setHighestUsage("1", 95, t0)
	m.setHighestUsage("2", 20, t0.Add(usageMemory/2))
	if got, _ := usageSeries(t, reg); got["all"] != 95 {
		t.Fatalf("usage = %v, want all=95", got)
	}
	m.setHighestUsage("2", 25, t0.Add(usageMemory+time.Second))
	if got, _ := usageSeries(t, reg); got["all"] != 25 {
		t.Errorf("usage = %v, want all=25 once account 1's report is older than %s", got, usageMemory)
	}
}

func TestMetricsStartAtZero(t *testing.T) {
	reg := metricstest.New()
	NewMetrics(reg, MetricsOptions{})
	reg.CheckAllZero(t)
	reg.CheckHas(t,
		`adstream_graph_throttled_total{endpoint="insights"}`,
		`adstream_graph_throttled_total{endpoint="ads"}`,
		`adstream_graph_requests_total{endpoint="insights",status="400"}`,
		`adstream_graph_usage_percent{account="all"}`,
	)
}

// By account, the usage series wait for their account's first report; the
// rest starts at zero all the same.
func TestMetricsByAccountStartAtZero(t *testing.T) {
	reg := metricstest.New()
	m := NewMetrics(reg, MetricsOptions{AccountLabels: true})
	reg.CheckAllZero(t, m.usage)
}

// Every path the client requests must map to an endpoint whose series exist
// from the start, else its first throttled burst is invisible to rate().
func TestEndpointsCoverEveryRequest(t *testing.T) {
	c, err := New(Config{BaseURL: "https://graph.example/base"})
	if err != nil {
		t.Fatal(err)
	}
	for _, give := range []string{
		"act_1/ads",      // Ads, CountAds
		"act_1/insights", // Insights
		"/",              // ByIDs, Videos
		"1234567890",     // Video, an async report run
		"me/adaccounts",  // the API's brand check
	} {
		t.Run(give, func(t *testing.T) {
			got := c.endpointOf(c.newRequest(give, nil).path)
			if !slices.Contains(Endpoints, got) {
				t.Errorf("path %q counts as endpoint %q, which is not in Endpoints %v", give, got, Endpoints)
			}
		})
	}
}
