package adfetch

import (
	"context"
	"slices"
	"sync"
)

// maxIDs is the most ids the Graph API takes in one /?ids= lookup.
const maxIDs = 50

// eachChunk calls fetch for each run of up to maxIDs distinct ids, one call
// after another when gate is nil, else all at once, each holding one of
// gate's calls. What a fetch returns is applied under one lock, so fetches
// may collect into shared maps. The first error cancels the other fetches
// and is returned after they have all returned.
func eachChunk(ctx context.Context, gate Gate, ids []string, fetch func(context.Context, []string) (func(), error)) error {
	chunks := slices.Collect(slices.Chunk(distinct(ids), maxIDs))
	if gate == nil {
		for _, c := range chunks {
			apply, err := fetch(ctx, c)
			if err != nil {
				return err
			}
			apply()
		}
		return nil
	}
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

// distinct is ids without empty and repeated ones, in their first order.
func distinct(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
