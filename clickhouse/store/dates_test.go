package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/schemas"
)

func TestParseDay(t *testing.T) {
	tests := []struct {
		give    string
		wantErr string // "" means accepted; else a part of the message
	}{
		{give: "1970-01-02"},
		{give: "2026-11-27"},
		{give: "2105-12-31"},
		{give: "1970-01-01", wantErr: "before 1970-01-02"},
		{give: "1969-12-31", wantErr: "before 1970-01-02"},
		{give: "0001-01-01", wantErr: "before 1970-01-02"},
		{give: "2106-01-01", wantErr: "after 2105-12-31"},
		{give: "2149-06-06", wantErr: "after 2105-12-31"},
		{give: "2149-06-07", wantErr: "after 2105-12-31"},
		{give: "2200-01-01", wantErr: "after 2105-12-31"},
		{give: "9999-12-31", wantErr: "after 2105-12-31"},
		{give: "2024-02-30", wantErr: "YYYY-MM-DD"},
		{give: "2024-1-5", wantErr: "YYYY-MM-DD"},
		{give: "", wantErr: "YYYY-MM-DD"},
	}
	// Days gives ParseDay's answers, the second time from what it remembers.
	var days store.Days
	parsers := []struct {
		name  string
		parse func(string) (time.Time, error)
	}{{"ParseDay", store.ParseDay}, {"Days.Parse", days.Parse}, {"Days.Parse again", days.Parse}}
	for _, tt := range tests {
		t.Run(tt.give, func(t *testing.T) {
			for _, p := range parsers {
				got, err := p.parse(tt.give)
				if tt.wantErr == "" {
					if err != nil || got.Format(time.DateOnly) != tt.give {
						t.Fatalf("%s(%q) = %v, %v; want the day", p.name, tt.give, got, err)
					}
					continue
				}
				if !errors.Is(err, store.ErrBadDate) {
					t.Fatalf("%s(%q) error = %v, want ErrBadDate", p.name, tt.give, err)
				}
				if !strings.Contains(err.Error(), tt.give) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("%s: message %q should name %q and say %q", p.name, err, tt.give, tt.wantErr)
				}
			}
		})
	}
}

// A Days that has parsed more days than it remembers still parses each
// right.
func TestDaysParseManyDays(t *testing.T) {
	var days store.Days
	first := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	for round := range 2 {
		for i := range 10_000 {
			want := first.AddDate(0, 0, i)
			got, err := days.Parse(want.Format(time.DateOnly))
			if err != nil || !got.Equal(want) {
				t.Fatalf("round %d: Parse(%s) = %v, %v", round, want.Format(time.DateOnly), got, err)
			}
		}
	}
}

// The first and last day the store accepts are stored and read back as
// themselves on the real server: a range spanning them is written by every
// write path and found by every read, and its days come back as text.
func TestStoreBoundsRoundTrip(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	r := store.Range{BrandID: "edge", StartDate: store.FirstDay.Format(time.DateOnly), EndDate: store.LastDay.Format(time.DateOnly)}
	t0 := time.Now().UTC().Truncate(time.Second)
	if err := st.RecordQueued(ctx, r, "job-edge", schemas.SyncKindFull, t0); err != nil {
		t.Fatal(err)
	}
	if err := st.InsertInsights(ctx, genInsights(r, 12, 1, t0, "job-edge")); err != nil {
		t.Fatal(err)
	}
	if err := st.InsertSyncEvents(ctx, []*schemas.SyncEvent{{JobID: "job-edge", BrandID: r.BrandID, StartDate: r.StartDate,
		EndDate: r.EndDate, Kind: schemas.SyncKindFull, Type: schemas.SyncCompleted, PublishedInsights: 12, At: t0.Add(time.Second)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.RebuildAggregations(ctx, r, "job-edge"); err != nil {
		t.Fatal(err)
	}
	if n, err := st.CountCreatives(ctx, r, nil); err != nil || n != 12 {
		t.Errorf("creatives of %s..%s = %d, %v; want 12", r.StartDate, r.EndDate, n, err)
	}
	if agg, err := st.Aggregations(ctx, store.AggregationQuery{Range: r}); err != nil || agg.TotalAds != 12 {
		t.Errorf("aggregation total_ads = %d, %v; want 12", agg.TotalAds, err)
	}
	if j, err := st.LatestJob(ctx, r); err != nil || j.JobID != "job-edge" || j.Status != store.StatusCompleted {
		t.Errorf("latest job = %+v, %v; want job-edge completed", j, err)
	}
	synced, err := st.SyncedRanges(ctx, t0.Add(-time.Hour))
	if err != nil || len(synced) != 1 || synced[0] != r {
		t.Errorf("synced ranges = %v, %v; want [%v] (the days as written)", synced, err, r)
	}
}

// A day the store cannot hold is refused by every method that takes a range,
// before ClickHouse sees it: the driver would wrap 2205-06-08..2206-05-04 to
// 2026-01-01..2026-11-27 and overwrite that range's ads, aggregations and
// sync status. The stored 2026 range reads back untouched afterwards.
func TestStoreRefusesDaysItCannotHold(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	good := store.Range{BrandID: "acme", StartDate: "2026-01-01", EndDate: "2026-11-27"}
	t0 := time.Now().UTC().Truncate(time.Second)
	if err := st.InsertInsights(ctx, genInsights(good, 40, 1, t0, "job-good")); err != nil {
		t.Fatal(err)
	}
	if err := st.InsertSyncEvents(ctx, []*schemas.SyncEvent{{JobID: "job-good", BrandID: good.BrandID, StartDate: good.StartDate,
		EndDate: good.EndDate, Kind: schemas.SyncKindFull, Type: schemas.SyncCompleted, PublishedInsights: 40, At: t0}}); err != nil {
		t.Fatal(err)
	}
	version, err := st.RebuildAggregations(ctx, good, "job-good")
	if err != nil {
		t.Fatal(err)
	}

	bad := []store.Range{
		{BrandID: "acme", StartDate: "2205-06-08", EndDate: "2206-05-04"}, // wraps onto the good range
		{BrandID: "acme", StartDate: "2026-01-01", EndDate: "2200-01-01"},
		{BrandID: "acme", StartDate: "1969-12-31", EndDate: "2026-11-27"},
	}
	for _, r := range bad {
		later := t0.Add(time.Hour) // newer than the good rows: it would win every merge
		empty := genInsights(r, 40, 2, later, "job-bad")
		for _, in := range empty {
			in.SpendMicros, in.Impressions, in.Clicks = 0, 0, 0
		}
		calls := map[string]error{
			"InsertInsights": st.InsertInsights(ctx, empty),
			"InsertSyncEvents": st.InsertSyncEvents(ctx, []*schemas.SyncEvent{{JobID: "job-bad", BrandID: r.BrandID, StartDate: r.StartDate,
				EndDate: r.EndDate, Kind: schemas.SyncKindFull, Type: schemas.SyncFailed, Error: "bad", At: later}}),
			"RecordQueued": st.RecordQueued(ctx, r, "job-bad", schemas.SyncKindFull, later),
		}
		_, calls["RebuildAggregations"] = st.RebuildAggregations(ctx, r, "job-bad")
		_, calls["DeleteRange"] = st.DeleteRange(ctx, r)
		_, calls["Aggregations"] = st.Aggregations(ctx, store.AggregationQuery{Range: r})
		_, calls["AggregateNow"] = st.AggregateNow(ctx, store.AggregationQuery{Range: r})
		_, calls["LatestJob"] = st.LatestJob(ctx, r)
		_, calls["Job"] = st.Job(ctx, r, "job-good")
		_, calls["CountCreatives"] = st.CountCreatives(ctx, r, nil)
		_, calls["ListCreatives"] = st.ListCreatives(ctx, store.ListQuery{Range: r, SortBy: "spend", Limit: 10})
		_, calls["JobStored"] = st.JobStored(ctx, store.CompletedJob{Range: r, JobID: "job-bad", PublishedInsights: 40})
		_, calls["SyncedDays"] = st.SyncedDays(ctx, r)
		_, _, calls["Coverage"] = st.Coverage(ctx, r)
		_, _, calls["EnsureRange"] = st.EnsureRange(ctx, r)
		calls["MaterializeRange"] = st.MaterializeRange(ctx, r)
		_, calls["Series"] = st.Series(ctx, store.SeriesQuery{Range: r, Metrics: []string{"spend"}})
		for name, err := range calls {
			if !errors.Is(err, store.ErrBadDate) {
				t.Errorf("%s(%s..%s) error = %v, want ErrBadDate", name, r.StartDate, r.EndDate, err)
			}
		}
	}

	if _, err := st.RebuildAggregations(ctx, good, "job-good"); err != nil { // what a later read or sync would do
		t.Fatal(err)
	}
	agg, err := st.Aggregations(ctx, store.AggregationQuery{Range: good})
	want := sumInGo(genInsights(good, 40, 1, t0, "job-good"), "all", "")
	if err != nil || agg.TotalAds != 40 || agg.SpendMicros != want.SpendMicros || agg.RebuildVersion <= version {
		t.Errorf("good range aggregation = %d ads, %d spend (%v); want 40 ads, %d spend", agg.TotalAds, agg.SpendMicros, err, want.SpendMicros)
	}
	if j, err := st.LatestJob(ctx, good); err != nil || j.JobID != "job-good" || j.Status != store.StatusCompleted {
		t.Errorf("good range's latest job = %+v, %v; want job-good completed", j, err)
	}
	if n, err := st.CountCreatives(ctx, good, nil); err != nil || n != 40 {
		t.Errorf("good range creatives = %d, %v; want 40", n, err)
	}
}
