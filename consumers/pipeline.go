package consumers

import (
	"context"
	"errors"
)

// The consumer overlaps Kafka with ClickHouse, and batches with each other:
// a full batch is stored and committed on a goroutine of its own (flush)
// while the loop polls and decodes the next one, and up to maxInflight
// batches are stored at once, so ClickHouse is not left idle during polls
// and decodes, nor a core while the other one builds an insert. Handing over
// a batch beyond maxInflight waits for the oldest, which bounds memory to
// maxInflight+1 batches.
//
// Batches in flight at once often hold days of one ad (its days straddle
// the two), and the same day of an ad only after a refetch or a
// redelivery; the store makes inserts sharing a day of an ad take turns (its
// rollup changes are computed against what ad_days held before, see
// store.insertDays). Everything past the inserts of ads and insights goes
// in the order the batches were polled: a batch stores its sync events,
// publishes its dead letters and commits only after the batch before it
// did all of that, so a partition's commits never go backwards, and a sync
// event (a job's completion, say) is never stored before the records polled
// before it.
//
// Offsets are still committed only after their batch's rows are inserted:
// flush does both, in that order. Whatever the loop polled is either
// pending, in flight, or committed; the loop allows a rebalance only when
// nothing is pending or in flight, and drains all of it when a rebalance
// waits for it (OnPartitionsCallbackBlocked), so the group never hands a
// partition on with records of it uncommitted.

// maxInflight is how many batches may be flushing at once: two use both
// cores of a small machine (BenchmarkIngest), and each more holds another
// batch in memory.
const maxInflight = 2

// inflight is a batch being flushed by its own goroutine.
type inflight struct {
	b    *batch
	done *settlement
}

// settlement is the result of a flush, for the loop and for the flush of
// the next batch, which waits for it before it commits.
type settlement struct {
	settled chan struct{} // closed once err is set
	err     error
}

// errEarlierBatch is a flush's error when the batch before it failed: this
// one is not committed either, and the loop returns the earlier error.
var errEarlierBatch = errors.New("an earlier batch was not stored")

// wait waits for the flush, or for ctx to end.
func (s *settlement) wait(ctx context.Context) error {
	if s == nil {
		return nil
	}
	select {
	case <-s.settled:
		if s.err != nil {
			return errEarlierBatch
		}
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// handOver starts flushing the pending batch on its own goroutine, after
// waiting for the oldest batch in flight if maxInflight are. The goroutine
// runs under ctx; the loop always takes its result (await) before it returns.
func (c *consumer) handOver(ctx context.Context) error {
	if len(c.inflight) == maxInflight {
		if err := c.land(); err != nil {
			return err
		}
	}
	if c.pending.empty() {
		return nil
	}
	var prev *settlement
	if n := len(c.inflight); n > 0 {
		prev = c.inflight[n-1].done
	}
	f := &inflight{b: new(batch), done: &settlement{settled: make(chan struct{})}}
	*f.b, c.pending = c.pending, batch{}
	go func() {
		f.done.err = c.flush(ctx, f.b, prev)
		close(f.done.settled)
	}()
	c.inflight = append(c.inflight, f)
	return nil
}

// await waits for every batch in flight, oldest first, and returns the
// first error; once it returns nil, they are stored and their offsets
// committed. It waits for all of them even after an error (the batches
// after a failed one fail too: they do not commit before it).
func (c *consumer) await() error {
	var first error
	for len(c.inflight) > 0 {
		if err := c.land(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// landed reports, without waiting, whether no batch is in flight any more,
// taking the results of those that finished, oldest first.
func (c *consumer) landed() (bool, error) {
	for len(c.inflight) > 0 {
		select {
		case <-c.inflight[0].done.settled:
			if err := c.land(); err != nil {
				return false, err
			}
		default:
			return false, nil
		}
	}
	return true, nil
}

// land waits for the oldest batch in flight and takes its result.
func (c *consumer) land() error {
	f := c.inflight[0]
	<-f.done.settled
	c.inflight = c.inflight[1:]
	if f.done.err != nil {
		return f.done.err
	}
	c.stored(f.b)
	return nil
}

// drain stores and commits everything polled so far on the calling
// goroutine: the batches in flight, then the pending one.
func (c *consumer) drain(ctx context.Context) error {
	if err := c.await(); err != nil {
		return err
	}
	if err := c.flush(ctx, &c.pending, nil); err != nil {
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
	for _, f := range c.inflight {
		n += f.b.len()
	}
	return n
}
