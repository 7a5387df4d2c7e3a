// Package bus builds franz-go clients for adstream's topics and runs the embedded broker.
package bus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/plugin/kprom"
	"github.com/twmb/franz-go/plugin/kslog"
)

// Partitions is how many partitions EnsureTopics gives a new topic: the
// unit of parallelism of producers and consumers.
const Partitions = 6

// The memory a client holds for Kafka, whatever the backlog: a sync's
// producer publishes far ahead of the consumers, so a consumer always finds
// a full fetch waiting and a producer whose broker slows down would buffer
// without end.
const (
	// FetchMaxBytes bounds one fetch's compressed bytes; a client buffers at
	// most one fetch per broker until it is polled. With franz-go's default
	// (50 MiB, 1 MiB a partition: 18 MiB over adstream's 18 partitions) the
	// consumer's client held 70 MB of decompressed records and their structs
	// during a sync of 100k ads; with 4 MiB, half that, most of it the
	// records of the consumer's own two batches. 4 MiB is some 50,000
	// records (lz4 shrinks them about 5 times): half a consumer process's
	// batch (consumers.DefaultBatchRows), five of dev's, so a poll still
	// finds records waiting while the next fetch is in flight.
	FetchMaxBytes = 4 << 20
	// MaxBufferedBytes bounds the records a producer has handed to the
	// client and Kafka has not acknowledged; Produce blocks past it, which
	// paces the producer by the broker instead of by memory (franz-go's
	// default bounds records only, 50,000 of them).
	MaxBufferedBytes = 16 << 20
)

// NewClient returns a client on brokers with adstream's defaults (idempotent
// producer, lz4 batches, the memory bounds above) plus opts.
func NewClient(brokers []string, log *slog.Logger, opts ...kgo.Opt) (*kgo.Client, error) {
	base := []kgo.Opt{
		kgo.SeedBrokers(brokers...),
		kgo.ProducerBatchCompression(kgo.Lz4Compression(), kgo.NoCompression()),
		kgo.ProducerLinger(5 * time.Millisecond),
		kgo.RecordDeliveryTimeout(2 * time.Minute),
		kgo.MaxBufferedBytes(MaxBufferedBytes),
		kgo.FetchMaxBytes(FetchMaxBytes),
		kgo.WithLogger(warnLogger{kslog.New(log.With("system", "kafka"))}),
	}
	cl, err := kgo.NewClient(append(base, opts...)...)
	if err != nil {
		return nil, fmt.Errorf("kafka client: %w", err)
	}
	return cl, nil
}

// EnsureTopics makes sure topics exist, creating the missing ones and
// retrying while the brokers come up, until ctx ends. Topics that exist are
// left alone, so a client that may not create topics passes once they do.
// The error names the topics and the last failure seen.
func EnsureTopics(ctx context.Context, cl *kgo.Client, topics ...string) error {
	adm := kadm.NewClient(cl)
	for attempt := 0; ; attempt++ {
		last := ensureTopics(ctx, adm, topics)
		if last == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("topics %s: %w (last error: %v)", strings.Join(topics, ", "), ctx.Err(), last)
		case <-time.After(time.Duration(min(attempt+1, 10)) * 200 * time.Millisecond):
		}
	}
}

// ensureTopics lists topics and creates those the brokers do not know.
func ensureTopics(ctx context.Context, adm *kadm.Client, topics []string) error {
	listed, err := adm.ListTopics(ctx, topics...)
	if err != nil {
		return err
	}
	var missing []string
	for _, t := range topics {
		if d, ok := listed[t]; !ok || d.Err != nil {
			missing = append(missing, t)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	resp, err := adm.CreateTopics(ctx, Partitions, -1, nil, missing...)
	if err != nil {
		return err
	}
	var errs []error
	for _, r := range resp.Sorted() {
		if r.Err != nil && !errors.Is(r.Err, kerr.TopicAlreadyExists) {
			errs = append(errs, fmt.Errorf("create topic %s: %w", r.Topic, r.Err))
		}
	}
	return errors.Join(errs...)
}

// warnLogger is franz-go's slog adapter held at warn whatever the logger's
// level: franz-go's info and debug lines (every metadata refresh, every
// fetch) would drown the role's own.
type warnLogger struct{ *kslog.Logger }

func (warnLogger) Level() kgo.LogLevel { return kgo.LogLevelWarn }

// Metrics registers the client's Kafka metrics on reg (franz-go's kprom:
// adstream_kafka_connects_total, ..._write_bytes_total,
// ..._buffered_produce_records_total, request latency by broker, ...), each
// series labelled client=name, so the clients of one process (`adstream dev`)
// can share a registry; a second client of the same name on one registry
// panics. The series are removed when the client closes. A nil reg adds
// nothing. Pass the result to NewClient.
func Metrics(reg prometheus.Registerer, name string) kgo.Opt {
	if reg == nil {
		return kgo.WithHooks()
	}
	return kgo.WithHooks(kprom.NewMetrics("adstream_kafka",
		kprom.Registerer(reg),
		kprom.WithStaticLabel(prometheus.Labels{"client": name}),
		kprom.Histograms(kprom.RequestDurationE2E),
	))
}
