package bus

import (
	"context"
	"fmt"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/adstream/adstream/schemas"
)

// SyncQueue publishes sync requests, keyed by brand so one brand's jobs stay
// in order on one partition.
type SyncQueue struct {
	cl    *kgo.Client
	topic string
	codec schemas.Codec
}

// NewSyncQueue returns a queue that produces to topic through cl.
func NewSyncQueue(cl *kgo.Client, topic string, codec schemas.Codec) *SyncQueue {
	return &SyncQueue{cl: cl, topic: topic, codec: codec}
}

// Enqueue publishes req and waits until the broker acknowledged it.
func (q *SyncQueue) Enqueue(ctx context.Context, req *schemas.SyncRequest) error {
	val, err := q.codec.Encode(req)
	if err != nil {
		return fmt.Errorf("encode sync request: %w", err)
	}
	if err := q.cl.ProduceSync(ctx, &kgo.Record{Topic: q.topic, Key: []byte(req.BrandID), Value: val}).FirstErr(); err != nil {
		return fmt.Errorf("publish sync request: %w", err)
	}
	return nil
}
