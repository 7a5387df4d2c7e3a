package producers

import (
	"container/heap"
	"context"
	"sync"

	"github.com/adstream/adstream/internal/graph"
)

// DefaultGraphConcurrency is how many Graph calls a job has in flight unless
// Config.GraphConcurrency says otherwise: at 100 ms a call it brings a 10,000
// ad sync near the time its longest run of sequential pages takes (see
// BenchmarkSync), far below Meta's per-account call budget.
const DefaultGraphConcurrency = 8

// callGate bounds the Graph calls a job has in flight. The bound shrinks as
// the API's reported usage rises, from max below calmPct to one call at
// busyPct and above, where graph.Client also starts spacing calls out: a job
// whose accounts near their limits sends one call at a time, as a
// sequential job did. A freed call goes to the waiting call of the lowest
// priority number (the account earliest in the plan), then to the one that
// waited longest: the accounts finish nearly in the plan's order, so
// checkpoints, which cover a prefix of the plan, keep coming while the job
// runs. It is safe for concurrent use.
type callGate struct {
	max   int
	usage func() float64 // the highest usage percentage the job's accounts reported

	mu       sync.Mutex
	inFlight int
	waiting  waitQueue
	arrivals uint64
}

// calmPct and busyPct are where the gate starts narrowing and where it
// admits one call (graph.Config.SlowDownAt's default).
const (
	calmPct = 50.0
	busyPct = 90.0
)

func newCallGate(limit int, usage func() float64) *callGate {
	return &callGate{max: max(limit, 1), usage: usage}
}

// allowed is how many calls may be in flight at usage pct.
func (g *callGate) allowed(pct float64) int {
	switch {
	case pct <= calmPct:
		return g.max
	case pct >= busyPct:
		return 1
	}
	return max(1, int(float64(g.max)*(busyPct-pct)/(busyPct-calmPct)))
}

// Acquire waits until a call of priority prio may start, or returns ctx's
// error when ctx ends first. Every nil return must be followed by one
// Release.
func (g *callGate) Acquire(ctx context.Context, prio int) error {
	w := &waiter{prio: prio, ready: make(chan struct{}, 1)}
	g.mu.Lock()
	w.arrival = g.arrivals
	g.arrivals++
	heap.Push(&g.waiting, w)
	g.admitLocked()
	g.mu.Unlock()
	select {
	case <-w.ready:
		return nil
	case <-ctx.Done():
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if w.index >= 0 { // still waiting
		heap.Remove(&g.waiting, w.index)
		return ctx.Err()
	}
	g.inFlight-- // admitted meanwhile: hand the call on
	g.admitLocked()
	return ctx.Err()
}

// Release ends a call Acquire admitted.
func (g *callGate) Release() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.inFlight--
	g.admitLocked()
}

// admitLocked starts the first waiting calls while the bound allows; g.mu is
// held. A bound that shrank below the calls in flight admits none until
// enough of them ended; one call is always allowed, so a waiting call
// always has one in flight to wait for.
func (g *callGate) admitLocked() {
	limit := g.allowed(g.usage())
	for g.inFlight < limit && g.waiting.Len() > 0 {
		w := heap.Pop(&g.waiting).(*waiter)
		g.inFlight++
		w.ready <- struct{}{}
	}
}

// gateFor is the gate as one account's calls use it (adfetch.Gate).
type gateFor struct {
	g    *callGate
	prio int
}

func (a gateFor) Acquire(ctx context.Context) error { return a.g.Acquire(ctx, a.prio) }
func (a gateFor) Release()                          { a.g.Release() }

// call runs f, one Graph call, while it holds one of the gate's calls; f
// must call under the ctx it is given, which carries the hold
// (graph.WithCallSlot): a report run f waits for gives it back between
// polls, so the gate bounds calls, not those waits. Retry back-offs and
// usage pacing keep it, as backpressure.
func (a gateFor) call(ctx context.Context, f func(ctx context.Context) error) error {
	h := &heldCall{gate: a}
	if err := h.Acquire(ctx); err != nil {
		return err
	}
	defer h.Release()
	return f(graph.WithCallSlot(ctx, h))
}

// heldCall is one call's hold on the gate (a graph.CallSlot); it knows
// whether it holds, so that the call's end releases only a hold it has. Not
// safe for concurrent use: one call uses it.
type heldCall struct {
	gate gateFor
	held bool
}

func (h *heldCall) Acquire(ctx context.Context) error {
	if h.held {
		return nil
	}
	if err := h.gate.Acquire(ctx); err != nil {
		return err
	}
	h.held = true
	return nil
}

func (h *heldCall) Release() {
	if h.held {
		h.held = false
		h.gate.Release()
	}
}

// waiter is a call waiting at the gate; index is its place in the queue, -1
// once admitted or removed.
type waiter struct {
	prio    int
	arrival uint64
	ready   chan struct{}
	index   int
}

// waitQueue orders waiters by priority, then arrival (container/heap).
type waitQueue []*waiter

func (q waitQueue) Len() int { return len(q) }
func (q waitQueue) Less(i, j int) bool {
	if q[i].prio != q[j].prio {
		return q[i].prio < q[j].prio
	}
	return q[i].arrival < q[j].arrival
}
func (q waitQueue) Swap(i, j int) {
	q[i], q[j] = q[j], q[i]
	q[i].index, q[j].index = i, j
}
func (q *waitQueue) Push(x any) {
	w := x.(*waiter)
	w.index = len(*q)
	*q = append(*q, w)
}
func (q *waitQueue) Pop() any {
	old := *q
	w := old[len(old)-1]
	old[len(old)-1] = nil
	w.index = -1
	*q = old[:len(old)-1]
	return w
}
