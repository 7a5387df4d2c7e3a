package bus_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/adstream/adstream/internal/bus"
)

// kafkaSeries counts the registry's adstream_kafka_* series by client label.
func kafkaSeries(t *testing.T, reg *prometheus.Registry) map[string]int {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, f := range families {
		if !strings.HasPrefix(f.GetName(), "adstream_kafka_") {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "client" {
					out[l.GetValue()]++
				}
			}
		}
	}
	return out
}

// Two clients of one process share a registry (as in `adstream dev`), each
// under its own label, and take their series with them when they close.
func TestMetricsPerClient(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "t"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	reg := prometheus.NewRegistry()
	log := slog.New(slog.DiscardHandler)
	producer, err := bus.NewClient(c.ListenAddrs(), log, bus.Metrics(reg, "producer"))
	if err != nil {
		t.Fatal(err)
	}
	consumer, err := bus.NewClient(c.ListenAddrs(), log, bus.Metrics(reg, "consumer"), kgo.ConsumeTopics("t"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := producer.ProduceSync(ctx, &kgo.Record{Topic: "t", Value: []byte("v")}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	if fs := consumer.PollFetches(ctx); fs.NumRecords() != 1 {
		t.Fatalf("polled %d records (errors %v), want 1", fs.NumRecords(), fs.Errors())
	}
	got := kafkaSeries(t, reg)
	if got["producer"] == 0 || got["consumer"] == 0 {
		t.Fatalf("kafka series by client = %v, want both clients", got)
	}
	producer.Close()
	if got := kafkaSeries(t, reg); got["producer"] != 0 || got["consumer"] == 0 {
		t.Errorf("after the producer closed: kafka series by client = %v, want the consumer's only", got)
	}
	consumer.Close()
}

// franz-go's warnings reach the role's logger, marked as Kafka's; its
// debug chatter does not, even when the logger shows debug.
func TestLogsWarningsOnly(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	cl, err := bus.NewClient([]string{"127.0.0.1:1"}, log) // nothing listens on port 1
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := cl.Ping(ctx); err == nil {
		t.Fatal("ping of a closed port succeeded")
	}
	cl.Close()
	logs := buf.String()
	if !strings.Contains(logs, "level=WARN") || !strings.Contains(logs, "system=kafka") {
		t.Errorf("want a kafka warning, got:\n%s", logs)
	}
	if strings.Contains(logs, "level=DEBUG") || strings.Contains(logs, "level=INFO") {
		t.Errorf("franz-go's debug or info lines were logged:\n%s", logs)
	}
}
