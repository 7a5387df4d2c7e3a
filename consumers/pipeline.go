package consumers

import "context"

// The consumer overlaps Kafka with ClickHouse: a full batch is stored and
// committed on a goroutine of its own (flush) while the loop polls and
// decodes the next one, so ClickHouse is not left idle during polls and
// decodes, nor the consumer during inserts. At most one batch is in flight:
// handing over the next waits for it, which keeps a partition's commits in
// order (never backwards), bounds memory to two batches, and keeps the
// store's inserts of daily rows one at a time (their rollup changes are
// computed against what ad_days held before, see store.insertDays).
//
// Offsets are still committed only after their batch's rows are inserted:
// flush does both, in that order. Whatever the loop polled is either
// pending, in flight, or committed; the loop allows a rebalance only when
// nothing is pending or in flight, and drains both at once when a rebalance
// waits for it (OnPartitionsCallbackBlocked), so the group never hands a
// partition on with records of it uncommitted.

// inflight is a batch being flushed by its own goroutine.
type inflight struct {
	b    *batch
	done chan error // flush's result, sent once
}

// handOver starts flushing the pending batch on its own goroutine, after
// the batch in flight (if any) is stored and committed. The goroutine runs
// under ctx; the loop always takes its result (await) before it returns.
func (c *consumer) handOver(ctx context.Context) error {
	if err := c.await(); err != nil {
		return err
	}
	if c.pending.empty() {
		return nil
	}
	f := &inflight{b: new(batch), done: make(chan error, 1)}
	*f.b, c.pending = c.pending, batch{}
	go func() { f.done <- c.flush(ctx, f.b) }()
	c.inflight = f
	return nil
}

// await waits for the batch in flight, if any; once it returns nil, that
// batch is stored and its offsets committed.
func (c *consumer) await() error {
	if c.inflight == nil {
		return nil
	}
	return c.land(<-c.inflight.done)
}

// landed reports, without waiting, whether no batch is in flight any more,
// taking the result of one that finished.
func (c *consumer) landed() (bool, error) {
	if c.inflight == nil {
		return true, nil
	}
	select {
	case err := <-c.inflight.done:
		return true, c.land(err)
	default:
		return false, nil
	}
}

// land takes the result of the batch in flight.
func (c *consumer) land(err error) error {
	b := c.inflight.b
	c.inflight = nil
	if err != nil {
		return err
	}
	c.stored(b)
	return nil
}

// drain stores and commits everything polled so far on the calling
// goroutine: the batch in flight, then the pending one.
func (c *consumer) drain(ctx context.Context) error {
	if err := c.await(); err != nil {
		return err
	}
	if err := c.flush(ctx, &c.pending); err != nil {
		return err
	}
	c.stored(&c.pending)
	c.pending = batch{}
	return nil
}

// stored notes a batch that is inserted and committed.
func (c *consumer) stored(b *batch) {
	if b.empty() {
		return
	}
	c.flushed = true
	if c.agg != nil {
		c.agg.note(b.events) // stored and committed: their completions may now be aggregated
	}
}

// unsettled is how many polled records are not yet stored and committed.
func (c *consumer) unsettled() int {
	n := c.pending.len()
	if c.inflight != nil {
		n += c.inflight.b.len()
	}
	return n
}
