package consumers_test

import (
	"context"
	"fmt"
	"maps"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/adstream/adstream/consumers"
	"github.com/adstream/adstream/schemas"
)

// While ClickHouse takes one batch, the consumer polls and decodes the next:
// the first insert is held until the next batch is pending beside it.
func TestConsumerPollsNextBatchWhileInserting(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	defer cancel()
	k := newKafka(t)
	tp := k.topicsFor(ctx, t, 1)
	codec := newCodec(t)
	at := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	const batchRows = 10
	var recs []*kgo.Record
	for i := range 3 * batchRows {
		id := fmt.Sprintf("ad-%03d", i)
		v, err := codec.Encode(testInsight("b1", id, int64(i), at))
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, &kgo.Record{Topic: tp.Insights, Key: schemas.AdKey("b1", id), Value: v})
	}
	k.produce(ctx, t, recs...)

	reg := prometheus.NewRegistry()
	var once sync.Once
	overlapped := make(chan bool, 1)
	sink := &memSink{fail: func(table string) error {
		if table == "insights" {
			once.Do(func() {
				overlapped <- waitForGauge(reg, "adstream_consumer_pending_records", 2*batchRows, 10*time.Second)
			})
		}
		return nil
	}}
	group := k.group(t)
	startConsumer(t, k, consumers.Config{Topics: tp, Group: group, BatchRows: batchRows, FlushEvery: time.Hour}, sink, reg)

	eventually(t, 20*time.Second, func() (bool, string) {
		if n := sink.count(); n < len(recs) {
			return false, fmt.Sprintf("sink holds %d of %d rows", n, len(recs))
		}
		return k.allCommitted(ctx, t, group, tp.Insights)
	})
	if !<-overlapped {
		t.Errorf("while the first batch was being inserted, the next %d records were not polled: the consumer does not overlap Kafka with ClickHouse", batchRows)
	}
	if n := sink.count(); n != len(recs) {
		t.Errorf("sink holds %d rows, want each of the %d once", n, len(recs))
	}
}

// waitForGauge reports whether the gauge reached want within the time given.
func waitForGauge(reg *prometheus.Registry, name string, want int, within time.Duration) bool {
	for deadline := time.Now().Add(within); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if n, err := gaugeValue(reg, name); err == nil && int(n) >= want {
			return true
		}
	}
	return false
}

// With batches in flight while the next ones are polled, a partition's
// committed offset never passes the records of it that are stored: every
// insert finds the group's commits covering only rows inserted before it.
func TestConsumerPipelineCommitsOnlyStoredRecords(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	defer cancel()
	k := newKafka(t)
	tp := k.topicsFor(ctx, t, 3)
	codec := newCodec(t)
	at := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	var recs []*kgo.Record
	values := map[string]int{}
	for i := range 120 {
		id := fmt.Sprintf("ad-%03d", i)
		v, err := codec.Encode(testInsight("b1", id, int64(i), at))
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, &kgo.Record{Topic: tp.Insights, Key: schemas.AdKey("b1", id), Value: v})
		values[string(v)]++
	}
	k.produce(ctx, t, recs...) // fills in each record's partition
	partitionOf := map[string]int32{}
	for _, r := range recs {
		partitionOf[string(r.Key)] = r.Partition
	}

	group := k.group(t)
	sink := &checkedSink{memSink: &memSink{}, stored: map[int32]int64{}, partitionOf: partitionOf,
		committed: func() (map[string]map[int32]int64, error) { return k.committed(ctx, group) }, topic: tp.Insights}
	startConsumer(t, k, consumers.Config{Topics: tp, Group: group, BatchRows: 7, FlushEvery: 50 * time.Millisecond}, sink, nil)

	eventually(t, 20*time.Second, func() (bool, string) {
		if n := sink.count(); n < len(recs) {
			return false, fmt.Sprintf("sink holds %d of %d rows", n, len(recs))
		}
		return k.allCommitted(ctx, t, group, tp.Insights)
	})
	sink.mu.Lock()
	if len(sink.ahead) > 0 {
		t.Errorf("offsets were committed past the stored records: %v", sink.ahead)
	}
	sink.mu.Unlock()
	if got := sink.rows(t, codec); !maps.Equal(got, values) {
		t.Errorf("sink holds %d distinct rows (%d in all), want the %d produced, each once", len(got), sink.count(), len(values))
	}
}

// checkedSink is a memSink whose every insight insert first compares the
// group's committed offsets with the records stored so far, by partition
// (offsets of a fresh topic start at 0, so a partition's committed offset
// may not exceed how many of its records are stored). Inserts are slowed
// so that batches overlap with polls.
type checkedSink struct {
	*memSink
	topic       string
	partitionOf map[string]int32 // record key → partition
	committed   func() (map[string]map[int32]int64, error)

	mu     sync.Mutex
	stored map[int32]int64
	ahead  []string
}

func (s *checkedSink) InsertInsights(ctx context.Context, rows []*schemas.AdInsight) error {
	got, err := s.committed()
	s.mu.Lock()
	switch {
	case err != nil:
		s.ahead = append(s.ahead, "fetch offsets: "+err.Error())
	default:
		for p, off := range got[s.topic] {
			if off > s.stored[p] {
				s.ahead = append(s.ahead, fmt.Sprintf("partition %d committed at %d with %d records stored", p, off, s.stored[p]))
			}
		}
	}
	s.mu.Unlock()
	time.Sleep(30 * time.Millisecond)
	if err := s.memSink.InsertInsights(ctx, rows); err != nil {
		return err
	}
	s.mu.Lock()
	for _, r := range rows {
		s.stored[s.partitionOf[string(schemas.AdKey(r.BrandID, r.AdID))]]++
	}
	s.mu.Unlock()
	return nil
}
