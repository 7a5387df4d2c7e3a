package bus

import (
	"fmt"

	"github.com/twmb/franz-go/pkg/kfake"
)

// Embedded is an in-process Kafka-compatible broker (franz-go's kfake) for
// `adstream dev` when no brokers are configured. Its data lives in memory.
type Embedded struct{ c *kfake.Cluster }

// StartEmbedded starts the broker on a loopback port (0 picks a free one).
func StartEmbedded(port int) (*Embedded, error) {
	opts := []kfake.Opt{kfake.NumBrokers(1), kfake.DefaultNumPartitions(Partitions), kfake.AllowAutoTopicCreation()}
	if port > 0 {
		opts = append(opts, kfake.Ports(port))
	}
	c, err := kfake.NewCluster(opts...)
	if err != nil {
		return nil, fmt.Errorf("embedded kafka: %w", err)
	}
	return &Embedded{c: c}, nil
}

// Brokers returns the seed addresses.
func (e *Embedded) Brokers() []string { return e.c.ListenAddrs() }

// Close stops the broker; records it held are gone.
func (e *Embedded) Close() { e.c.Close() }
