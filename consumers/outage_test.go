package consumers_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/consumers"
	"github.com/adstream/adstream/internal/testenv"
	"github.com/adstream/adstream/schemas"
)

// A real ClickHouse server goes down while records keep arriving, and comes
// back: nothing is lost, nothing is counted twice, and offsets are committed
// only for what was stored.
func TestConsumerSurvivesClickHouseOutage(t *testing.T) {
	ch := testenv.OutageClickHouse(t)
	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	st := ch.Store

	k := newKafka(t)
	tp := k.topicsFor(ctx, t, 3)
	codec := newCodec(t)
	at := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	batch := func(from, to int) []*kgo.Record {
		var out []*kgo.Record
		for i := from; i < to; i++ {
			b, err := codec.Encode(testInsight("b1", fmt.Sprintf("ad-%03d", i), int64(i), at))
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, &kgo.Record{Topic: tp.Insights, Key: schemas.AdKey("b1", fmt.Sprint(i)), Value: b})
		}
		return out
	}
	r := store.Range{BrandID: "b1", StartDate: "2026-11-01", EndDate: "2026-11-27"}
	stored := func() int64 {
		n, err := st.CountCreatives(ctx, r, nil)
		if err != nil {
			return -1
		}
		return n
	}

	group := k.group(t)
	startConsumer(t, k, consumers.Config{Topics: tp, Group: group, BatchRows: 50, FlushEvery: 100 * time.Millisecond}, st, nil)
	k.produce(ctx, t, batch(0, 100)...)
	eventually(t, 30*time.Second, func() (bool, string) { return stored() == 100, fmt.Sprintf("%d of 100 stored", stored()) })

	ch.Stop()
	k.produce(ctx, t, batch(100, 250)...)
	time.Sleep(time.Second) // the consumer polls them and fails to insert
	if ok, _ := k.allCommitted(ctx, t, group, tp.Insights); ok {
		t.Fatal("offsets of records that could not be stored were committed")
	}

	ch.Start()
	eventually(t, 45*time.Second, func() (bool, string) { return stored() == 250, fmt.Sprintf("%d of 250 stored", stored()) })
	eventually(t, 15*time.Second, func() (bool, string) { return k.allCommitted(ctx, t, group, tp.Insights) })
	var raw uint64
	if err := st.Conn().QueryRow(ctx, "SELECT count() FROM outage.ad_insights").Scan(&raw); err != nil || raw != 250 {
		t.Fatalf("stored rows = %d (%v), want 250: a retried batch was inserted twice", raw, err)
	}
}
