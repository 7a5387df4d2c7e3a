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
	n        int // records polled into the batch
	ends     map[topicPartition]*kgo.Record
	ads      []*schemas.Ad
	insights []*schemas.AdInsight
	events   []*schemas.SyncEvent
	dead     []*kgo.Record // dead letters to publish before the commit
}

type topicPartition struct {
	topic     string
	partition int32
}

func (b *batch) len() int    { return b.n }
func (b *batch) empty() bool { return b.n == 0 }

// polled counts r into the batch and keeps its position, the furthest of
// its partition so far (a partition's records are polled in order), for the
// commit. Only the position: a record holds its value, and with it the whole
// fetch it was decompressed into, while the decoded rows hold copies of
// what they need (a fifth of the consumer's heap at 20k rows a batch).
func (b *batch) polled(r *kgo.Record) {
	b.n++
	if b.ends == nil {
		b.ends = map[topicPartition]*kgo.Record{}
	}
	k := topicPartition{r.Topic, r.Partition}
	end, ok := b.ends[k]
	if !ok {
		end = &kgo.Record{Topic: r.Topic, Partition: r.Partition}
		b.ends[k] = end
	}
	end.LeaderEpoch, end.Offset = r.LeaderEpoch, r.Offset
}

// commits are the records whose offsets commit the batch: the furthest of
// each partition.
func (b *batch) commits() []*kgo.Record {
	out := make([]*kgo.Record, 0, len(b.ends))
	for _, r := range b.ends {
		out = append(out, r)
	}
	return out
}

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
	b.polled(r)
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
