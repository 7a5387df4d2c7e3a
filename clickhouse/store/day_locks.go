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
// could both count the same stored day as replaced. Days, not ads: a
// consumer's consecutive batches nearly always hold days of one ad, whose
// days straddle them, and rarely the same day of it (a redelivery, a
// refetch); locked by ad, they stored one after the other. A call holds,
// for each of its ads, the span of days it has of it (a superset of its
// keys: one lock entry an ad, not one a row, which cost a microsecond a
// row).
type dayLocks struct {
	mu   sync.Mutex
	held map[brandAd][]heldDays
}

type brandAd struct{ brand, ad string }

// heldDays are the days first..last (YYYY-MM-DD, so ordered as strings) of
// an ad that a call holds until done is closed.
type heldDays struct {
	first, last string
	done        chan struct{}
}

func (h heldDays) overlaps(o heldDays) bool { return h.first <= o.last && o.first <= h.last }

// lock waits until no other call holds a day of an ad that rows hold, then
// holds them all; all at once, so two calls never wait for each other. It
// returns the unlock, or ctx's error if ctx ends first.
func (l *dayLocks) lock(ctx context.Context, rows []*schemas.AdInsight) (func(), error) {
	spans := map[brandAd]*heldDays{}
	var last *heldDays
	var lastKey brandAd
	for _, r := range rows {
		// A partition's rows come ad by ad: most rows need no map lookup.
		if last == nil || r.AdID != lastKey.ad || r.BrandID != lastKey.brand {
			lastKey = brandAd{r.BrandID, r.AdID}
			if last = spans[lastKey]; last == nil {
				last = &heldDays{first: r.StartDate, last: r.StartDate}
				spans[lastKey] = last
			}
		}
		last.first, last.last = min(last.first, r.StartDate), max(last.last, r.StartDate)
	}
	for {
		l.mu.Lock()
		var busy chan struct{}
	find:
		for k, sp := range spans {
			for _, h := range l.held[k] {
				if h.overlaps(*sp) {
					busy = h.done
					break find
				}
			}
		}
		if busy == nil {
			done := make(chan struct{})
			for k, sp := range spans {
				l.held[k] = append(l.held[k], heldDays{sp.first, sp.last, done})
			}
			l.mu.Unlock()
			return func() {
				l.mu.Lock()
				for k := range spans {
					rest := l.held[k][:0]
					for _, h := range l.held[k] {
						if h.done != done {
							rest = append(rest, h)
						}
					}
					if len(rest) == 0 {
						delete(l.held, k)
					} else {
						l.held[k] = rest
					}
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
