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

// Replaying the data topics from offset 0 (every record delivered again, as
// after a consumer killed between insert and commit) leaves the daily rollup
// equal to the stored days, through restatements that change an ad's type.
func TestReplayedDaysLeaveTheRollupExact(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	defer cancel()
	conn, chCfg := testenv.ClickHouse(t)
	st := store.New(conn, chCfg.Database)
	k := newKafka(t)
	tp := k.topicsFor(ctx, t, 3)
	codec := newCodec(t)
	at := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	var records []*kgo.Record
	add := func(in *schemas.AdInsight) {
		b, err := codec.Encode(in)
		if err != nil {
			t.Fatal(err)
		}
		records = append(records, &kgo.Record{Topic: tp.Insights, Key: schemas.AdKey(in.BrandID, in.AdID), Value: b})
	}
	days := []string{"2026-11-20", "2026-11-21", "2026-11-22", "2026-11-23", "2026-11-24"}
	for i := range 30 {
		for d, date := range days {
			in := testInsight("b1", fmt.Sprintf("ad-%03d", i), int64(i*10+d), at)
			in.StartDate, in.EndDate, in.Daily = date, date, true
			add(in)
			if d == len(days)-1 && i%3 == 0 { // the last day restated, some ads now video
				re := *in
				re.SpendMicros, re.Version, re.CreativeType = in.SpendMicros*2, in.Version+1, schemas.CreativeVideo
				add(&re)
			}
		}
	}
	k.produce(ctx, t, records...)
	run := func(what string) {
		group := k.group(t)
		c := startConsumer(t, k, consumers.Config{Topics: tp, Group: group, BatchRows: 37, FlushEvery: 50 * time.Millisecond}, st, nil)
		eventually(t, 30*time.Second, func() (bool, string) { return k.allCommitted(ctx, t, group, tp.Insights) })
		if err := c.stop(t); err != nil {
			t.Fatalf("%s: consumer: %v", what, err)
		}
		drift, err := st.RollupDrift(ctx, "b1")
		if err != nil || drift != "" {
			t.Fatalf("%s: rollup differs from the days: %s (%v)", what, drift, err)
		}
	}
	run("first delivery")
	var rows uint64
	if err := conn.QueryRow(ctx, "SELECT count() FROM "+chCfg.Database+".ad_days FINAL").Scan(&rows); err != nil || rows != 150 {
		t.Fatalf("%d days stored (%v), want 150", rows, err)
	}
	run("replay from offset 0")
	run("second replay")
}
