package producers

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/adstream/adstream/internal/graph"
	"github.com/adstream/adstream/internal/jobs"
	"github.com/adstream/adstream/schemas"
)

// jobRun is one attempt of a job while its units run concurrently: every
// account at once, each account's range pass first and then its chunks of
// days together, all sharing one callGate so that the job keeps a bounded
// number of Graph calls in flight. It counts what the units publish and
// reports progress and checkpoints as they end, whatever their order.
type jobRun struct {
	// ctx is the job's: records and events are produced under it, not
	// under the context of the unit that made them, which ends with the
	// unit while its records may still be buffered.
	ctx  context.Context
	w    *worker
	req  *schemas.SyncRequest
	tok  graph.Token
	plan jobs.Plan
	gate *callGate

	mu    sync.Mutex
	res   *jobResult // the attempt's counts and progress; guarded by mu
	accts []*acctRun // the accounts this run does, in the plan's order
	from  jobs.Checkpoint
	next  int // accts[:next] are covered by res.checkpoint
}

// acctRun is what one account of a jobRun did; its counts are guarded by
// jobRun.mu.
type acctRun struct {
	id      string
	planned int64   // its ads: the most its range pass publishes
	gate    gateFor // the job's gate, at the account's place in the plan

	ranging   bool    // its range pass runs
	rangeFrac float64 // and is this far through
	unitsLeft int64
	finished  bool // every unit done and every record delivered

	ads, insights, days int64
	out                 *deliveries
}

func newJobRun(ctx context.Context, w *worker, req *schemas.SyncRequest, tok graph.Token, plan jobs.Plan, skip int, from jobs.Checkpoint, res *jobResult) *jobRun {
	r := &jobRun{ctx: ctx, w: w, req: req, tok: tok, plan: plan, res: res, from: from}
	accounts := slices.Clone(plan.Accounts)
	r.gate = newCallGate(w.concurrency(), func() float64 {
		// Ids lookups name no account: their usage is kept under "".
		pct, _ := w.deps.Graph.Usage("")
		worst := pct.MaxPct
		for _, a := range accounts {
			if u, ok := w.deps.Graph.Usage(a); ok {
				worst = max(worst, u.MaxPct)
			}
		}
		return worst
	})
	for i, id := range plan.Accounts[skip:] {
		r.accts = append(r.accts, &acctRun{id: id, planned: res.plannedBy[id], gate: gateFor{r.gate, i},
			unitsLeft: 1 + int64(len(plan.Chunks)), out: newDeliveries()})
	}
	return r
}

// run does every account's units and returns the first error; the first
// failure cancels the other units.
func (r *jobRun) run(ctx context.Context) error {
	g, ctx := errgroup.WithContext(ctx)
	for _, a := range r.accts {
		g.Go(func() error { return r.account(ctx, a) })
	}
	return g.Wait()
}

// account runs an account's range pass, then its chunks of days together
// (they need the range pass's creative types and statuses), then waits
// until Kafka has every record of the account and checkpoints. A REFRESH
// re-reads only the ads changed since the catalog's last range pass of the
// account; a FULL sync re-reads them all.
func (r *jobRun) account(ctx context.Context, a *acctRun) error {
	r.mu.Lock()
	a.ranging = true
	r.mu.Unlock()
	began := time.Now()
	var known *accountAds
	if r.req.Kind == schemas.SyncKindRefresh {
		known = r.w.catalog.known(r.req.BrandID, a.id)
	}
	ch, err := r.changedSince(ctx, a, known)
	if err != nil {
		return err
	}
	meta, err := r.syncAccount(ctx, a, known, ch)
	if err != nil {
		return err
	}
	r.unitDone(a)
	g, gctx := errgroup.WithContext(ctx)
	for _, c := range r.plan.Chunks {
		g.Go(func() error {
			if err := r.syncDays(gctx, a, c, meta); err != nil {
				return err
			}
			r.unitDone(a)
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	r.w.catalog.learn(r.req.BrandID, a.id, time.Since(began), known, meta.m, ch)
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-a.out.seal():
	}
	return r.accountDelivered(a)
}

// published counts records an account published and reports progress when
// the range pass moved on.
func (r *jobRun) published(a *acctRun, ads, insights, days int64, seen int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	a.ads, a.insights, a.days = a.ads+ads, a.insights+insights, a.days+days
	r.res.ads, r.res.insights, r.res.days = r.res.ads+ads, r.res.insights+insights, r.res.days+days
	if a.ranging && seen > 0 {
		a.rangeFrac = float64(seen) / float64(max(a.planned, 1))
		r.progressLocked()
	}
}

// unitDone counts a unit of a as done and reports progress.
func (r *jobRun) unitDone(a *acctRun) {
	r.mu.Lock()
	defer r.mu.Unlock()
	a.unitsLeft--
	a.ranging, a.rangeFrac = false, 0
	r.res.unitsDone++
	r.progressLocked()
}

// progressLocked publishes a progress event; the percentage counts the done
// units and how far the running range passes are, and never goes back.
func (r *jobRun) progressLocked() {
	var running float64
	for _, a := range r.accts {
		if a.ranging {
			running += min(a.rangeFrac, 1)
		}
	}
	r.res.permille = max(r.res.permille, jobs.Permille(r.res.unitsDone, r.res.unitsTotal, running))
	r.w.publishEvent(r.ctx, r.req, schemas.SyncProgress, *r.res, jobs.Failure{})
}

// accountDelivered marks a's records all delivered and moves the checkpoint
// over the accounts at the front of the plan that are: a checkpoint covers a
// prefix of the plan's units (jobs.Plan.Resume), so an account finished
// before an earlier one is covered once that one is.
func (r *jobRun) accountDelivered(a *acctRun) error {
	if err := r.w.takeProduceErr(); err != nil {
		return fmt.Errorf("publish records: %w", err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	a.finished = true
	moved := false
	for r.next < len(r.accts) && r.accts[r.next].finished {
		r.next++
		moved = true
	}
	if !moved {
		return nil
	}
	c := r.from
	c.Plan = r.res.checkpoint.Plan
	for _, done := range r.accts[:r.next] {
		c.Units += 1 + int64(len(r.plan.Chunks))
		c.Ads, c.Insights, c.Days = c.Ads+done.ads, c.Insights+done.insights, c.Days+done.days
	}
	r.res.checkpoint = c
	r.progressLocked()
	return nil
}

// adMetas is what the daily rows need of each ad of an account, filled by
// its range pass and by the lookups of ads that gained data since; safe for
// concurrent use.
type adMetas struct {
	mu sync.RWMutex
	m  map[string]adMeta
}

func newAdMetas() *adMetas { return &adMetas{m: map[string]adMeta{}} }

func (m *adMetas) get(id string) (adMeta, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	v, ok := m.m[id]
	return v, ok
}

func (m *adMetas) len() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return len(m.m)
}

func (m *adMetas) put(add map[string]adMeta) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	maps.Copy(m.m, add)
	return len(m.m)
}
