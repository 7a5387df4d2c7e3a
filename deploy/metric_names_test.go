package deploy_test

import (
	"context"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/adstream/adstream/internal/bus"
	"github.com/adstream/adstream/internal/telemetry/metricstest"
)

var (
	quoted   = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)
	matchers = regexp.MustCompile(`\{[^}]*\}`)
	ranges   = regexp.MustCompile(`\[[^\]]*\]`)
	grouping = regexp.MustCompile(`\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)`)
	ident    = regexp.MustCompile(`[A-Za-z_:][A-Za-z0-9_:]*`)
	keywords = []string{"and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring", "group_left", "group_right", "inf", "nan"}
)

// metricNames returns the metric names a PromQL expression (or a Grafana
// label_values(metric, label) variable query) selects.
func metricNames(expr string) []string {
	if rest, ok := strings.CutPrefix(strings.TrimSpace(expr), "label_values("); ok {
		expr, _, _ = strings.Cut(matchers.ReplaceAllString(rest, ""), ",")
	}
	expr = quoted.ReplaceAllString(expr, `""`)
	expr = matchers.ReplaceAllString(expr, "")
	expr = ranges.ReplaceAllString(expr, "")
	expr = grouping.ReplaceAllString(expr, "")
	var out []string
	for _, loc := range ident.FindAllStringIndex(expr, -1) {
		name := expr[loc[0]:loc[1]]
		next := strings.TrimLeft(expr[loc[1]:], " \t\n")
		if strings.HasPrefix(next, "(") || slices.Contains(keywords, strings.ToLower(name)) ||
			(loc[0] > 0 && strings.ContainsAny(expr[loc[0]-1:loc[0]], "$0123456789.")) {
			continue // a function, a keyword, a Grafana variable or part of a number
		}
		out = append(out, name)
	}
	return out
}

func TestMetricNames(t *testing.T) {
	tests := []struct {
		give string
		want []string
	}{
		{give: `sum by (le) (rate(adstream_http_request_seconds_bucket{job=~"$job", code=~"5.."}[$__rate_interval]))`,
			want: []string{"adstream_http_request_seconds_bucket"}},
		{give: `sum(rate(a_total[5m])) / clamp_min(sum(rate(b_total{x="y"}[5m])), 1e-9) > 0.05`, want: []string{"a_total", "b_total"}},
		{give: `label_values(up{job=~"adstream-.*"}, job)`, want: []string{"up"}},
		{give: `histogram_quantile(0.95, sum by (le, client) (rate(k_bucket[1m])))`, want: []string{"k_bucket"}},
	}
	for _, tt := range tests {
		if got := metricNames(tt.give); !slices.Equal(got, tt.want) {
			t.Errorf("metricNames(%q) = %v, want %v", tt.give, got, tt.want)
		}
	}
}

// exportedMetrics returns every series name adstream's roles expose: the
// metrics its code declares (Name: "adstream_..." in a prometheus *Opts) and
// the Kafka client metrics kprom registers for a client of internal/bus.
func exportedMetrics(t *testing.T) map[string]bool {
	t.Helper()
	known := map[string]bool{}
	add := func(name string) {
		for _, suffix := range []string{"", "_bucket", "_sum", "_count"} {
			known[name+suffix] = true
		}
	}
	declared := regexp.MustCompile(`Name:\s*"(adstream_[a-z0-9_]+)"`)
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") && path != ".." || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range declared.FindAllStringSubmatch(string(b), -1) {
			add(m[1])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !known["adstream_sync_jobs_total"] {
		t.Fatalf("the code's metrics were not found (have %d names)", len(known))
	}
	for _, name := range kafkaClientMetrics(t) {
		add(name)
	}
	return known
}

// kafkaClientMetrics runs a client of internal/bus with its metrics against
// an in-process broker and returns the names of the metrics it registered.
func kafkaClientMetrics(t *testing.T) []string {
	t.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "lint"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	reg := metricstest.New()
	cl, err := bus.NewClient(c.ListenAddrs(), slog.New(slog.DiscardHandler), bus.Metrics(reg, "lint"))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := cl.Ping(ctx); err != nil { // kprom registers when the client starts; ping makes sure it has
		t.Fatal(err)
	}
	names := reg.Names()
	if !slices.Contains(names, "adstream_kafka_connect_errors_total") {
		t.Fatalf("kprom registered %v, want adstream_kafka_connect_errors_total among them", names)
	}
	return names
}
