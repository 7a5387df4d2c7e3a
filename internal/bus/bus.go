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

// NewClient returns a client on brokers with adstream's defaults (idempotent
// producer, lz4 batches) plus opts.
func NewClient(brokers []string, log *slog.Logger, opts ...kgo.Opt) (*kgo.Client, error) {
	base := []kgo.Opt{
		kgo.SeedBrokers(brokers...),
		kgo.ProducerBatchCompression(kgo.Lz4Compression(), kgo.NoCompression()),
		kgo.ProducerLinger(5 * time.Millisecond),
		kgo.RecordDeliveryTimeout(2 * time.Minute),
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
