package producers

import (
	"context"
	"sync"
)

// DefaultGraphConcurrency is how many Graph calls a job has in flight unless
// Config.GraphConcurrency says otherwise: at 100 ms a call it brings a 10,000
// ad sync near the time its longest run of sequential pages takes (see
// BenchmarkSync), far below Meta's per-account call budget.
const DefaultGraphConcurrency = 8

// callGate bounds the Graph calls a job has in flight. The bound shrinks as
// the API's reported usage rises, from max below calmPct to one call at
// SlowDownAt and above, where graph.Client also starts spacing calls out: a
// job whose accounts near their limits sends one call at a time, as a
// sequential job did. It is safe for concurrent use.
type callGate struct {
	max   int
	usage func() float64 // the highest usage percentage the job's accounts reported

	mu       sync.Mutex
	inFlight int
	freed    chan struct{} // closed and replaced whenever a call ends
}

// calmPct and busyPct are where the gate starts narrowing and where it
// admits one call (graph.Config.SlowDownAt's default).
const (
	calmPct = 50.0
	busyPct = 90.0
)

func newCallGate(limit int, usage func() float64) *callGate {
	return &callGate{max: max(limit, 1), usage: usage, freed: make(chan struct{})}
}

// allowed is how many calls may be in flight at usage pct.
func (g *callGate) allowed(pct float64) int {
	switch {
	case pct <= calmPct:
		return g.max
	case pct >= busyPct:
		return 1
	}
	n := float64(g.max) * (busyPct - pct) / (busyPct - calmPct)
	return max(1, int(n))
}

// Acquire waits until a call may start, or returns ctx's error when ctx ends
// first. Every nil return must be followed by one Release.
func (g *callGate) Acquire(ctx context.Context) error {
	for {
		limit := g.allowed(g.usage())
		g.mu.Lock()
		if g.inFlight < limit {
			g.inFlight++
			g.mu.Unlock()
			return nil
		}
		freed := g.freed
		g.mu.Unlock()
		// A call is in flight (limit ≥ 1), so a Release comes.
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-freed:
		}
	}
}

// Release ends a call Acquire admitted.
func (g *callGate) Release() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.inFlight--
	close(g.freed)
	g.freed = make(chan struct{})
}
