package consumers_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
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

// Two batches are inserted at once, yet the second stores its sync events
// and commits only after the first is stored: the first insert is held
// until the second batch's insert has begun beside it, and the sync event
// of the second batch reaches the sink only after the first batch's rows.
func TestConsumerStoresTwoBatchesAtOnceInOrder(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	defer cancel()
	k := newKafka(t)
	tp := k.topicsFor(ctx, t, 1)
	codec := newCodec(t)
	at := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	const batchRows = 10
	insights := func(from, to int) []*kgo.Record {
		var recs []*kgo.Record
		for i := from; i < to; i++ {
			id := fmt.Sprintf("ad-%03d", i)
			v, err := codec.Encode(testInsight("b1", id, int64(i), at))
			if err != nil {
				t.Fatal(err)
			}
			recs = append(recs, &kgo.Record{Topic: tp.Insights, Key: schemas.AdKey("b1", id), Value: v})
		}
		return recs
	}
	event, err := codec.Encode(&schemas.SyncEvent{JobID: "job-1", BrandID: "b1", StartDate: "2026-11-01", EndDate: "2026-11-27",
		Kind: schemas.SyncKindFull, Type: schemas.SyncCompleted, At: at})
	if err != nil {
		t.Fatal(err)
	}

	var (
		mu               sync.Mutex
		calls            int
		order            []string
		firstIn, otherIn = make(chan struct{}), make(chan struct{})
		overlapped       bool
	)
	sink := &memSink{fail: func(table string) error {
		mu.Lock()
		order = append(order, table)
		if table != "insights" {
			mu.Unlock()
			return nil
		}
		calls++
		n := calls
		mu.Unlock()
		switch n {
		case 1:
			close(firstIn)
			select {
			case <-otherIn:
				mu.Lock()
				overlapped = true
				mu.Unlock()
				time.Sleep(300 * time.Millisecond) // time enough for the second batch to run ahead, were it allowed to
			case <-time.After(10 * time.Second):
			}
		case 2:
			close(otherIn)
		}
		return nil
	}}
	sink.inserted = func(table string) {
		sink.mu.Lock()
		events := len(sink.events)
		sink.mu.Unlock()
		if table == "sync_events" && events == 0 {
			return // the first batch's: it has none
		}
		mu.Lock()
		order = append(order, table+" stored")
		mu.Unlock()
	}
	group := k.group(t)
	k.produce(ctx, t, insights(0, batchRows)...)
	startConsumer(t, k, consumers.Config{Topics: tp, Group: group, BatchRows: batchRows, FlushEvery: time.Hour}, sink, nil)
	select {
	case <-firstIn:
	case <-ctx.Done():
		t.Fatal("the first batch was never inserted")
	}
	k.produce(ctx, t, append(insights(batchRows, 2*batchRows-1), &kgo.Record{Topic: tp.SyncEvents, Key: []byte("job-1"), Value: event})...)

	eventually(t, 20*time.Second, func() (bool, string) {
		if n := sink.count(); n < 2*batchRows {
			return false, fmt.Sprintf("sink holds %d of %d rows", n, 2*batchRows)
		}
		return k.allCommitted(ctx, t, group, tp.Insights, tp.SyncEvents)
	})
	mu.Lock()
	defer mu.Unlock()
	if !overlapped {
		t.Error("the second batch was not inserted while the first was: batches are stored one at a time")
	}
	stored := 0 // batches whose insights are stored when the sync event is
	for _, step := range order[:max(slices.Index(order, "sync_events stored"), 0)] {
		if step == "insights stored" {
			stored++
		}
	}
	if stored != 2 {
		t.Errorf("the second batch's sync event was stored before the first batch's rows: %v", order)
	}
}
