package api

import (
	"context"
	"sync"
	"time"

	"github.com/adstream/adstream/clickhouse/store"
)

// A versionGate shares a range's read stamp reads (store.ReadStamp) among
// the requests that need one, and bounds how old a stamp a request may get.
//
// Strict (staleness 0), a request joins the next read of its range, which
// starts once the read in flight (if any) has ended: every answer is
// validated by a stamp read that began after its request came in, so a
// change another replica made before is seen, and concurrent readers of a
// range cost one round trip per read in flight instead of one each (group
// commit, for reads).
//
// With a staleness bound, a stamp whose read began less than that long ago
// answers a request at once, with no round trip: a cached answer is then
// served from memory alone. A request in the second half of the bound also
// starts the range's next read in the background, so a range read steadily
// never waits. A change made through another replica, or by the consumers,
// is seen by every request that arrives more than the bound after it was
// written. What this replica does or observes itself ends the bound at once
// (endStaleness): its own writes, and the sync states it hands out, are
// followed by answers at least that new.
type versionGate struct {
	read      func(context.Context, store.Range) (store.ReadStamp, error)
	timeout   time.Duration // bounds one shared read: no single request's context does
	staleness time.Duration // how long after its read began a stamp answers requests; 0: strict

	mu     sync.Mutex
	ranges map[store.Range]*rangeRounds
	// notBefore voids every stamp whose read began before it (endStaleness).
	notBefore time.Time
	swept     time.Time // when ranges was last rid of expired stamps
}

// rangeRounds is a range's read in flight, the one that follows it, and the
// newest stamp read.
type rangeRounds struct {
	running bool
	next    *versionRound // joined by requests that came while a read runs
	// last is the newest stamp read, began when its read began (zero: none).
	last  store.ReadStamp
	began time.Time
}

type versionRound struct {
	done chan struct{} // closed when v and err are set
	v    store.ReadStamp
	err  error
}

func newVersionGate(read func(context.Context, store.Range) (store.ReadStamp, error), staleness time.Duration) *versionGate {
	return &versionGate{read: read, timeout: 10 * time.Second, staleness: staleness, ranges: map[store.Range]*rangeRounds{}}
}

// version returns r's read stamp as read after the call began, or, with a
// staleness bound, less than the bound before. It returns early with ctx's
// error when ctx ends first; the shared read goes on for the requests that
// wait on it.
func (g *versionGate) version(ctx context.Context, r store.Range) (store.ReadStamp, error) {
	now := time.Now()
	g.mu.Lock()
	g.sweep(now)
	rr := g.ranges[r]
	if rr == nil {
		rr = &rangeRounds{}
		g.ranges[r] = rr
	}
	if g.fresh(rr, now) {
		v := rr.last
		if !rr.running && now.Sub(rr.began) >= g.staleness/2 {
			rr.running = true // read ahead: no request waits for it
			go g.run(r, rr, &versionRound{done: make(chan struct{})})
		}
		g.mu.Unlock()
		return v, nil
	}
	var round *versionRound
	if !rr.running {
		rr.running = true
		round = &versionRound{done: make(chan struct{})}
		g.mu.Unlock()
		go g.run(r, rr, round)
	} else {
		if rr.next == nil {
			rr.next = &versionRound{done: make(chan struct{})}
		}
		round = rr.next
		g.mu.Unlock()
	}
	select {
	case <-round.done:
		return round.v, round.err
	case <-ctx.Done():
		return store.ReadStamp{}, ctx.Err()
	}
}

// fresh says whether rr's newest stamp may answer a request arriving now.
// g.mu is held.
func (g *versionGate) fresh(rr *rangeRounds, now time.Time) bool {
	return g.staleness > 0 && !rr.began.IsZero() && !rr.began.Before(g.notBefore) && now.Sub(rr.began) < g.staleness
}

// endStaleness makes every request from now on wait for a stamp read that
// begins after this call: what this replica wrote or handed out before it
// is then in every answer.
func (g *versionGate) endStaleness() {
	g.mu.Lock()
	g.notBefore = time.Now()
	g.mu.Unlock()
}

// run reads r's stamp for round, then for each round that requests joined
// meanwhile, until none did.
func (g *versionGate) run(r store.Range, rr *rangeRounds, round *versionRound) {
	for round != nil {
		ctx, cancel := context.WithTimeout(context.Background(), g.timeout)
		began := time.Now()
		round.v, round.err = g.read(ctx, r)
		cancel()
		close(round.done)
		g.mu.Lock()
		if round.err == nil && began.After(rr.began) {
			rr.last, rr.began = round.v, began
		}
		round, rr.next = rr.next, nil
		if round == nil {
			rr.running = false
			if g.staleness == 0 {
				delete(g.ranges, r) // an idle range holds nothing
			}
		}
		g.mu.Unlock()
	}
}

// sweep forgets, at most once per staleness bound, the idle ranges whose
// stamp can no longer answer. g.mu is held.
func (g *versionGate) sweep(now time.Time) {
	if g.staleness == 0 || now.Sub(g.swept) < g.staleness {
		return
	}
	g.swept = now
	for r, rr := range g.ranges {
		if !rr.running && !g.fresh(rr, now) {
			delete(g.ranges, r)
		}
	}
}
