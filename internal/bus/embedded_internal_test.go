package bus

import (
	"context"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// The embedded broker drops records past its retention, so dev's memory
// stays flat: records an hour old are gone, fresh ones stay.
func TestEmbeddedBrokerAppliesRetention(t *testing.T) {
	e, err := startEmbedded(0, time.Minute, 50*time.Millisecond)
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
