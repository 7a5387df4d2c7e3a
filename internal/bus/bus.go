// Package bus builds franz-go clients for adstream's topics and runs the embedded broker.
package bus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
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
		kgo.WithLogger(kgoLogger{log}),
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

// kgoLogger sends franz-go's own warnings and errors to slog.
type kgoLogger struct{ log *slog.Logger }

func (l kgoLogger) Level() kgo.LogLevel { return kgo.LogLevelWarn }

func (l kgoLogger) Log(level kgo.LogLevel, msg string, keyvals ...any) {
	lv := slog.LevelWarn
	if level == kgo.LogLevelError {
		lv = slog.LevelError
	}
	l.log.Log(context.Background(), lv, "kafka: "+msg, keyvals...)
}
