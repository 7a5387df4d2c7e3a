package api

import (
	"context"
	"sync"
	"time"

	"github.com/adstream/adstream/clickhouse/store"
)

// A versionGate shares a range's read stamp reads (store.ReadStamp) among the requests that wait
// for one, without ever handing a request a version read before it
// arrived: a request joins the next read of its range, which starts once the
// read in flight (if any) has ended. So every answer is validated by a
// version taken after its request came in (a change another replica made
// before is seen), and concurrent readers of one range cost one round trip
// per read in flight instead of one each: group commit, for reads.
type versionGate struct {
	read    func(context.Context, store.Range) (store.ReadStamp, error)
	timeout time.Duration // bounds one shared read: no single request's context does

	mu     sync.Mutex
	ranges map[store.Range]*rangeRounds
}

// rangeRounds is a range's read in flight and the one that follows it.
type rangeRounds struct {
	running bool
	next    *versionRound // joined by requests that came while a read runs
}

type versionRound struct {
	done chan struct{} // closed when v and err are set
	v    store.ReadStamp
	err  error
}

func newVersionGate(read func(context.Context, store.Range) (store.ReadStamp, error)) *versionGate {
	return &versionGate{read: read, timeout: 10 * time.Second, ranges: map[store.Range]*rangeRounds{}}
}

// version returns r's read stamp as read after the call began. It returns
// early with ctx's error when ctx ends first; the shared read goes on for
// the requests that wait on it.
func (g *versionGate) version(ctx context.Context, r store.Range) (store.ReadStamp, error) {
	g.mu.Lock()
	rr := g.ranges[r]
	if rr == nil {
		rr = &rangeRounds{}
		g.ranges[r] = rr
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

// run reads r's version for round, then for each round that requests
// joined meanwhile, until none did.
func (g *versionGate) run(r store.Range, rr *rangeRounds, round *versionRound) {
	for round != nil {
		ctx, cancel := context.WithTimeout(context.Background(), g.timeout)
		round.v, round.err = g.read(ctx, r)
		cancel()
		close(round.done)
		g.mu.Lock()
		round, rr.next = rr.next, nil
		if round == nil {
			rr.running = false
			delete(g.ranges, r) // an idle range holds nothing
		}
		g.mu.Unlock()
	}
}
