package main

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// derivedRange is 10 days inside syncedRange: its every day is stored, so
// it is answered from ClickHouse alone, materialized from the days on its
// first read (issue 7), with no job and no insights call.
var derivedRange = benchDays(-18, -9)

// measureDerived adds the rows of a range materialized from stored days: the
// first read (which derives it) and then page 1 and the aggregations.
func (w *benchWorld) measureDerived(b *testing.B, t *benchTable) {
	b.Helper()
	list := w.api + "/api/creatives/demo?" + derivedRange.query() + "&limit=50&sortBy=spend"
	var first struct {
		Complete   bool   `json:"complete"`
		DataSource string `json:"dataSource"`
		Queued     bool   `json:"backgroundSyncTriggered"`
	}
	before := w.simStats(b)
	began := time.Now()
	if err := w.getJSON(list, &first); err != nil {
		b.Fatalf("first read of %s: %v", derivedRange.query(), err)
	}
	took := time.Since(began)
	if !first.Complete || first.DataSource != "database" || first.Queued {
		b.Fatalf("a range inside the synced days answered complete=%v dataSource=%q queued=%v; want complete from the database, nothing queued",
			first.Complete, first.DataSource, first.Queued)
	}
	// No sync: no insights call. (A page with videos may refresh their
	// signed source URLs through the Graph API; those calls are counted.)
	after := w.simStats(b)
	for endpoint, n := range after.ByEndpoint {
		if strings.Contains(endpoint, "insights") && n != before.ByEndpoint[endpoint] {
			b.Fatalf("the first read of a range inside the synced days made %d %s calls, want none", n-before.ByEndpoint[endpoint], endpoint)
		}
	}
	name := fmt.Sprintf("10 days inside the synced 30 (%s..%s), from stored days", derivedRange.start, derivedRange.end)
	t.add(name+": first read, which materializes it", fmt.Sprintf("%.0f ms, no job, no insights call (%d Graph calls in all)", float64(took)/1e6, after.Calls-before.Calls), "—", "—")
	b.ReportMetric(float64(took)/1e6, "derived-first-ms")
	for _, read := range []struct{ what, u string }{
		{"page 1 (limit 50, by spend)", list},
		{"aggregations", w.api + "/api/creatives/demo/aggregations?" + derivedRange.query()},
	} {
		r, err := w.measure(read.u, 1, alone)
		if err != nil {
			b.Fatalf("GET %s: %v", read.u, err)
		}
		t.add(name+": "+read.what+", 1 client", latencyCell(r), "—", "—")
	}
}
