package producers

import (
	"context"
	"encoding/json"

	"github.com/adstream/adstream/internal/graph"
)

// prefetched pages an edge one page ahead of its reader: the next page's
// call (holding one of the gate's calls) is in flight while the reader
// decodes and publishes the current one, so a chunk's run of sequential
// pages takes about a call's time each instead of a call's and its
// processing's.
type prefetched struct {
	pages  chan fetchedPage
	cancel context.CancelFunc
	err    error // why fetching stopped before the last page; read after pages closed
}

type fetchedPage struct {
	items []json.RawMessage
	page  int
}

// prefetch starts fetching p's pages for account a under ctx. The reader
// ranges over pages, then reads err; one that stops early calls stop.
func (r *jobRun) prefetch(ctx context.Context, a *acctRun, p graph.PageSource) *prefetched {
	ctx, cancel := context.WithCancel(ctx)
	f := &prefetched{pages: make(chan fetchedPage, 1), cancel: cancel}
	go func() {
		defer close(f.pages)
		for !p.Done() {
			var items []json.RawMessage
			if err := a.gate.call(ctx, func(ctx context.Context) (err error) { items, err = p.Next(ctx); return err }); err != nil {
				f.err = err
				return
			}
			select {
			case f.pages <- fetchedPage{items, p.Page()}:
			case <-ctx.Done():
				f.err = ctx.Err()
				return
			}
		}
	}()
	return f
}

// stop ends the fetching and waits until it has.
func (f *prefetched) stop() {
	f.cancel()
	for range f.pages {
	}
}
