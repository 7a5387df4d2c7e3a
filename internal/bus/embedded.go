package bus

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

// Embedded is an in-process Kafka-compatible broker (franz-go's kfake) for
// `adstream dev` when no brokers are configured. Its data lives in memory,
// bounded two ways so that a dev stack's memory stays flat however many ads
// it syncs and however many syncs it runs: every TrimEvery, records that
// every consumer group has committed past are deleted (trimConsumed), and
// every RetentionEvery, records older than Retention, and the oldest beyond
// RetentionBytes per partition, are dropped. Consumers commit within
// seconds, so the broker holds little more than the consumer's lag.
type Embedded struct {
	c    *kfake.Cluster
	adm  *kadm.Client
	stop chan struct{}
	done chan struct{}
}

// The embedded broker's retention.
const (
	Retention      = 10 * time.Minute
	RetentionBytes = 64 << 20
	RetentionEvery = 30 * time.Second
	TrimEvery      = 5 * time.Second
	SegmentBytes   = 1 << 20
)

// StartEmbedded starts the broker on a loopback port (0 picks a free one).
func StartEmbedded(port int) (*Embedded, error) {
	return startEmbedded(port, Retention, RetentionEvery, TrimEvery)
}

func startEmbedded(port int, retention, every, trimEvery time.Duration) (*Embedded, error) {
	opts := []kfake.Opt{kfake.NumBrokers(1), kfake.DefaultNumPartitions(Partitions), kfake.AllowAutoTopicCreation(),
		kfake.BrokerConfigs(map[string]string{
			"log.retention.ms":    strconv.FormatInt(retention.Milliseconds(), 10),
			"log.retention.bytes": strconv.Itoa(RetentionBytes),
			// Retention and trimming free whole segments only, and a
			// partition's active one grows until it rolls (100 MiB by
			// default): small segments let the memory go.
			"log.segment.bytes": strconv.Itoa(SegmentBytes),
		})}
	if port > 0 {
		opts = append(opts, kfake.Ports(port))
	}
	c, err := kfake.NewCluster(opts...)
	if err != nil {
		return nil, fmt.Errorf("embedded kafka: %w", err)
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...))
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("embedded kafka admin: %w", err)
	}
	e := &Embedded{c: c, adm: kadm.NewClient(cl), stop: make(chan struct{}), done: make(chan struct{})}
	// kfake applies broker-level retention only when asked: Close stops this.
	go func() {
		defer close(e.done)
		retain, trim := time.NewTicker(every), time.NewTicker(trimEvery)
		defer retain.Stop()
		defer trim.Stop()
		for {
			select {
			case <-e.stop:
				return
			case <-retain.C:
				c.ApplyRetention()
			case <-trim.C:
				// A failed trim leaves the records to time retention;
				// the next tick tries again.
				ctx, cancel := context.WithTimeout(context.Background(), trimEvery)
				_ = trimConsumed(ctx, e.adm)
				cancel()
			}
		}
	}()
	return e, nil
}

// Brokers returns the seed addresses.
func (e *Embedded) Brokers() []string { return e.c.ListenAddrs() }

// Close stops the broker; records it held are gone.
func (e *Embedded) Close() {
	close(e.stop)
	<-e.done
	e.adm.Close()
	e.c.Close()
}
