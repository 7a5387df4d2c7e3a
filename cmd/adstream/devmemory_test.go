package main

import (
	"context"
	"errors"
	"runtime"
	"runtime/debug"
	rtmetrics "runtime/metrics"
	"testing"

	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/consumers"
)

// rebuildLeavingGarbage is a rebuild that, like a sync, leaves the heap
// much larger than what stays in use.
type rebuildLeavingGarbage struct {
	consumers.Aggregates
	garbage int // MiB
	version uint64
	err     error
}

func (r rebuildLeavingGarbage) RebuildAggregations(context.Context, store.Range, string) (uint64, error) {
	held := make([][]byte, r.garbage)
	for i := range held {
		held[i] = make([]byte, 1<<20)
		held[i][0] = 1
	}
	runtime.KeepAlive(held)
	return r.version, r.err
}

// heapHeld is what the heap holds from the system: its objects, live or
// not yet collected, and its free memory not yet returned.
func heapHeld() uint64 {
	s := []rtmetrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/unused:bytes"},
		{Name: "/memory/classes/heap/free:bytes"}}
	rtmetrics.Read(s)
	return s[0].Value.Uint64() + s[1].Value.Uint64() + s[2].Value.Uint64()
}

func TestDevHandsASyncsMemoryBackAfterTheRebuild(t *testing.T) {
	debug.FreeOSMemory()
	before := heapHeld()
	failed := errors.New("rebuild failed")
	h := handingBack{rebuildLeavingGarbage{garbage: 256, version: 7, err: failed}}
	v, err := h.RebuildAggregations(context.Background(), store.Range{BrandID: "demo"}, "job-1")
	if v != 7 || !errors.Is(err, failed) {
		t.Errorf("RebuildAggregations = %d, %v; want the rebuild's 7, %v", v, err, failed)
	}
	if after := heapHeld(); after > before+64<<20 {
		t.Errorf("after a rebuild that left 256 MiB of garbage the heap holds %d MiB (%d before): the memory was not handed back",
			after>>20, before>>20)
	}
}
