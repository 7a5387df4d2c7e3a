package store

import (
	"context"
	"sync"

	"github.com/adstream/adstream/schemas"
)

// dayLocks lets calls that store different days of ads run at once while
// those sharing a day of an ad take turns: a batch's rollup changes are
// computed against what ad_days held of its (brand, day, ad) keys before its
// insert (see insertDays), so two batches with one key, written at once,
// could both count the same stored day as replaced. Keys, not ads: a
// consumer's consecutive batches nearly always hold days of one ad, whose
// days straddle them, and rarely the same day of it (a redelivery, a
// refetch); locked by ad, they stored one after the other.
type dayLocks struct {
	mu   sync.Mutex
	held map[adDay]chan struct{} // closed when its holder unlocks
}

// lock waits until no other call holds any of the keys of rows, then holds
// them all; all at once, so two calls never wait for each other. It returns
// the unlock, or ctx's error if ctx ends first.
func (l *dayLocks) lock(ctx context.Context, rows []*schemas.AdInsight) (func(), error) {
	keys := make(map[adDay]bool, len(rows))
	for _, r := range rows {
		keys[adDay{r.BrandID, r.StartDate, r.AdID}] = true
	}
	for {
		l.mu.Lock()
		var busy chan struct{}
		for k := range keys {
			if busy = l.held[k]; busy != nil {
				break
			}
		}
		if busy == nil {
			done := make(chan struct{})
			for k := range keys {
				l.held[k] = done
			}
			l.mu.Unlock()
			return func() {
				l.mu.Lock()
				for k := range keys {
					delete(l.held, k)
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
