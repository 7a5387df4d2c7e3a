package consumers

import (
	"context"
	"fmt"
	"time"
)

// flush inserts b's ads and insights, waits for the batch handed over
// before it (prev, nil when none is in flight), then inserts its sync
// events, publishes its dead letters and commits its offsets, in that order
// (pipeline.go says why). Inserts are retried with backoff until they
// succeed or ctx ends: an unreachable ClickHouse stalls the consumer, it
// never drops data. A crash between insert and commit redelivers the batch,
// which the ReplacingMergeTree tables absorb. flush touches nothing but b,
// the sink, the client and the metrics, so it may run beside the loop and
// other flushes.
func (c *consumer) flush(ctx context.Context, b *batch, prev *settlement) error {
	if b.empty() {
		return nil
	}
	start := time.Now()
	steps := []struct {
		what string
		do   func(context.Context) error
	}{
		{stepInsertAds, func(ctx context.Context) error { return c.deps.Sink.InsertAds(ctx, b.ads) }},
		{stepInsertInsights, func(ctx context.Context) error { return c.deps.Sink.InsertInsights(ctx, b.insights) }},
		{stepInsertSyncEvents, func(ctx context.Context) error { return c.deps.Sink.InsertSyncEvents(ctx, b.events) }},
		{stepPublishDead, func(ctx context.Context) error { return c.cl.ProduceSync(ctx, b.dead...).FirstErr() }},
		{stepCommit, func(ctx context.Context) error { return c.cl.CommitRecords(ctx, b.commits()...) }},
	}
	for _, s := range steps {
		if s.what == stepInsertSyncEvents {
			if err := prev.wait(ctx); err != nil {
				return err
			}
		}
		if err := c.retry(ctx, s.what, b.len(), s.do); err != nil {
			return fmt.Errorf("%s: %w", s.what, err)
		}
	}
	c.metrics.inserted.WithLabelValues(tableAds).Add(float64(len(b.ads)))
	c.metrics.inserted.WithLabelValues(tableInsights).Add(float64(len(b.insights)))
	c.metrics.inserted.WithLabelValues(tableSyncEvents).Add(float64(len(b.events)))
	c.metrics.flushSeconds.Observe(time.Since(start).Seconds())
	c.deps.Log.Debug("batch flushed", "rows", b.len(), "ads", len(b.ads), "insights", len(b.insights), "events", len(b.events))
	return nil
}

// retry runs do until it succeeds, backing off from 200 ms to 10 s.
func (c *consumer) retry(ctx context.Context, what string, rows int, do func(context.Context) error) error {
	backoff := 200 * time.Millisecond
	for {
		err := do(ctx)
		if err == nil {
			return nil
		}
		c.metrics.insertErrors.WithLabelValues(what).Inc()
		c.deps.Log.Warn("batch step failed, retrying", "step", what, "rows", rows, "backoff", backoff, "err", err)
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (last error: %v)", ctx.Err(), err)
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 10*time.Second)
	}
}
