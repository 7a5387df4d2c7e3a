package bus

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/adstream/adstream/schemas"
)

// ErrUnavailable is wrapped by every Enqueue error that means Kafka could not
// take the request now — no broker answers, the partition has no leader, the
// topic does not exist — so the caller may try again later.
var ErrUnavailable = errors.New("kafka unavailable")

// EnqueueTimeout bounds Enqueue when the queue sets no Timeout. A healthy
// broker acknowledges in milliseconds and a leader election takes a few
// seconds; an HTTP client of POST /sync should hear "try again later" well
// before its own timeout (often 30 s), not after the client's 2-minute
// record delivery timeout.
const EnqueueTimeout = 5 * time.Second

// SyncQueue publishes sync requests, keyed by brand so one brand's jobs stay
// in order on one partition.
type SyncQueue struct {
	cl    *kgo.Client
	topic string
	codec schemas.Codec
	// Timeout bounds each Enqueue; zero means EnqueueTimeout.
	Timeout time.Duration
}

// NewQueueClient returns a client for a SyncQueue: NewClient's, but without
// idempotent writes. franz-go may not drop an idempotent record once a
// request carrying it was sent, so a sync request that Enqueue reported as
// not queued (its broker went away mid-request) would still be delivered
// once the broker is back, and its job would run unrecorded. Without
// idempotence the record is failed when Enqueue gives up; the price is
// that a retried produce whose first acknowledgement was lost may deliver
// a request twice, with the same job id. opts are added as in NewClient.
func NewQueueClient(brokers []string, log *slog.Logger, opts ...kgo.Opt) (*kgo.Client, error) {
	return NewClient(brokers, log, append([]kgo.Opt{kgo.DisableIdempotentWrite()}, opts...)...)
}

// NewSyncQueue returns a queue that produces to topic through cl; a client
// from NewQueueClient keeps Enqueue's "not queued" exact.
func NewSyncQueue(cl *kgo.Client, topic string, codec schemas.Codec) *SyncQueue {
	return &SyncQueue{cl: cl, topic: topic, codec: codec}
}

// Enqueue publishes req and waits until the broker acknowledged it, for at
// most the queue's Timeout. Past it, or when Kafka answers that it cannot
// take the record, the error wraps ErrUnavailable; when ctx ends first, it
// wraps ctx's error. Either way the request was not acknowledged, so the
// caller must not record it as queued. One case no producer can close: a
// request the broker stored but whose acknowledgement was lost; its job
// then runs and reports its progress through sync events like any other.
// With an idempotent client (see NewQueueClient) that case also covers a
// request sent just before its broker went away.
func (q *SyncQueue) Enqueue(ctx context.Context, req *schemas.SyncRequest) error {
	val, err := q.codec.Encode(req)
	if err != nil {
		return fmt.Errorf("encode sync request: %w", err)
	}
	timeout := cmp.Or(q.Timeout, EnqueueTimeout)
	pctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	// franz-go fails a record on pctx's end only while no request carrying it
	// is in flight, so the wait below has its own bound. The channel is
	// buffered: the promise may run after Enqueue returned.
	acked := make(chan error, 1)
	q.cl.Produce(pctx, &kgo.Record{Topic: q.topic, Key: []byte(req.BrandID), Value: val},
		func(_ *kgo.Record, err error) { acked <- err })
	select {
	case err = <-acked:
	case <-pctx.Done():
		err = pctx.Err()
	}
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return fmt.Errorf("publish sync request: %w", ctx.Err())
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("publish sync request to %s: no broker acknowledged it within %s: %w", q.topic, timeout, ErrUnavailable)
	case errors.Is(err, kerr.UnknownTopicOrPartition):
		return fmt.Errorf("publish sync request: topic %s does not exist: %w: %w", q.topic, ErrUnavailable, err)
	case unavailable(err):
		return fmt.Errorf("publish sync request to %s: %w: %w", q.topic, ErrUnavailable, err)
	}
	return fmt.Errorf("publish sync request to %s: %w", q.topic, err)
}

// unavailable reports whether a produce error is Kafka's "not now" rather
// than a refusal of the record (too large, not authorized, ...).
func unavailable(err error) bool {
	var netErr *net.OpError
	return kerr.IsRetriable(err) || errors.As(err, &netErr) ||
		errors.Is(err, kgo.ErrRecordTimeout) || errors.Is(err, kgo.ErrRecordRetries) || errors.Is(err, kgo.ErrClientClosed)
}
