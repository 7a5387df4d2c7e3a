package bus

import (
	"fmt"
	"strconv"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
)

// Embedded is an in-process Kafka-compatible broker (franz-go's kfake) for
// `adstream dev` when no brokers are configured. Its data lives in memory,
// bounded by retention: records older than Retention, and the oldest beyond
// RetentionBytes per partition, are dropped every RetentionEvery, so a dev
// stack's memory stays flat however many syncs it runs. Consumers commit
// within seconds, so nothing unread is dropped in practice.
type Embedded struct {
	c    *kfake.Cluster
	stop chan struct{}
	done chan struct{}
}

// The embedded broker's retention.
const (
	Retention      = 10 * time.Minute
	RetentionBytes = 64 << 20
	RetentionEvery = 30 * time.Second
)

// StartEmbedded starts the broker on a loopback port (0 picks a free one).
func StartEmbedded(port int) (*Embedded, error) {
	return startEmbedded(port, Retention, RetentionEvery)
}

func startEmbedded(port int, retention, every time.Duration) (*Embedded, error) {
	opts := []kfake.Opt{kfake.NumBrokers(1), kfake.DefaultNumPartitions(Partitions), kfake.AllowAutoTopicCreation(),
		kfake.BrokerConfigs(map[string]string{
			"log.retention.ms":    strconv.FormatInt(retention.Milliseconds(), 10),
			"log.retention.bytes": strconv.Itoa(RetentionBytes),
		})}
	if port > 0 {
		opts = append(opts, kfake.Ports(port))
	}
	c, err := kfake.NewCluster(opts...)
	if err != nil {
		return nil, fmt.Errorf("embedded kafka: %w", err)
	}
	e := &Embedded{c: c, stop: make(chan struct{}), done: make(chan struct{})}
	// kfake applies broker-level retention only when asked: Close stops this.
	go func() {
		defer close(e.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-e.stop:
				return
			case <-t.C:
				c.ApplyRetention()
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
	e.c.Close()
}
