package store

import (
	"context"
	"sync"

	"github.com/adstream/adstream/schemas"
)

// adLocks lets calls that store days of different ads run at once while
// those sharing an ad take turns: a batch's rollup changes are computed
// against what ad_days held before its insert (see insertDays), so two
// batches with days of one ad, written at once, could both count the same
// stored day as replaced. A consumer's batches of different partitions share
// no ad (records are keyed by brand and ad); the lock keeps the rollup exact
// whatever the caller does.
type adLocks struct {
	mu   sync.Mutex
	held map[brandAd]chan struct{} // closed when its holder unlocks
}

type brandAd struct{ brand, ad string }

// lock waits until no other call holds any of the ads of rows, then holds
// them all; all at once, so two calls never wait for each other. It returns
// the unlock, or ctx's error if ctx ends first.
func (l *adLocks) lock(ctx context.Context, rows []*schemas.AdInsight) (func(), error) {
	ads := map[brandAd]bool{}
	for _, r := range rows {
		ads[brandAd{r.BrandID, r.AdID}] = true
	}
	for {
		l.mu.Lock()
		var busy chan struct{}
		for a := range ads {
			if busy = l.held[a]; busy != nil {
				break
			}
		}
		if busy == nil {
			done := make(chan struct{})
			for a := range ads {
				l.held[a] = done
			}
			l.mu.Unlock()
			return func() {
				l.mu.Lock()
				for a := range ads {
					delete(l.held, a)
				}
				l.mu.Unlock()
				close(done)
			}, nil
		}
		l.mu.Unlock()
		select {
		case <-busy:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}
