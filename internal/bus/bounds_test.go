package bus_test

import (
	"context"
	"crypto/rand"
	"log/slog"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/adstream/adstream/internal/bus"
)

// A consumer far behind its topics (a sync's producer runs ahead of the
// consumers) holds one fetch of about FetchMaxBytes at a time, not
// franz-go's 1 MiB of every partition: what a client buffers is resident
// memory of the process.
func TestFetchBounded(t *testing.T) {
	const partitions, perPartition, size = 18, 48, 32 << 10 // 1.5 MiB a partition
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(partitions, "t"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	log := slog.New(slog.DiscardHandler)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	prod, err := bus.NewClient(c.ListenAddrs(), log, kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	defer prod.Close()
	for p := range int32(partitions) {
		for range perPartition {
			value := make([]byte, size)
			_, _ = rand.Read(value) // incompressible: lz4 leaves it as it is
			prod.Produce(ctx, &kgo.Record{Topic: "t", Partition: p, Value: value}, nil)
		}
	}
	if err := prod.Flush(ctx); err != nil {
		t.Fatal(err)
	}

	// largestPoll reads the whole topic and returns the most bytes one poll
	// handed over: one buffered fetch, as the client has a single broker.
	largestPoll := func(t *testing.T, cl *kgo.Client) int {
		t.Helper()
		defer cl.Close()
		largest, records := 0, 0
		for records < partitions*perPartition {
			fetches := cl.PollFetches(ctx)
			if err := fetches.Err0(); err != nil {
				t.Fatal(err)
			}
			n := 0
			fetches.EachRecord(func(r *kgo.Record) { n += len(r.Value) })
			largest, records = max(largest, n), records+fetches.NumRecords()
		}
		return largest
	}
	// The broker adds whole batches, and may pass the limit by one (1 MB at most).
	const bound = bus.FetchMaxBytes + 1<<20

	bounded, err := bus.NewClient(c.ListenAddrs(), log, kgo.ConsumeTopics("t"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	if got := largestPoll(t, bounded); got > bound {
		t.Errorf("a poll handed over %d bytes, want at most %d", got, bound)
	}
	// franz-go's defaults on the same backlog: the bound is what keeps the fetch small.
	plain, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.ConsumeTopics("t"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	if got := largestPoll(t, plain); got <= bound {
		t.Errorf("without the bound a poll handed over %d bytes at most, want over %d: the test shows nothing", got, bound)
	}
}
