package consumers

import (
	"context"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/adstream/adstream/schemas"
)

// batch is what was polled but not yet inserted and committed.
type batch struct {
	started  time.Time
	records  []*kgo.Record // every record, for the commit
	ads      []*schemas.Ad
	insights []*schemas.AdInsight
	events   []*schemas.SyncEvent
	dead     []*kgo.Record // dead letters to publish before the commit
}

func (b *batch) len() int    { return len(b.records) }
func (b *batch) empty() bool { return len(b.records) == 0 }

// add decodes a record into the batch, or marks it dead with the reason. A
// record that needs the schema registry while the registry does not answer
// is held until it does (awaitRegistry), never dead-lettered. add returns
// false when ctx ended while the record was held: it is not in the batch,
// and no record polled after it may be added either, or the commit would
// move its partition past it.
func (c *consumer) add(ctx context.Context, r *kgo.Record) bool {
	v, err := c.decode(r)
	if schemas.IsTransient(err) {
		if v, err = c.awaitRegistry(ctx, r, err); ctx.Err() != nil {
			return false
		}
	}
	b := &c.pending
	if b.empty() {
		b.started = time.Now()
	}
	b.records = append(b.records, r)
	if err == nil {
		err = c.storable(v)
	}
	if err == nil {
		err = b.place(r.Topic, v, c.cfg)
	}
	if err != nil {
		c.deadLetter(r, err.Error())
	}
	return true
}

// place puts a decoded value in its slice, checking it came from its topic.
func (b *batch) place(topic string, v any, cfg Config) error {
	switch rec := v.(type) {
	case *schemas.Ad:
		if topic == cfg.Topics.Ads {
			b.ads = append(b.ads, rec)
			return nil
		}
	case *schemas.AdInsight:
		if topic == cfg.Topics.Insights {
			b.insights = append(b.insights, rec)
			return nil
		}
	case *schemas.SyncEvent:
		if topic == cfg.Topics.SyncEvents {
			b.events = append(b.events, rec)
			return nil
		}
	}
	return fmt.Errorf("record of type %T does not belong on topic %s", v, topic)
}

func (c *consumer) deadLetter(r *kgo.Record, reason string) {
	val, err := c.deps.Codec.Encode(&schemas.DeadLetter{
		OriginalTopic: r.Topic, Partition: r.Partition, Offset: r.Offset,
		Key: r.Key, Value: r.Value, Reason: reason, At: time.Now().UTC(),
	})
	if err != nil {
		c.deps.Log.Error("encode dead letter", "topic", r.Topic, "partition", r.Partition, "offset", r.Offset, "err", err)
		return
	}
	c.pending.dead = append(c.pending.dead, &kgo.Record{Topic: c.cfg.Topics.DLQ, Key: r.Key, Value: val})
	c.metrics.dlq.Inc()
	c.deps.Log.Warn("record sent to dead-letter topic", "topic", r.Topic, "partition", r.Partition, "offset", r.Offset, "reason", reason)
}
