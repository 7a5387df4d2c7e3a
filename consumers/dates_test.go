package consumers_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/consumers"
	"github.com/adstream/adstream/internal/testenv"
	"github.com/adstream/adstream/schemas"
)

// Records whose dates the real store refuses would fail every retry of
// their batch's insert and stall their partitions; they go to the
// dead-letter topic with the reason instead, and the good records around
// them are stored, committed and aggregated.
func TestConsumerSendsUnstorableDatesToDLQ(t *testing.T) {
	conn, chCfg := testenv.ClickHouse(t)
	st := store.New(conn, chCfg.Database)
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	defer cancel()
	k := newKafka(t)
	tp := k.topicsFor(ctx, t, 1)
	codec := newCodec(t)
	encode := func(v any) []byte {
		b, err := codec.Encode(v)
		if err != nil {
			t.Fatalf("encode: %v", err)
		}
		return b
	}
	at := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	farEnd := testInsight("b1", "ad-1", 1, at)
	farEnd.EndDate = "2200-01-01" // the driver would write 2020-07-27
	event := func(job, start string, typ schemas.SyncEventType) *schemas.SyncEvent {
		return &schemas.SyncEvent{JobID: job, BrandID: "b1", StartDate: start, EndDate: "2026-11-27",
			Kind: schemas.SyncKindFull, Type: typ, TotalAds: 2, PublishedAds: 2, PublishedInsights: 2, At: at}
	}
	k.produce(ctx, t,
		&kgo.Record{Topic: tp.Ads, Key: schemas.AdKey("b1", "ad-0"), Value: encode(testAd("b1", "ad-0", at))},
		&kgo.Record{Topic: tp.Ads, Key: schemas.AdKey("b1", "ad-2"), Value: encode(testAd("b1", "ad-2", at))},
		&kgo.Record{Topic: tp.Insights, Key: schemas.AdKey("b1", "ad-0"), Value: encode(testInsight("b1", "ad-0", 0, at))},
		&kgo.Record{Topic: tp.Insights, Key: schemas.AdKey("b1", "ad-1"), Value: encode(farEnd)},
		&kgo.Record{Topic: tp.Insights, Key: schemas.AdKey("b1", "ad-2"), Value: encode(testInsight("b1", "ad-2", 2, at))},
		&kgo.Record{Topic: tp.SyncEvents, Key: []byte("job-0"), Value: encode(event("job-0", "1969-12-31", schemas.SyncFailed))},
		&kgo.Record{Topic: tp.SyncEvents, Key: []byte("job-1"), Value: encode(event("job-1", "2026-11-01", schemas.SyncCompleted))},
	)
	group := k.group(t)
	startConsumer(t, k, consumers.Config{Topics: tp, Group: group, FlushEvery: 100 * time.Millisecond}, st, nil)

	eventually(t, 20*time.Second, func() (bool, string) {
		return k.allCommitted(ctx, t, group, tp.Ads, tp.Insights, tp.SyncEvents)
	})
	good := store.Range{BrandID: "b1", StartDate: "2026-11-01", EndDate: "2026-11-27"}
	eventually(t, 10*time.Second, func() (bool, string) {
		agg, err := st.Aggregations(ctx, store.AggregationQuery{Range: good})
		return err == nil && agg.TotalAds == 2, fmt.Sprintf("good range aggregated %d ads (%v), want 2", agg.TotalAds, err)
	})
	rows, err := st.ListCreatives(ctx, store.ListQuery{Range: good, SortBy: "ad_id", Ascending: true, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range rows {
		ids = append(ids, r.AdID)
	}
	if want := []string{"ad-0", "ad-2"}; !slices.Equal(ids, want) {
		t.Errorf("stored ads %v, want %v", ids, want)
	}
	if j, err := st.LatestJob(ctx, good); err != nil || j.Status != store.StatusCompleted {
		t.Errorf("good range's job = %+v, %v; want completed", j, err)
	}

	dead := k.readAll(ctx, t, tp.DLQ)
	var reasons []string
	for _, r := range dead {
		var dl schemas.DeadLetter
		if err := codec.DecodeInto(r.Value, &dl); err != nil {
			t.Fatalf("dead letter does not decode: %v", err)
		}
		reasons = append(reasons, dl.OriginalTopic+": "+dl.Reason)
	}
	slices.Sort(reasons)
	want := []string{
		tp.Insights + ": insight of ad ad-1: bad date 2200-01-01: after 2105-12-31",
		tp.SyncEvents + ": sync event of job job-0: bad date 1969-12-31: before 1970-01-02",
	}
	if len(reasons) != len(want) {
		t.Fatalf("dead letters %q, want %d", reasons, len(want))
	}
	for i := range want {
		if !strings.HasPrefix(reasons[i], want[i]) {
			t.Errorf("dead letter %q, want it to start %q", reasons[i], want[i])
		}
	}
}
