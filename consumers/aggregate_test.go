package consumers_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/consumers"
	"github.com/adstream/adstream/internal/testenv"
	"github.com/adstream/adstream/schemas"
)

func TestMain(m *testing.M) { testenv.Main(m) }

var aggRange = store.Range{BrandID: "b1", StartDate: "2026-11-01", EndDate: "2026-11-27"}

func completedEvent(job string, published int64, at time.Time) *schemas.SyncEvent {
	return &schemas.SyncEvent{JobID: job, BrandID: aggRange.BrandID, StartDate: aggRange.StartDate, EndDate: aggRange.EndDate,
		Kind: schemas.SyncKindFull, Type: schemas.SyncCompleted, TotalAds: published, PublishedAds: published,
		PublishedInsights: published, At: at}
}

func jobInsights(n int, job string, at time.Time) []*schemas.AdInsight {
	out := make([]*schemas.AdInsight, n)
	for i := range n {
		in := testInsight("b1", fmt.Sprintf("ad-%03d", i), int64(i), at)
		in.SyncID, in.Version = job, schemas.VersionAt(at)
		out[i] = in
	}
	return out
}

// The COMPLETED event overtakes the job's data: the aggregation is rebuilt
// only once every published insight is stored, and the Ad record of each of
// their ads (a rebuild lists their details), and then equals them.
func TestConsumerAggregatesOnlyAfterTheJobIsStored(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	defer cancel()
	conn, chCfg := testenv.ClickHouse(t)
	st := store.New(conn, chCfg.Database)
	k := newKafka(t)
	tp := k.topicsFor(ctx, t, 3)
	codec := newCodec(t)
	at := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	rows := jobInsights(40, "job-1", at)
	encode := func(topic string, key []byte, v any) *kgo.Record {
		b, err := codec.Encode(v)
		if err != nil {
			t.Fatal(err)
		}
		return &kgo.Record{Topic: topic, Key: key, Value: b}
	}
	insightRecords := func(rs []*schemas.AdInsight) []*kgo.Record {
		var out []*kgo.Record
		for _, r := range rs {
			out = append(out, encode(tp.Insights, schemas.AdKey(r.BrandID, r.AdID), r))
		}
		return out
	}
	k.produce(ctx, t, encode(tp.SyncEvents, []byte("job-1"), completedEvent("job-1", 40, at)))
	k.produce(ctx, t, insightRecords(rows[:25])...)
	startConsumer(t, k, consumers.Config{Topics: tp, Group: k.group(t), BatchRows: 1000, FlushEvery: 50 * time.Millisecond}, st, nil)

	eventually(t, 20*time.Second, func() (bool, string) {
		n, err := st.CountCreatives(ctx, aggRange, nil)
		return n == 25, fmt.Sprintf("%d of the first 25 insights stored (%v)", n, err)
	})
	time.Sleep(300 * time.Millisecond) // several checks of the pending job
	if a, err := st.Aggregations(ctx, store.AggregationQuery{Range: aggRange}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("aggregated with 25 of 40 insights stored: %+v, %v", a, err)
	}
	k.produce(ctx, t, insightRecords(rows[25:])...)
	k.produce(ctx, t, insightRecords(rows[:10])...) // a redelivery changes nothing
	eventually(t, 20*time.Second, func() (bool, string) {
		n, err := st.CountCreatives(ctx, aggRange, nil)
		return n == 40, fmt.Sprintf("%d of the 40 insights stored (%v)", n, err)
	})
	time.Sleep(300 * time.Millisecond)
	if a, err := st.Aggregations(ctx, store.AggregationQuery{Range: aggRange}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("aggregated with the insights stored but none of their ads: %+v, %v", a, err)
	}
	var ads []*kgo.Record
	for _, r := range rows {
		ads = append(ads, encode(tp.Ads, schemas.AdKey(r.BrandID, r.AdID), testAd(r.BrandID, r.AdID, at)))
	}
	k.produce(ctx, t, ads...)

	var want store.Aggregation
	for _, r := range rows {
		want.TotalAds++
		want.SpendMicros += r.SpendMicros
		want.Clicks += r.Clicks
		want.Orders += r.Orders
	}
	eventually(t, 20*time.Second, func() (bool, string) {
		a, err := st.Aggregations(ctx, store.AggregationQuery{Range: aggRange, CreativeType: "carousel"})
		got := store.Aggregation{TotalAds: a.TotalAds, SpendMicros: a.SpendMicros, Clicks: a.Clicks, Orders: a.Orders}
		return err == nil && got == want && a.JobID == "job-1", fmt.Sprintf("aggregation %+v (%v), want %+v of job-1", got, err, want)
	})
}

// A consumer that stopped after storing a job's records and completion but
// before rebuilding still leaves the range aggregated: the next one to start
// finds the job owed.
func TestConsumerRebuildsOwedAggregationAfterRestart(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	defer cancel()
	conn, chCfg := testenv.ClickHouse(t)
	st := store.New(conn, chCfg.Database)
	at := time.Now().UTC().Truncate(time.Millisecond)
	// What the stopped consumer had inserted and committed.
	rows := jobInsights(30, "job-2", at)
	if err := st.InsertInsights(ctx, rows); err != nil {
		t.Fatal(err)
	}
	var ads []*schemas.Ad
	for _, r := range rows {
		ads = append(ads, testAd(r.BrandID, r.AdID, at))
	}
	if err := st.InsertAds(ctx, ads); err != nil {
		t.Fatal(err)
	}
	if err := st.InsertSyncEvents(ctx, []*schemas.SyncEvent{completedEvent("job-2", 30, at)}); err != nil {
		t.Fatal(err)
	}
	k := newKafka(t)
	tp := k.topicsFor(ctx, t, 1)
	startConsumer(t, k, consumers.Config{Topics: tp, Group: k.group(t), FlushEvery: 50 * time.Millisecond}, st, nil)
	eventually(t, 20*time.Second, func() (bool, string) {
		a, err := st.Aggregations(ctx, store.AggregationQuery{Range: aggRange})
		return err == nil && a.TotalAds == 30 && a.JobID == "job-2", fmt.Sprintf("aggregation %+v, %v", a, err)
	})
}
