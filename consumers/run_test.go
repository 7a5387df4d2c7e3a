package consumers_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/adstream/adstream/consumers"
	"github.com/adstream/adstream/schemas"
)

// While ClickHouse refuses inserts nothing may be committed, and once it
// recovers every record is stored exactly once and every offset committed.
func TestConsumerCommitsOnlyAfterInsert(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	defer cancel()
	k := newKafka(t)
	tp := k.topicsFor(ctx, t, 3)
	codec := newCodec(t)
	f := newFixture(t, codec, tp, 40)
	k.produce(ctx, t, f.records...)

	const failures = 3
	var (
		calls       atomic.Int32
		mu          sync.Mutex
		earlyCommit []string
	)
	group := k.group(t)
	sink := &memSink{fail: func(table string) error {
		if table != "insights" || calls.Add(1) > failures {
			return nil
		}
		// The consumer is inside its flush, waiting on this call: whatever
		// the group has committed now was committed before the insert.
		got, err := k.committed(ctx, group)
		mu.Lock()
		defer mu.Unlock()
		switch {
		case err != nil:
			earlyCommit = append(earlyCommit, "fetch offsets: "+err.Error())
		case len(got) > 0:
			earlyCommit = append(earlyCommit, fmt.Sprint(got))
		}
		return errors.New("clickhouse: connection refused")
	}}
	startConsumer(t, k, consumers.Config{Topics: tp, Group: group, BatchRows: 1000, FlushEvery: 100 * time.Millisecond}, sink, nil)

	eventually(t, 20*time.Second, func() (bool, string) {
		if n := sink.count(); n < len(f.records) {
			return false, fmt.Sprintf("sink holds %d of %d rows", n, len(f.records))
		}
		return k.allCommitted(ctx, t, group, tp.Ads, tp.Insights, tp.SyncEvents)
	})
	if got := calls.Load(); got <= failures {
		t.Fatalf("sink saw %d InsertInsights calls, want more than the %d failing ones", got, failures)
	}
	mu.Lock()
	if len(earlyCommit) > 0 {
		t.Errorf("offsets were committed while the insert was failing: %v", earlyCommit)
	}
	mu.Unlock()
	if got := sink.rows(t, codec); !maps.Equal(got, f.values) {
		t.Errorf("sink holds %d distinct rows (%d in all), want the %d produced, each once", len(got), sink.count(), len(f.values))
	}
}

// A record that cannot be stored goes to the dead-letter topic with why and
// where it was, and the records behind it on its partition are still stored.
func TestConsumerSendsPoisonRecordToDLQAndMovesOn(t *testing.T) {
	codec := newCodec(t)
	at := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	encode := func(v any) []byte {
		b, err := codec.Encode(v)
		if err != nil {
			t.Fatalf("encode: %v", err)
		}
		return b
	}
	insight := encode(testInsight("b1", "ad-x", 7, at))
	tests := []struct {
		name       string
		give       []byte // the poison value on the insights topic
		wantReason string
	}{
		{name: "garbage bytes", give: []byte("definitely not avro"), wantReason: schemas.ErrBadMagic.Error()},
		{name: "truncated insight", give: insight[:len(insight)-4], wantReason: schemas.ErrCorruptBody.Error()},
		{name: "ad on the insights topic", give: encode(testAd("b1", "ad-x", at)), wantReason: "does not belong on topic"},
		{name: "empty value", give: nil, wantReason: schemas.ErrShortBuffer.Error()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
			defer cancel()
			k := newKafka(t)
			tp := k.topicsFor(ctx, t, 1)
			poisonKey := schemas.AdKey("b1", "ad-x")
			k.produce(ctx, t,
				&kgo.Record{Topic: tp.Insights, Key: schemas.AdKey("b1", "ad-0"), Value: encode(testInsight("b1", "ad-0", 0, at))},
				&kgo.Record{Topic: tp.Insights, Key: poisonKey, Value: tt.give},
				&kgo.Record{Topic: tp.Insights, Key: schemas.AdKey("b1", "ad-2"), Value: encode(testInsight("b1", "ad-2", 2, at))},
			)
			sink := &memSink{}
			group := k.group(t)
			startConsumer(t, k, consumers.Config{Topics: tp, Group: group, FlushEvery: 100 * time.Millisecond}, sink, nil)

			eventually(t, 20*time.Second, func() (bool, string) {
				return k.allCommitted(ctx, t, group, tp.Insights)
			})
			if got, want := sink.insightIDs(), []string{"ad-0", "ad-2"}; !slices.Equal(got, want) {
				t.Errorf("inserted insights of %v, want %v", got, want)
			}
			dead := k.readAll(ctx, t, tp.DLQ)
			if len(dead) != 1 {
				t.Fatalf("dead-letter topic holds %d records, want 1", len(dead))
			}
			if !bytes.Equal(dead[0].Key, poisonKey) {
				t.Errorf("dead letter key = %q, want the original %q", dead[0].Key, poisonKey)
			}
			var dl schemas.DeadLetter
			if err := codec.DecodeInto(dead[0].Value, &dl); err != nil {
				t.Fatalf("dead letter does not decode as DeadLetter: %v", err)
			}
			if dl.OriginalTopic != tp.Insights || dl.Partition != 0 || dl.Offset != 1 {
				t.Errorf("dead letter names %s/%d@%d, want %s/0@1", dl.OriginalTopic, dl.Partition, dl.Offset, tp.Insights)
			}
			if !bytes.Equal(dl.Key, poisonKey) || !bytes.Equal(dl.Value, tt.give) {
				t.Errorf("dead letter holds key %q and %d value bytes, want the original key %q and %d bytes", dl.Key, len(dl.Value), poisonKey, len(tt.give))
			}
			if !strings.Contains(dl.Reason, tt.wantReason) {
				t.Errorf("dead letter reason = %q, want it to contain %q", dl.Reason, tt.wantReason)
			}
		})
	}
}

// A consumer that dies after ClickHouse took a batch but before it committed
// the offsets leaves the batch to the next member of the group, which stores
// it again: at-least-once delivery. The rows are identical, version
// included, so the ReplacingMergeTree tables keep one of each (see DESIGN.md,
// "Exact aggregates").
func TestConsumerRedeliversBatchAfterCrashBeforeCommit(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	defer cancel()
	k := newKafka(t)
	tp := k.topicsFor(ctx, t, 2)
	codec := newCodec(t)
	f := newFixture(t, codec, tp, 20)
	k.produce(ctx, t, f.records...)
	group := k.group(t)
	cfg := consumers.Config{Topics: tp, Group: group, BatchRows: 1000, FlushEvery: 300 * time.Millisecond}

	// The first consumer "crashes" right after its first batch is inserted:
	// the last insert of a flush is the sync events one.
	crashCtx, crashNow := context.WithCancel(ctx)
	first := &memSink{inserted: func(table string) {
		if table == "sync_events" {
			crashNow()
		}
	}}
	crash := startConsumerCtx(crashCtx, t, k, cfg, first, nil)
	_ = crash.wait(t) // a crash has no clean return value to check
	if first.count() == 0 {
		t.Fatal("the first consumer inserted nothing before it crashed")
	}
	if got, err := k.committed(ctx, group); err != nil || len(got) > 0 {
		t.Fatalf("after a crash before the commit, the group committed %v (err %v), want nothing", got, err)
	}

	second := &memSink{}
	startConsumer(t, k, cfg, second, nil)
	eventually(t, 20*time.Second, func() (bool, string) {
		if n := second.count(); n < len(f.records) {
			return false, fmt.Sprintf("second consumer stored %d of %d rows", n, len(f.records))
		}
		return k.allCommitted(ctx, t, group, tp.Ads, tp.Insights, tp.SyncEvents)
	})
	again := second.rows(t, codec)
	if !maps.Equal(again, f.values) {
		t.Errorf("second consumer stored %d distinct rows, want the %d produced, each once", len(again), len(f.values))
	}
	for v, n := range first.rows(t, codec) {
		if n+again[v] != 2 {
			t.Errorf("a row of the crashed batch was stored %d times in all, want twice (inserted, then redelivered)", n+again[v])
		}
	}
}

// Stopping the consumer stores and commits the batch it was still filling.
func TestConsumerFlushesPendingBatchOnShutdown(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	defer cancel()
	k := newKafka(t)
	tp := k.topicsFor(ctx, t, 3)
	codec := newCodec(t)
	f := newFixture(t, codec, tp, 5)
	k.produce(ctx, t, f.records...)
	group := k.group(t)
	sink := &memSink{}
	reg := prometheus.NewRegistry()
	c := startConsumer(t, k, consumers.Config{Topics: tp, Group: group, BatchRows: 1000, FlushEvery: time.Hour}, sink, reg)

	eventually(t, 20*time.Second, func() (bool, string) {
		n, err := gaugeValue(reg, "adstream_consumer_pending_records")
		return err == nil && int(n) == len(f.records), fmt.Sprintf("pending records = %v (err %v), want %d", n, err, len(f.records))
	})
	if n := sink.count(); n != 0 {
		t.Fatalf("sink holds %d rows before shutdown, want none: the batch is neither full nor old", n)
	}
	if err := c.stop(t); err != nil {
		t.Fatalf("Run returned %v on shutdown, want nil", err)
	}
	if got := sink.rows(t, codec); !maps.Equal(got, f.values) {
		t.Errorf("after shutdown sink holds %d rows, want the %d pending ones", sink.count(), len(f.records))
	}
	if ok, why := k.allCommitted(ctx, t, group, tp.Ads, tp.Insights, tp.SyncEvents); !ok {
		t.Errorf("after shutdown: %s", why)
	}
}

func gaugeValue(reg *prometheus.Registry, name string) (float64, error) {
	mfs, err := reg.Gather()
	if err != nil {
		return 0, err
	}
	for _, mf := range mfs {
		if mf.GetName() == name && len(mf.GetMetric()) == 1 {
			return mf.GetMetric()[0].GetGauge().GetValue(), nil
		}
	}
	return 0, fmt.Errorf("no gauge %s", name)
}

// A member joining the group does not take partitions whose records another
// member holds in its pending batch: the rebalance waits for that batch to
// be stored and committed, so the joining member does not store it again.
func TestConsumerRebalanceWaitsForPendingBatch(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	defer cancel()
	k := newKafka(t)
	tp := k.topicsFor(ctx, t, 6)
	codec := newCodec(t)
	f := newFixture(t, codec, tp, 30)
	k.produce(ctx, t, f.records...)
	group := k.group(t)

	first, reg := &memSink{}, prometheus.NewRegistry()
	startConsumer(t, k, consumers.Config{Topics: tp, Group: group, BatchRows: 1000, FlushEvery: 2 * time.Second}, first, reg)
	eventually(t, 20*time.Second, func() (bool, string) {
		n, err := gaugeValue(reg, "adstream_consumer_pending_records")
		return err == nil && int(n) == len(f.records), fmt.Sprintf("first consumer holds %v pending records (err %v), want %d", n, err, len(f.records))
	})
	second := &memSink{}
	startConsumer(t, k, consumers.Config{Topics: tp, Group: group, BatchRows: 1000, FlushEvery: 100 * time.Millisecond}, second, nil)

	eventually(t, 20*time.Second, func() (bool, string) {
		if n := first.count() + second.count(); n < len(f.records) {
			return false, fmt.Sprintf("sinks hold %d of %d rows", n, len(f.records))
		}
		return k.allCommitted(ctx, t, group, tp.Ads, tp.Insights, tp.SyncEvents)
	})
	if n := first.count() + second.count(); n != len(f.records) {
		t.Errorf("the two members stored %d rows in all (%d and %d), want each of the %d once", n, first.count(), second.count(), len(f.records))
	}
}
