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
// in flight then, and the scavenger returns a few MB a second, so dev's RSS
// after a sync followed the collector's timing. runtime.GC empties the
// sync.Pools (a first collection only moves them to their victim caches;
// the producer's 4 MiB lz4 blocks are 8–16 MB of them), and
// debug.FreeOSMemory returns the free memory at once. What each way measured
// in BenchmarkWorld, and the read tails the hand-back may cost: the README,
// "Ingest and dev's memory".
type handingBack struct{ consumers.Aggregates }

func (h handingBack) RebuildAggregations(ctx context.Context, r store.Range, jobID string) (uint64, error) {
	v, err := h.Aggregates.RebuildAggregations(ctx, r, jobID)
	runtime.GC()
	debug.FreeOSMemory()
	return v, err
}
