// Package metricstest checks that a role's metrics exist, at zero, before anything has happened.
//
// A labelled counter that appears only at its first increment is invisible to
// rate() and increase() for that first burst: Prometheus has no earlier sample
// to compare with, so an alert on "20 failed syncs in 5 minutes" never fires
// when the 20 are the first. Every role therefore creates each known label
// combination when it registers its metrics, and its tests use this package to
// prove it.
package metricstest

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
)

// Registry is a prometheus.Registerer that remembers every collector
// registered on it; it serves them like a *prometheus.Registry.
type Registry struct {
	*prometheus.Registry
	collectors []prometheus.Collector
}

// New returns an empty Registry.
func New() *Registry { return &Registry{Registry: prometheus.NewRegistry()} }

// Register records c and registers it.
func (r *Registry) Register(c prometheus.Collector) error {
	if err := r.Registry.Register(c); err != nil {
		return err
	}
	r.collectors = append(r.collectors, c)
	return nil
}

// MustRegister registers every collector and panics on the first error.
func (r *Registry) MustRegister(cs ...prometheus.Collector) {
	for _, c := range cs {
		if err := r.Register(c); err != nil {
			panic(err)
		}
	}
}

// CheckAllZero fails t for every registered collector that exposes no series
// (a vector nobody initialised), except the ones in learnt, whose labels are
// only known at run time (a partition, an ad account), and for every series
// whose value is not zero.
func (r *Registry) CheckAllZero(t testing.TB, learnt ...prometheus.Collector) {
	t.Helper()
	if len(r.collectors) == 0 {
		t.Fatal("nothing was registered")
	}
	for _, c := range r.collectors {
		if slices.Contains(learnt, c) {
			continue
		}
		if testutil.CollectAndCount(c) == 0 {
			t.Errorf("%s has no series before its first event", describe(c))
		}
	}
	for _, s := range r.series(t) {
		if s.value != 0 {
			t.Errorf("%s = %v at start, want 0", s.name, s.value)
		}
	}
}

// CheckHas fails t for every series in want (written like
// `adstream_sync_jobs_total{status="failed"}`, labels in name order) that the
// registry does not expose.
func (r *Registry) CheckHas(t testing.TB, want ...string) {
	t.Helper()
	have := map[string]bool{}
	for _, s := range r.series(t) {
		have[s.name] = true
	}
	for _, w := range want {
		if !have[w] {
			t.Errorf("series %s is missing", w)
		}
	}
}

var fqName = regexp.MustCompile(`fqName: "([^"]+)"`)

// Names returns the name of every metric registered, whether or not it has
// a series yet.
func (r *Registry) Names() []string {
	var out []string
	for _, c := range r.collectors {
		for _, d := range descs(c) {
			if m := fqName.FindStringSubmatch(d.String()); m != nil {
				out = append(out, m[1])
			}
		}
	}
	sort.Strings(out)
	return slices.Compact(out)
}

type series struct {
	name  string
	value float64
}

// series lists every series the registry exposes; a histogram counts as one
// series, valued by its number of observations.
func (r *Registry) series(t testing.TB) []series {
	t.Helper()
	families, err := r.Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	var out []series
	for _, f := range families {
		for _, m := range f.GetMetric() {
			out = append(out, series{name: f.GetName() + labels(m), value: value(f.GetType(), m)})
		}
	}
	return out
}

func labels(m *dto.Metric) string {
	if len(m.GetLabel()) == 0 {
		return ""
	}
	pairs := make([]string, 0, len(m.GetLabel()))
	for _, l := range m.GetLabel() {
		pairs = append(pairs, fmt.Sprintf("%s=%q", l.GetName(), l.GetValue()))
	}
	sort.Strings(pairs)
	return "{" + strings.Join(pairs, ",") + "}"
}

func value(typ dto.MetricType, m *dto.Metric) float64 {
	switch typ {
	case dto.MetricType_COUNTER:
		return m.GetCounter().GetValue()
	case dto.MetricType_GAUGE:
		return m.GetGauge().GetValue()
	case dto.MetricType_HISTOGRAM:
		return float64(m.GetHistogram().GetSampleCount())
	case dto.MetricType_SUMMARY:
		return float64(m.GetSummary().GetSampleCount())
	}
	return m.GetUntyped().GetValue()
}

// describe names a collector by its metric descriptions, for messages.
func describe(c prometheus.Collector) string {
	var names []string
	for _, d := range descs(c) {
		names = append(names, d.String())
	}
	return strings.Join(names, ", ")
}

func descs(c prometheus.Collector) []*prometheus.Desc {
	ch := make(chan *prometheus.Desc, 16)
	go func() {
		c.Describe(ch)
		close(ch)
	}()
	var out []*prometheus.Desc
	for d := range ch {
		out = append(out, d)
	}
	return out
}
