package bus

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// The embedded broker drops records past its retention, so dev's memory
// stays flat: records an hour old are gone, fresh ones stay.
func TestEmbeddedBrokerAppliesRetention(t *testing.T) {
	e, err := startEmbedded(0, time.Minute, 50*time.Millisecond, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	cl, err := kgo.NewClient(kgo.SeedBrokers(e.Brokers()...), kgo.DefaultProduceTopic("t"), kgo.AllowAutoTopicCreation())
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	old := time.Now().Add(-time.Hour)
	for i := range 10 {
		r := &kgo.Record{Key: []byte("k"), Value: []byte{byte(i)}, Timestamp: old}
		if i >= 7 {
			r.Timestamp = time.Now()
		}
		if err := cl.ProduceSync(ctx, r).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	adm := kadm.NewClient(cl)
	for {
		starts, err := adm.ListStartOffsets(ctx, "t")
		if err != nil {
			t.Fatal(err)
		}
		var start int64
		starts.Each(func(o kadm.ListedOffset) { start = max(start, o.Offset) })
		if start == 7 {
			return
		}
		if ctx.Err() != nil {
			t.Fatalf("log start offset %d, want 7 (the 7 old records dropped)", start)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// The embedded broker deletes what every group has committed past, and
// nothing else: the lowest commit of the groups on a partition holds it, and
// a topic no group committed on keeps every record.
func TestEmbeddedBrokerTrimsConsumedRecords(t *testing.T) {
	e, err := startEmbedded(0, time.Hour, time.Hour, 50*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	cl, err := kgo.NewClient(kgo.SeedBrokers(e.Brokers()...), kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	adm := kadm.NewClient(cl)
	if _, err := adm.CreateTopics(ctx, 1, 1, nil, "read", "unread"); err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		for _, topic := range []string{"read", "unread"} {
			if err := cl.ProduceSync(ctx, &kgo.Record{Topic: topic, Value: []byte{byte(i)}}).FirstErr(); err != nil {
				t.Fatal(err)
			}
		}
	}
	// The lagging group commits first: a group that has not committed yet
	// holds nothing back.
	for _, c := range []struct {
		group string
		at    int64
	}{{"behind", 5}, {"ahead", 8}} {
		offs := kadm.Offsets{}
		offs.AddOffset("read", 0, c.at, -1)
		if err := adm.CommitAllOffsets(ctx, c.group, offs); err != nil {
			t.Fatalf("commit %s: %v", c.group, err)
		}
	}
	start := func(topic string) int64 {
		starts, err := adm.ListStartOffsets(ctx, topic)
		if err != nil {
			t.Fatal(err)
		}
		o, _ := starts.Lookup(topic, 0)
		return o.Offset
	}
	for start("read") != 5 {
		if ctx.Err() != nil {
			t.Fatalf("log start of the read topic is %d, want 5 (the lowest group commit)", start("read"))
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond) // a few more trims
	if got := start("read"); got != 5 {
		t.Errorf("log start of the read topic moved on to %d, past the lagging group's commit at 5", got)
	}
	if got := start("unread"); got != 0 {
		t.Errorf("log start of a topic no group committed on is %d, want 0 (nothing deleted)", got)
	}
}

// The embedded broker's memory stays flat across syncs: five rounds of
// 32 MiB produced, consumed and committed leave its heap within half a
// round of where the first left it. (kfake lets go of a partition's trimmed
// segments lazily, when its segment list next grows, so about one round's
// worth stays; time retention alone, an hour here, would hold all 160 MiB.)
func TestEmbeddedBrokerMemoryFlatAcrossRounds(t *testing.T) {
	e, err := startEmbedded(0, time.Hour, time.Hour, 50*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	cl, err := kgo.NewClient(kgo.SeedBrokers(e.Brokers()...), kgo.DefaultProduceTopic("big"), kgo.AllowAutoTopicCreation(),
		kgo.ConsumeTopics("big"), kgo.ConsumerGroup("g"), kgo.DisableAutoCommit(), kgo.ProducerBatchCompression(kgo.NoCompression()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	adm := kadm.NewClient(cl)
	heapMiB := func() int {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return int(m.HeapAlloc >> 20)
	}
	const n, size = 2048, 16 << 10 // 32 MiB a round
	var first int
	for round := range 5 {
		for i := range n {
			v := make([]byte, size)
			v[0] = byte(i)
			cl.Produce(ctx, &kgo.Record{Key: []byte{byte(i)}, Value: v}, nil)
		}
		if err := cl.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		for got := 0; got < n; {
			fs := cl.PollFetches(ctx)
			if err := fs.Err(); err != nil {
				t.Fatal(err)
			}
			got += fs.NumRecords()
			if err := cl.CommitUncommittedOffsets(ctx); err != nil {
				t.Fatal(err)
			}
		}
		ends, err := adm.ListEndOffsets(ctx, "big")
		if err != nil {
			t.Fatal(err)
		}
		for trimmed := false; !trimmed; time.Sleep(50 * time.Millisecond) {
			starts, err := adm.ListStartOffsets(ctx, "big")
			if err != nil {
				t.Fatalf("round %d: records not deleted once committed: %v", round+1, err)
			}
			trimmed = true
			ends.Each(func(o kadm.ListedOffset) {
				if s, _ := starts.Lookup(o.Topic, o.Partition); s.Offset < o.Offset {
					trimmed = false
				}
			})
		}
		heap := heapMiB()
		t.Logf("round %d: heap %d MiB", round+1, heap)
		if round == 0 {
			first = heap
		} else if heap > first+16 {
			t.Fatalf("round %d: heap %d MiB, the first round left %d MiB: the broker keeps consumed records", round+1, heap, first)
		}
	}
}
