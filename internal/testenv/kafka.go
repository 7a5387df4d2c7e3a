package testenv

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/wait"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/adstream/adstream/internal/chserver"
)

// KafkaImage is the image used where Docker answers.
const KafkaImage = "apache/kafka:4.1.1"

var (
	kafkaOnce    sync.Once
	kafkaBrokers []string
	kafkaKind    string
	kafkaErr     error
	kafkaStop    func()
)

// Kafka returns the seed brokers of a Kafka for this test process: a real
// broker from ADSTREAM_TEST_KAFKA_BROKERS or Docker, else (except with
// ADSTREAM_E2E=must, where a real broker is required) an in-process kfake.
func Kafka(t testing.TB) []string {
	t.Helper()
	Integration(t)
	kafkaOnce.Do(func() { kafkaBrokers, kafkaKind, kafkaStop, kafkaErr = startKafka() })
	if kafkaErr != nil {
		unavailable(t, "Kafka", kafkaErr)
	}
	t.Logf("kafka: %s at %s", kafkaKind, strings.Join(kafkaBrokers, ","))
	return kafkaBrokers
}

func startKafka() ([]string, string, func(), error) {
	if env := os.Getenv("ADSTREAM_TEST_KAFKA_BROKERS"); env != "" {
		return strings.Split(env, ","), "real broker from ADSTREAM_TEST_KAFKA_BROKERS", func() {}, nil
	}
	if dockerAvailable() {
		return startKafkaContainer()
	}
	if CurrentMode() == Must {
		return nil, "", nil, fmt.Errorf("no real Kafka broker: set ADSTREAM_TEST_KAFKA_BROKERS (make test starts one with deploy/local/kafka.sh)")
	}
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(-1))
	if err != nil {
		return nil, "", nil, err
	}
	return c.ListenAddrs(), "in-process kfake", c.Close, nil
}

func startKafkaContainer() ([]string, string, func(), error) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	port, err := chserver.FreePort()
	if err != nil {
		return nil, "", nil, err
	}
	c, err := testcontainers.Run(ctx, KafkaImage,
		testcontainers.WithExposedPorts(fmt.Sprintf("%d:9092/tcp", port)),
		testcontainers.WithEnv(map[string]string{
			"KAFKA_NODE_ID":                                  "1",
			"KAFKA_PROCESS_ROLES":                            "broker,controller",
			"KAFKA_LISTENERS":                                "PLAINTEXT://:9092,CONTROLLER://:9093",
			"KAFKA_ADVERTISED_LISTENERS":                     fmt.Sprintf("PLAINTEXT://127.0.0.1:%d", port),
			"KAFKA_CONTROLLER_LISTENER_NAMES":                "CONTROLLER",
			"KAFKA_CONTROLLER_QUORUM_VOTERS":                 "1@localhost:9093",
			"KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR":         "1",
			"KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR": "1",
			"KAFKA_TRANSACTION_STATE_LOG_MIN_ISR":            "1",
			"KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS":         "0",
		}),
		testcontainers.WithWaitStrategy(wait.ForLog("Kafka Server started")))
	if err != nil {
		return nil, "", nil, fmt.Errorf("kafka container: %w", err)
	}
	return []string{fmt.Sprintf("127.0.0.1:%d", port)}, "container " + KafkaImage,
		func() { _ = testcontainers.TerminateContainer(c) }, nil
}

// Topics creates uniquely named topics for this test (3 partitions each) and
// returns their names in the order of bases; they are deleted at cleanup.
func Topics(t testing.TB, brokers []string, bases ...string) []string {
	t.Helper()
	names := make([]string, len(bases))
	for i, b := range bases {
		names[i] = UniqueName(t, b)
	}
	CreateTopics(t, brokers, 3, names...)
	return names
}

// CreateTopics creates the named topics with the given number of partitions
// (replication factor 1) and deletes them when the test ends. Names must be
// unique to the test run (UniqueName): a real broker keeps topics between runs.
func CreateTopics(t testing.TB, brokers []string, partitions int32, names ...string) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...))
	if err != nil {
		t.Fatal(err)
	}
	adm := kadm.NewClient(cl)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	resp, err := adm.CreateTopics(ctx, partitions, 1, nil, names...)
	if err == nil {
		err = resp.Error()
	}
	if err != nil {
		cl.Close()
		t.Fatalf("create topics: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, _ = adm.DeleteTopics(ctx, names...)
		cl.Close()
	})
}

// Group returns a consumer group name unique to this test run and deletes
// the group when the test ends. Call it before starting the group's members:
// cleanups run last-registered first, so the members have left by then.
func Group(t testing.TB, brokers []string, base string) string {
	t.Helper()
	name := UniqueName(t, base)
	t.Cleanup(func() {
		cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...))
		if err != nil {
			return
		}
		defer cl.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, _ = kadm.NewClient(cl).DeleteGroups(ctx, name)
	})
	return name
}

// ReadTopic reads every record of topic, from the start to the end offsets
// it has when called, or fails the test when ctx ends first.
func ReadTopic(ctx context.Context, t testing.TB, brokers []string, topic string) []*kgo.Record {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchMaxWait(100*time.Millisecond))
	if err != nil {
		t.Fatalf("reader: %v", err)
	}
	defer cl.Close()
	ends, err := kadm.NewClient(cl).ListEndOffsets(ctx, topic)
	if err != nil {
		t.Fatalf("list end offsets of %s: %v", topic, err)
	}
	var want int64
	ends.Each(func(o kadm.ListedOffset) { want += max(o.Offset, 0) })
	var out []*kgo.Record
	for int64(len(out)) < want {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("read %s: got %d of %d records: %v", topic, len(out), want, ctx.Err())
		}
		fs.EachRecord(func(r *kgo.Record) { out = append(out, r) })
	}
	return out
}
