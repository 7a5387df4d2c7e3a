package adfetch

import (
	"context"
	"slices"
	"sync"

	"github.com/adstream/adstream/internal/graph"
)

// eachChunk calls fetch once with every id when gate is nil (graph.ByIDs
// sends more than graph.MaxIDs as one batch), else once for each run of up
// to graph.MaxIDs distinct ids, all at once, each holding one of gate's calls. What a fetch returns is applied under one lock, so fetches
// may collect into shared maps. The first error cancels the other fetches
// and is returned after they have all returned.
func eachChunk(ctx context.Context, gate Gate, ids []string, fetch func(context.Context, []string) (func(), error)) error {
	if gate == nil {
		apply, err := fetch(ctx, ids)
		if err != nil {
			return err
		}
		apply()
		return nil
	}
	chunks := slices.Collect(slices.Chunk(graph.DistinctIDs(ids), graph.MaxIDs))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
	)
	fail := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		if firstErr == nil {
			firstErr = err
			cancel()
		}
	}
	for _, c := range chunks {
		wg.Go(func() {
			if err := gate.Acquire(ctx); err != nil {
				fail(err)
				return
			}
			apply, err := fetch(ctx, c)
			gate.Release()
			if err != nil {
				fail(err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			apply()
		})
	}
	wg.Wait()
	return firstErr
}
