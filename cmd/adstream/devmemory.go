package main

import (
	"context"
	"runtime"
	"runtime/debug"

	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/consumers"
)

// handingBack is dev's Aggregates: after each range's rebuild, which
// follows a sync whose records are all stored, it hands the memory the sync
// used back to the system. dev is one process on someone's machine, idle
// between syncs; a consumer process keeps the runtime's default, its next
// batch reusing what it holds.
//
// A sync fills dev's heap up to its soft memory limit (a 100k-ad sync does,
// a 10k one does not), and the runtime gives that back at its own pace: the
// heap's goal stays where the sync's last collection left it, twice what was
// in flight at that moment, until a collection lowers it, and the scavenger
// then returns a few MB a second. So dev's RSS after a sync followed the
// collector's timing. BenchmarkWorld, 10k → 100k ads, RSS 10 s after the
// list answered complete (2026-12-02): without a hand-back 135 → 212 MB;
// with runtime.GC alone 68 → 81, 87 → 101, 90 → 134 and 88 → 116 MB.
//
// debug.FreeOSMemory returns the rest at once: 69 → 71, 75 → 71, 76 → 82,
// 76 → 88 and 81 → 75 MB, and 64 → 85 with a collection before it. That
// one empties the sync.Pools, which a collection only moves to their victim
// caches (the producer's 4 MiB lz4 blocks are 8–16 MB of them), so the heap
// left is what dev keeps between syncs, 25–35 MB at either size. The hand-back
// also releases free memory that the reads which follow grow back into:
// after a 100k sync, 15 windows of 200 aggregations reads had a p99 of
// 0.6–3.8 ms with it and 0.6–2.9 ms with runtime.GC alone.
type handingBack struct{ consumers.Aggregates }

func (h handingBack) RebuildAggregations(ctx context.Context, r store.Range, jobID string) (uint64, error) {
	v, err := h.Aggregates.RebuildAggregations(ctx, r, jobID)
	runtime.GC()
	debug.FreeOSMemory()
	return v, err
}
