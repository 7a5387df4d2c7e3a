package consumers

import (
	"context"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/adstream/adstream/schemas"
)

// awaitRegistry decodes r again, backing off from 200 ms to 10 s, for as long
// as the schema registry does not answer (schemas.IsTransient, first being the
// error of the first try). Dead-lettering r would lose a good record to an
// outage; skipping it would commit its partition past it. So the consumer
// waits with it, every partition alike (a rebalance waits too, as during a
// ClickHouse outage), and what it polled before r is stored and committed
// first, so the wait holds back nothing but r and what comes after it.
//
// It returns the outcome of the first decode that was not transient: the
// record, or the error that dead-letters it. When ctx ends first it returns
// ctx's error, r stays uncommitted and the group delivers it again.
func (c *consumer) awaitRegistry(ctx context.Context, r *kgo.Record, first error) (any, error) {
	log := c.deps.Log.With("topic", r.Topic, "partition", r.Partition, "offset", r.Offset)
	if err := c.drain(ctx); err != nil {
		return nil, err
	}
	c.metrics.pending.Set(0)
	err := first
	for backoff := 200 * time.Millisecond; ; backoff = min(backoff*2, 10*time.Second) {
		c.metrics.registryRetries.Inc()
		log.Warn("schema registry unavailable, holding the record", "backoff", backoff, "err", err)
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(backoff):
		}
		var v any
		if v, err = c.decode(r); !schemas.IsTransient(err) {
			log.Info("schema registry answered, consuming again")
			return v, err
		}
	}
}
