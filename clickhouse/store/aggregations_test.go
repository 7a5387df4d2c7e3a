package store_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/schemas"
)

var statuses = []string{"ACTIVE", "PAUSED", "ADSET_PAUSED"}

// genInsights makes n ads of r with varied types, statuses and metrics,
// zeros included (ads without clicks, orders, spend or reach), at version at.
func genInsights(r store.Range, n int, seed int64, at time.Time, job string) []*schemas.AdInsight {
	types := []schemas.CreativeType{schemas.CreativeVideo, schemas.CreativeImage, schemas.CreativeCarousel, schemas.CreativeUnknown}
	out := make([]*schemas.AdInsight, n)
	for i := range n {
		x := int64(i)*7919 + seed*104729
		in := &schemas.AdInsight{
			BrandID: r.BrandID, AdAccountID: "act_1", AdID: fmt.Sprintf("ad%04d", i), StartDate: r.StartDate, EndDate: r.EndDate,
			CreativeType: types[(int64(i)+seed)%4], AdEffectiveStatus: statuses[(int64(i)+seed)%3],
			SpendMicros: x % 3 * (x % 9_999_991), RevenueMicros: x % 31_000_013, Orders: x % 5, Impressions: 1 + x%100_003,
			Clicks: x % 4 * (x % 997), Reach: x % 7 * (x % 50_021), VideoViews: x % 1009, VideoP25: x % 503,
			VideoP50: x % 251, VideoP75: x % 127, VideoP100: x % 63, FetchedAt: at, Version: schemas.VersionAt(at), SyncID: job,
		}
		out[i] = in
	}
	return out
}

// sumInGo computes what an aggregation must hold, independently of SQL:
// the latest row of each ad counts once.
func sumInGo(rows []*schemas.AdInsight, typ, status string) store.Aggregation {
	latest := map[string]*schemas.AdInsight{}
	for _, r := range rows {
		if old, ok := latest[r.AdID]; !ok || r.Version > old.Version {
			latest[r.AdID] = r
		}
	}
	var a store.Aggregation
	for _, r := range latest {
		if (typ != "all" && string(r.CreativeType) != typ) || (status != "" && r.AdEffectiveStatus != status) {
			continue
		}
		a.TotalAds++
		a.SpendMicros += r.SpendMicros
		a.RevenueMicros += r.RevenueMicros
		a.Orders += r.Orders
		a.Impressions += r.Impressions
		a.Clicks += r.Clicks
		a.Reach += r.Reach
		a.VideoViews += r.VideoViews
		a.VideoP25 += r.VideoP25
		a.VideoP50 += r.VideoP50
		a.VideoP75 += r.VideoP75
		a.VideoP100 += r.VideoP100
		if r.Impressions > 0 {
			a.SumCTR += float64(r.Clicks) * 100 / float64(r.Impressions)
			a.NCTR++
		}
		if r.Clicks > 0 {
			a.SumCPC += float64(r.SpendMicros) / 1e6 / float64(r.Clicks)
			a.NCPC++
		}
		if r.Reach > 0 {
			a.SumCPP += float64(r.SpendMicros) / 1000 / float64(r.Reach)
			a.NCPP++
		}
		if r.SpendMicros > 0 {
			a.SumROAS += float64(r.RevenueMicros) / float64(r.SpendMicros)
			a.NROAS++
		}
	}
	return a
}

// sameTotals compares integer totals exactly and averages to 1e-9 relative.
func sameTotals(got, want store.Aggregation) error {
	gi := []int64{got.TotalAds, got.SpendMicros, got.RevenueMicros, got.Orders, got.Impressions, got.Clicks, got.Reach,
		got.VideoViews, got.VideoP25, got.VideoP50, got.VideoP75, got.VideoP100, got.NCTR, got.NCPC, got.NCPP, got.NROAS}
	wi := []int64{want.TotalAds, want.SpendMicros, want.RevenueMicros, want.Orders, want.Impressions, want.Clicks, want.Reach,
		want.VideoViews, want.VideoP25, want.VideoP50, want.VideoP75, want.VideoP100, want.NCTR, want.NCPC, want.NCPP, want.NROAS}
	if fmt.Sprint(gi) != fmt.Sprint(wi) {
		return fmt.Errorf("integer totals\n got %v\nwant %v", gi, wi)
	}
	for _, p := range []struct {
		name      string
		got, want float64
	}{
		{"avg_ctr", got.AvgCTR(), want.AvgCTR()}, {"avg_cpc", got.AvgCPC(), want.AvgCPC()},
		{"avg_cpp", got.AvgCPP(), want.AvgCPP()}, {"avg_roas", got.AvgROAS(), want.AvgROAS()},
		{"weighted_cpp", got.WeightedCPP(), want.WeightedCPP()}, {"weighted_roas", got.WeightedROAS(), want.WeightedROAS()},
	} {
		if math.Abs(p.got-p.want) > 1e-9*math.Max(1, math.Abs(p.want)) {
			return fmt.Errorf("%s = %v, want %v", p.name, p.got, p.want)
		}
	}
	return nil
}

func TestAggregationsEqualSumsOfLatestRows(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	t0 := time.Now().UTC().Truncate(time.Second)
	first := genInsights(demoRange, 400, 1, t0, "job-1")
	if err := st.InsertInsights(ctx, first); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Aggregations(ctx, store.AggregationQuery{Range: demoRange}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("before any rebuild: err = %v, want ErrNotFound", err)
	}
	if _, err := st.RebuildAggregations(ctx, demoRange, "job-1"); err != nil {
		t.Fatal(err)
	}
	// A refresh re-inserts every ad with new metrics, statuses and types
	// (seed 2 shifts them, so some (type, status) groups of the first
	// rebuild vanish), then Kafka redelivers the first job's batch.
	second := genInsights(demoRange, 400, 2, t0.Add(time.Hour), "job-2")[:350]
	for _, batch := range [][]*schemas.AdInsight{second, first} {
		if err := st.InsertInsights(ctx, batch); err != nil {
			t.Fatal(err)
		}
	}
	version, err := st.RebuildAggregations(ctx, demoRange, "job-2")
	if err != nil {
		t.Fatal(err)
	}
	all := append(append([]*schemas.AdInsight{}, first...), second...)
	tests := []struct {
		give store.AggregationQuery
		want store.Aggregation
	}{
		{store.AggregationQuery{CreativeType: "all"}, sumInGo(all, "all", "")},
		{store.AggregationQuery{}, sumInGo(all, "all", "")},
		{store.AggregationQuery{CreativeType: "video"}, sumInGo(all, "video", "")},
		{store.AggregationQuery{CreativeType: "image"}, sumInGo(all, "image", "")},
		{store.AggregationQuery{CreativeType: "carousel"}, sumInGo(all, "carousel", "")},
		{store.AggregationQuery{CreativeType: "unknown"}, sumInGo(all, "unknown", "")},
		{store.AggregationQuery{CreativeType: "video", AdStatus: "PAUSED"}, sumInGo(all, "video", "PAUSED")},
		{store.AggregationQuery{CreativeType: "all", AdStatus: "ACTIVE"}, sumInGo(all, "all", "ACTIVE")},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%s", tt.give.CreativeType, tt.give.AdStatus), func(t *testing.T) {
			tt.give.Range = demoRange
			got, err := st.Aggregations(ctx, tt.give)
			if err != nil {
				t.Fatal(err)
			}
			if err := sameTotals(got, tt.want); err != nil {
				t.Fatal(err)
			}
			if got.RebuildVersion != version || got.JobID != "job-2" {
				t.Fatalf("rebuild = %d/%q, want %d/job-2", got.RebuildVersion, got.JobID, version)
			}
		})
	}
	if sumInGo(all, "all", "").TotalAds != 400 || sumInGo(first, "all", "") == sumInGo(all, "all", "") {
		t.Fatal("fixture: the refresh must change the totals and keep 400 ads")
	}
}

// A group of an older rebuild that the newer one lacks must not be counted,
// even while the old row is still stored (ReplacingMergeTree only replaces
// rows of the same group).
func TestAggregationsIgnoreVanishedGroups(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	t0 := time.Now().UTC().Truncate(time.Second)
	ad := func(status string, spend int64, at time.Time) []*schemas.AdInsight {
		return []*schemas.AdInsight{{BrandID: demoRange.BrandID, AdID: "a1", StartDate: demoRange.StartDate, EndDate: demoRange.EndDate,
			CreativeType: schemas.CreativeImage, AdEffectiveStatus: status, SpendMicros: spend, Impressions: 10,
			FetchedAt: at, Version: schemas.VersionAt(at)}}
	}
	steps := []struct {
		give []*schemas.AdInsight
		want map[string]int64 // status → ads
	}{
		{ad("ACTIVE", 1_000_000, t0), map[string]int64{"": 1, "ACTIVE": 1, "PAUSED": 0}},
		{ad("PAUSED", 2_000_000, t0.Add(time.Minute)), map[string]int64{"": 1, "ACTIVE": 0, "PAUSED": 1}},
		{ad("ACTIVE", 1_000_000, t0), map[string]int64{"": 1, "ACTIVE": 0, "PAUSED": 1}}, // stale redelivery
	}
	for i, s := range steps {
		if err := st.InsertInsights(ctx, s.give); err != nil {
			t.Fatal(err)
		}
		if _, err := st.RebuildAggregations(ctx, demoRange, ""); err != nil {
			t.Fatal(err)
		}
		for status, want := range s.want {
			got, err := st.Aggregations(ctx, store.AggregationQuery{Range: demoRange, CreativeType: "image", AdStatus: status})
			if err != nil {
				t.Fatal(err)
			}
			if got.TotalAds != want {
				t.Errorf("step %d, status %q: total_ads = %d, want %d", i, status, got.TotalAds, want)
			}
			if want == 1 && got.SpendMicros != 2_000_000 && i > 0 {
				t.Errorf("step %d: spend = %d, want the refreshed 2000000", i, got.SpendMicros)
			}
		}
	}
}

// An empty range is a stored answer: zeros, not ErrNotFound.
func TestAggregationsOfEmptyRange(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	if _, err := st.RebuildAggregations(ctx, demoRange, ""); err != nil {
		t.Fatal(err)
	}
	got, err := st.Aggregations(ctx, store.AggregationQuery{Range: demoRange, CreativeType: "video"})
	if err != nil || got.TotalAds != 0 || got.RebuildVersion == 0 {
		t.Fatalf("empty range = %+v, %v; want zeros of a stored rebuild", got, err)
	}
}

func TestJobStoredCountsTheJobsAds(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	t0 := time.Now().UTC()
	rows := genInsights(demoRange, 30, 1, t0, "job-1")
	if err := st.InsertInsights(ctx, rows[:20]); err != nil {
		t.Fatal(err)
	}
	if err := st.InsertInsights(ctx, rows[:20]); err != nil { // a redelivery adds no ads
		t.Fatal(err)
	}
	if err := st.InsertInsights(ctx, genInsights(demoRange, 30, 1, t0, "job-0")); err != nil { // another job's rows
		t.Fatal(err)
	}
	var ads []*schemas.Ad // every ad's record, which JobStored also waits for
	for _, r := range rows {
		ads = append(ads, &schemas.Ad{BrandID: r.BrandID, AdID: r.AdID, FetchedAt: t0, SyncID: "job-1"})
	}
	if err := st.InsertAds(ctx, ads); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		job       string
		published int64
		want      bool
	}{
		{"job-1", 30, false},
		{"job-1", 20, true},
		{"job-0", 30, true},
		{"job-9", 0, true},
		{"job-9", 1, false},
	}
	for _, tt := range tests {
		got, err := st.JobStored(ctx, store.CompletedJob{Range: demoRange, JobID: tt.job, PublishedInsights: tt.published})
		if err != nil || got != tt.want {
			t.Errorf("JobStored(%s, %d) = %v, %v; want %v", tt.job, tt.published, got, err, tt.want)
		}
	}
	if err := st.InsertInsights(ctx, rows[20:]); err != nil {
		t.Fatal(err)
	}
	if ok, _ := st.JobStored(ctx, store.CompletedJob{Range: demoRange, JobID: "job-1", PublishedInsights: 30}); !ok {
		t.Error("job-1 with all 30 ads stored is not complete")
	}
}

// Ad records travel on their own topic: a job whose rows are all stored
// but whose ads are not yet is not complete, or its rebuild would list
// those ads without their details. Any Ad record of the ad counts.
func TestJobStoredWaitsForTheAdsOfItsRows(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	t0 := time.Now().UTC()
	rows := genInsights(demoRange, 10, 1, t0, "job-1") // range rows of ad0000..ad0009
	for i, r := range rows[:5] {                       // days of ad0010..ad0014, ads of no range row
		day := *r
		day.AdID, day.StartDate, day.EndDate, day.Daily = fmt.Sprintf("ad%04d", 10+i), demoRange.StartDate, demoRange.StartDate, true
		rows = append(rows, &day)
	}
	if err := st.InsertInsights(ctx, rows); err != nil {
		t.Fatal(err)
	}
	job := store.CompletedJob{Range: demoRange, JobID: "job-1", PublishedInsights: 10, PublishedDays: 5}
	ads := func(job string, from, to int) []*schemas.Ad {
		var out []*schemas.Ad
		for i := from; i <= to; i++ {
			id := fmt.Sprintf("ad%04d", i)
			out = append(out, &schemas.Ad{BrandID: demoRange.BrandID, AdID: id, AdName: "Ad " + id, CreativeType: schemas.CreativeVideo, FetchedAt: t0, SyncID: job})
		}
		return out
	}
	steps := []struct {
		what string
		ads  []*schemas.Ad
		want bool
	}{
		{"no ad stored", nil, false},
		{"the range rows' ads but one", ads("job-1", 0, 8), false},
		{"the last one's record from an earlier job", ads("job-0", 9, 9), false}, // the days' ads missing
		{"another brand's records of the days' ads", []*schemas.Ad{{BrandID: "other", AdID: "ad0010", FetchedAt: t0}}, false},
		{"the days' ads", ads("job-1", 10, 14), true},
	}
	for _, step := range steps {
		if err := st.InsertAds(ctx, step.ads); err != nil {
			t.Fatal(err)
		}
		if got, err := st.JobStored(ctx, job); err != nil || got != step.want {
			t.Fatalf("after %s: JobStored = %v, %v; want %v", step.what, got, err, step.want)
		}
	}
}

func TestUnaggregatedJobs(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	since := time.Now().Add(-time.Hour)
	other := store.Range{BrandID: "b2", StartDate: demoRange.StartDate, EndDate: demoRange.EndDate}
	completed := func(r store.Range, job string) {
		t.Helper()
		if err := st.InsertSyncEvents(ctx, []*schemas.SyncEvent{{JobID: job, BrandID: r.BrandID, StartDate: r.StartDate,
			EndDate: r.EndDate, Kind: schemas.SyncKindFull, Type: schemas.SyncCompleted, PublishedInsights: 7, At: time.Now().UTC()}}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Millisecond)
	}
	owed := func() []string {
		t.Helper()
		jobs, err := st.UnaggregatedJobs(ctx, since)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, j := range jobs {
			out = append(out, j.BrandID+"/"+j.JobID+fmt.Sprint(j.PublishedInsights))
		}
		return out
	}
	completed(demoRange, "job-1")
	completed(other, "job-x")
	if _, err := st.RebuildAggregations(ctx, other, "job-x"); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(owed()); got != "[b1/job-17]" {
		t.Fatalf("owed = %s, want [b1/job-17]", got)
	}
	if _, err := st.RebuildAggregations(ctx, demoRange, "job-1"); err != nil {
		t.Fatal(err)
	}
	completed(other, "job-y") // a refresh of b2 completes after its rebuild
	if got := fmt.Sprint(owed()); got != "[b2/job-y7]" {
		t.Fatalf("owed = %s, want [b2/job-y7]", got)
	}
}
