package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/internal/testenv"
	"github.com/adstream/adstream/schemas"
)

var demoRange = store.Range{BrandID: "b1", StartDate: "2026-11-01", EndDate: "2026-11-30"}

func insight(ad string, typ schemas.CreativeType, spend, clicks int64, at time.Time) *schemas.AdInsight {
	return &schemas.AdInsight{
		BrandID: demoRange.BrandID, AdAccountID: "act_1", AdID: ad, StartDate: demoRange.StartDate, EndDate: demoRange.EndDate,
		CreativeType: typ, AdEffectiveStatus: "ACTIVE", SpendMicros: spend, Impressions: 1000, Clicks: clicks,
		FetchedAt: at, Version: schemas.VersionAt(at), SyncID: "job",
	}
}

func newStore(t *testing.T) *store.Store {
	conn, cfg := testenv.ClickHouse(t)
	return store.New(conn, cfg.Database)
}

// A refresh re-inserts every ad with new metrics, and Kafka may redeliver a
// batch: reads must see one row per ad, the newest.
func TestReinsertedInsightsReadAsLatest(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	t0 := time.Now().UTC().Truncate(time.Second)
	first := []*schemas.AdInsight{insight("a1", "video", 1_000_000, 10, t0), insight("a2", "image", 2_000_000, 20, t0)}
	second := []*schemas.AdInsight{insight("a1", "video", 5_000_000, 50, t0.Add(time.Hour)), insight("a2", "image", 2_500_000, 25, t0.Add(time.Hour))}
	for _, batch := range [][]*schemas.AdInsight{first, second, first} { // the last one is a stale redelivery
		if err := st.InsertInsights(ctx, batch); err != nil {
			t.Fatal(err)
		}
	}
	n, err := st.CountCreatives(ctx, demoRange, nil)
	if err != nil || n != 2 {
		t.Fatalf("count = %d, %v; want 2", n, err)
	}
	rows, err := st.ListCreatives(ctx, store.ListQuery{Range: demoRange, SortBy: "spend", Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	for _, r := range rows {
		got[r.AdID] = r.SpendMicros
	}
	want := map[string]int64{"a1": 5_000_000, "a2": 2_500_000}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("spend by ad = %v, want %v (latest version of each)", got, want)
	}
}

func TestListSortsFiltersAndPages(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	at := time.Now().UTC()
	var rows []*schemas.AdInsight
	for i := range 25 {
		typ := schemas.CreativeImage
		if i%2 == 0 {
			typ = schemas.CreativeVideo
		}
		rows = append(rows, insight(fmt.Sprintf("ad%02d", i), typ, int64(i)*1_000_000, int64(100-i), at))
	}
	if err := st.InsertInsights(ctx, rows); err != nil {
		t.Fatal(err)
	}
	if err := st.InsertAds(ctx, []*schemas.Ad{{BrandID: "b1", AdID: "ad24", AdName: "Top ad", CreativeType: "video",
		CarouselImages: []schemas.CarouselImage{{URL: "u", Link: "l", Name: "n", Description: "d"}}, FetchedAt: at}}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		give    store.ListQuery
		wantIDs []string
	}{
		{"spend desc first page", store.ListQuery{SortBy: "spend", Limit: 3}, []string{"ad24", "ad23", "ad22"}},
		{"spend desc second page", store.ListQuery{SortBy: "spend", Limit: 3, Offset: 3}, []string{"ad21", "ad20", "ad19"}},
		{"clicks asc", store.ListQuery{SortBy: "clicks", Ascending: true, Limit: 2}, []string{"ad24", "ad23"}},
		{"video only", store.ListQuery{SortBy: "spend", Limit: 2, Filters: map[string]string{"creative_type": "video"}}, []string{"ad24", "ad22"}},
		{"image only, ctr", store.ListQuery{SortBy: "ctr", Limit: 2, Filters: map[string]string{"creative_type": "image"}}, []string{"ad01", "ad03"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.give.Range = demoRange
			got, err := st.ListCreatives(ctx, tt.give)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, c := range got {
				ids = append(ids, c.AdID)
			}
			if fmt.Sprint(ids) != fmt.Sprint(tt.wantIDs) {
				t.Fatalf("ids = %v, want %v", ids, tt.wantIDs)
			}
		})
	}
	top, _ := st.ListCreatives(ctx, store.ListQuery{Range: demoRange, SortBy: "spend", Limit: 1})
	if top[0].AdName != "Top ad" || len(top[0].CarouselURLs) != 1 || top[0].CarouselDescriptions[0] != "d" {
		t.Fatalf("ad details not joined: %+v", top[0])
	}
	if n, _ := st.CountCreatives(ctx, demoRange, map[string]string{"creative_type": "video"}); n != 13 {
		t.Fatalf("video count = %d, want 13", n)
	}
}

func TestListRejectsUnknownSortAndFilter(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	if _, err := st.ListCreatives(ctx, store.ListQuery{Range: demoRange, SortBy: "spend; DROP TABLE ads", Limit: 1}); err == nil {
		t.Fatal("an unknown sort field was accepted")
	}
	if _, err := st.CountCreatives(ctx, demoRange, map[string]string{"1=1 OR brand_id": "x"}); err == nil {
		t.Fatal("an unknown filter key was accepted")
	}
}

func TestLatestJobFollowsEvents(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	if _, err := st.LatestJob(ctx, demoRange); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("no job yet: err = %v, want ErrNotFound", err)
	}
	t0 := time.Now().UTC().Truncate(time.Second)
	if err := st.RecordQueued(ctx, demoRange, "job-1", schemas.SyncKindFull, t0); err != nil {
		t.Fatal(err)
	}
	ev := func(typ schemas.SyncEventType, ads int64, at time.Time) *schemas.SyncEvent {
		return &schemas.SyncEvent{JobID: "job-1", BrandID: "b1", StartDate: demoRange.StartDate, EndDate: demoRange.EndDate,
			Kind: schemas.SyncKindFull, Type: typ, TotalAds: ads, PublishedAds: ads, PublishedInsights: ads, At: at}
	}
	done := ev(schemas.SyncCompleted, 40, t0.Add(3*time.Second))
	// Out of order and redelivered: the newest event still wins.
	if err := st.InsertSyncEvents(ctx, []*schemas.SyncEvent{ev(schemas.SyncStarted, 0, t0.Add(time.Second)), done,
		ev(schemas.SyncProgress, 20, t0.Add(2*time.Second)), done}); err != nil {
		t.Fatal(err)
	}
	j, err := st.LatestJob(ctx, demoRange)
	if err != nil {
		t.Fatal(err)
	}
	if j.JobID != "job-1" || j.Status != store.StatusCompleted || j.PublishedAds != 40 || !j.CreatedAt.Equal(t0) ||
		!j.StartedAt.Equal(t0.Add(time.Second)) || !j.CompletedAt.Equal(t0.Add(3*time.Second)) {
		t.Fatalf("job = %+v", j)
	}
	// COMPLETED says the records are in Kafka: the range counts as synced
	// once the consumers stored them and rebuilt it for the job.
	if !j.RangeSyncedAt.IsZero() {
		t.Fatalf("range synced at %v before the consumers rebuilt it", j.RangeSyncedAt)
	}
	if _, err := st.RebuildAggregations(ctx, demoRange, "job-1"); err != nil {
		t.Fatal(err)
	}
	if j, err = st.LatestJob(ctx, demoRange); err != nil || !j.RangeSyncedAt.Equal(j.CompletedAt) {
		t.Fatalf("after the rebuild: job = %+v, %v; want the range synced at its completion", j, err)
	}
}

// A job with nothing to do publishes its events within one millisecond: the
// status must still be the last one, and progress must follow seq, not the
// timestamps that tie.
func TestLatestJobOrderDoesNotDependOnTheClock(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	at := time.Now().UTC().Truncate(time.Millisecond)
	if err := st.RecordQueued(ctx, demoRange, "job-0", schemas.SyncKindFull, at); err != nil {
		t.Fatal(err)
	}
	ev := func(typ schemas.SyncEventType, ads, seq int64) *schemas.SyncEvent {
		return &schemas.SyncEvent{JobID: "job-0", BrandID: "b1", StartDate: demoRange.StartDate, EndDate: demoRange.EndDate,
			Kind: schemas.SyncKindFull, Type: typ, TotalAds: 90, PublishedAds: ads, At: at, Seq: seq}
	}
	// Inserted newest first, every timestamp equal.
	if err := st.InsertSyncEvents(ctx, []*schemas.SyncEvent{ev(schemas.SyncProgress, 60, 4), ev(schemas.SyncProgress, 30, 3),
		ev(schemas.SyncStarted, 0, 2)}); err != nil {
		t.Fatal(err)
	}
	j, err := st.LatestJob(ctx, demoRange)
	if err != nil || j.Status != store.StatusProcessing || j.PublishedAds != 60 {
		t.Fatalf("running job = %+v, %v; want processing with the newest progress (60)", j, err)
	}
	if err := st.InsertSyncEvents(ctx, []*schemas.SyncEvent{ev(schemas.SyncCompleted, 60, 1)}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.RebuildAggregations(ctx, demoRange, "job-0"); err != nil {
		t.Fatal(err)
	}
	if j, err = st.LatestJob(ctx, demoRange); err != nil || j.Status != store.StatusCompleted || !j.RangeSyncedAt.Equal(at) {
		t.Fatalf("job = %+v, %v; want completed: a job never moves back from its end", j, err)
	}
	if got, err := st.Job(ctx, demoRange, "job-0"); err != nil || got.JobID != "job-0" || got.Status != store.StatusCompleted {
		t.Fatalf("Job = %+v, %v", got, err)
	}
	if _, err := st.Job(ctx, demoRange, "job-unknown"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown job: err = %v, want ErrNotFound", err)
	}
}

func TestBrandRegistry(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	if _, err := st.GetBrand(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown brand: err = %v", err)
	}
	b := store.Brand{BrandID: "demo", Name: "Demo", TokenCiphertext: "sealed", AdAccountIDs: []string{"act_1", "act_2"}}
	if err := st.PutBrand(ctx, b); err != nil {
		t.Fatal(err)
	}
	b.AdAccountIDs = []string{"act_3"}
	if err := st.PutBrand(ctx, b); err != nil {
		t.Fatal(err)
	}
	got, err := st.GetBrand(ctx, "demo")
	if err != nil || fmt.Sprint(got.AdAccountIDs) != "[act_3]" || got.TokenCiphertext != "sealed" {
		t.Fatalf("brand = %+v, %v; want the second version", got, err)
	}
}

func TestSyncedRangesListsCompletedRanges(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	ev := func(job, brand, start string, typ schemas.SyncEventType, at time.Time) *schemas.SyncEvent {
		return &schemas.SyncEvent{JobID: job, BrandID: brand, StartDate: start, EndDate: "2026-11-30", Kind: schemas.SyncKindFull, Type: typ, At: at}
	}
	err := st.InsertSyncEvents(ctx, []*schemas.SyncEvent{
		ev("j1", "b1", "2026-11-01", schemas.SyncCompleted, now.Add(-time.Hour)),
		ev("j2", "b1", "2026-11-01", schemas.SyncCompleted, now.Add(-2*time.Hour)),     // same range twice
		ev("j3", "b2", "2026-11-10", schemas.SyncFailed, now.Add(-time.Hour)),          // never completed
		ev("j4", "b3", "2026-10-01", schemas.SyncCompleted, now.Add(-40*24*time.Hour)), // too old
		ev("j5", "b4", "2026-11-15", schemas.SyncCompleted, now.Add(-time.Minute)),
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := st.SyncedRanges(ctx, now.Add(-30*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	want := []store.Range{{BrandID: "b1", StartDate: "2026-11-01", EndDate: "2026-11-30"}, {BrandID: "b4", StartDate: "2026-11-15", EndDate: "2026-11-30"}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("ranges = %v, want %v", got, want)
	}
}
