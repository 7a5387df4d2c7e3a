package main

import (
	"context"
	"runtime/debug"

	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/consumers"
)

// handingBack is dev's Aggregates: after each range's rebuild, which
// follows a sync whose records are all stored, it hands the memory the
// sync used back to the system (debug.FreeOSMemory: a collection, then the
// free heap returned). A sync fills the heap up to dev's soft memory limit
// with garbage that the runtime otherwise gives back only slowly: read
// when the list answered complete, dev's RSS after the first sync of a
// 10k-ad and a 100k-ad world was 146 → 164 MB in one run and 135 → 229 MB
// in another (BenchmarkWorld, 2026-12-02), its peak 167–184 → 272–275 MB in
// every run; after a collection the heap is 21–35 MB at either size. dev is
// one process on someone's machine; a consumer process keeps the runtime's
// default, its next batch reusing what it holds.
type handingBack struct{ consumers.Aggregates }

func (h handingBack) RebuildAggregations(ctx context.Context, r store.Range, jobID string) (uint64, error) {
	v, err := h.Aggregates.RebuildAggregations(ctx, r, jobID)
	debug.FreeOSMemory()
	return v, err
}
