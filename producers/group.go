package producers

import (
	"context"
	"sync"
)

// group runs a job's concurrent parts and keeps the first error: the first
// failure cancels the context the others run under, and Wait returns it once
// every part has returned.
type group struct {
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	slots  chan struct{} // nil: no bound

	mu  sync.Mutex
	err error
}

// newGroup returns a group whose parts run under a context derived from ctx;
// limit > 0 bounds how many run at once (Go blocks meanwhile).
func newGroup(ctx context.Context, limit int) *group {
	g := &group{}
	g.ctx, g.cancel = context.WithCancel(ctx)
	if limit > 0 {
		g.slots = make(chan struct{}, limit)
	}
	return g
}

// Context is what the group's parts run under: cancelled at the first failure.
func (g *group) Context() context.Context { return g.ctx }

// Go runs f in its own goroutine, once fewer than limit parts are running.
func (g *group) Go(f func(ctx context.Context) error) {
	if g.slots != nil {
		g.slots <- struct{}{}
	}
	g.wg.Go(func() {
		defer func() {
			if g.slots != nil {
				<-g.slots
			}
		}()
		if err := f(g.ctx); err != nil {
			g.mu.Lock()
			defer g.mu.Unlock()
			if g.err == nil {
				g.err = err
				g.cancel()
			}
		}
	})
}

// Wait waits for every part and returns the first error.
func (g *group) Wait() error {
	g.wg.Wait()
	g.cancel()
	return g.err
}
