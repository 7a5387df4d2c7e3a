package store_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/schemas"
)

// videoWorld is a brand whose videos are shown by several ads, with days
// stored twice (a refresh restated them) and an ad that moved to another
// video: what the feed must dedupe, sum and order.
//
//	v1: a1 (days 1, 2), a2 (day 1)  → spend 1 + 2 + 4 = 7
//	v2: a3 (day 1)                   → 5 (one ad outspending each of v1's)
//	v3: a4, no days                  → 0
//	a5: an image ad, no video
//	a6: showed v1, now shows v2      → its 0.5 counts for v2
func newVideoWorld(t *testing.T) (*store.Store, store.Range) {
	t.Helper()
	st := newStore(t)
	ctx := context.Background()
	const brand = "vb"
	rng := store.Range{BrandID: brand, StartDate: "2026-11-01", EndDate: "2026-11-02"}
	t0 := time.Date(2026, 11, 3, 6, 0, 0, 0, time.UTC)
	ad := func(id, video string, typ schemas.CreativeType, at time.Time) *schemas.Ad {
		return &schemas.Ad{BrandID: brand, AdAccountID: "act_1", AdID: id, CreativeID: "c" + id, AdName: "Ad " + id,
			AdEffectiveStatus: "ACTIVE", CreativeType: typ, VideoID: video, VideoLengthSeconds: 30,
			VideoSourceURL: "https://cdn.example/" + video + ".mp4?oe=6745a1b2", ThumbnailURL: "https://cdn.example/c" + id + ".jpg",
			FetchedAt: at}
	}
	ads := []*schemas.Ad{
		ad("a1", "v1", schemas.CreativeVideo, t0), ad("a2", "v1", schemas.CreativeVideo, t0), ad("a3", "v2", schemas.CreativeVideo, t0),
		ad("a4", "v3", schemas.CreativeVideo, t0), ad("a5", "", schemas.CreativeImage, t0),
		ad("a6", "v1", schemas.CreativeVideo, t0), ad("a6", "v2", schemas.CreativeVideo, t0.Add(time.Hour)),
	}
	if err := st.InsertAds(ctx, ads); err != nil {
		t.Fatal(err)
	}
	day := func(id, date string, spend int64, at time.Time) *schemas.AdInsight {
		return &schemas.AdInsight{BrandID: brand, AdAccountID: "act_1", AdID: id, StartDate: date, EndDate: date, Daily: true,
			CreativeType: schemas.CreativeVideo, AdEffectiveStatus: "ACTIVE", SpendMicros: spend, Impressions: spend / 1000,
			Clicks: 3, VideoViews: 7, FetchedAt: at, Version: schemas.VersionAt(at), SyncID: "job"}
	}
	days := []*schemas.AdInsight{
		day("a1", "2026-11-01", 9_000_000, t0), day("a1", "2026-11-01", 1_000_000, t0.Add(time.Hour)), // restated
		day("a1", "2026-11-02", 2_000_000, t0), day("a2", "2026-11-01", 4_000_000, t0),
		day("a3", "2026-11-01", 5_000_000, t0), day("a5", "2026-11-01", 8_000_000, t0),
		day("a6", "2026-11-02", 500_000, t0),
	}
	var ranges []*schemas.AdInsight
	for _, id := range []string{"a1", "a2", "a3", "a4", "a5", "a6"} {
		ranges = append(ranges, &schemas.AdInsight{BrandID: brand, AdAccountID: "act_1", AdID: id, StartDate: rng.StartDate, EndDate: rng.EndDate,
			CreativeType: schemas.CreativeVideo, AdEffectiveStatus: "ACTIVE", FetchedAt: t0, Version: schemas.VersionAt(t0), SyncID: "job"})
	}
	if err := st.InsertInsights(ctx, append(days, ranges...)); err != nil {
		t.Fatal(err)
	}
	return st, rng
}

func pendingIDs(t *testing.T, st *store.Store, typ string, limit int, after *store.VideoCursor) []store.PendingVideo {
	t.Helper()
	got, err := st.PendingVideos(context.Background(), store.PendingQuery{BrandID: "vb", AnalysisType: typ, Limit: limit, After: after})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func analysis(video, typ, version, results string) store.Analysis {
	at := time.Date(2026, 11, 5, 9, 30, 0, 0, time.UTC)
	return store.Analysis{BrandID: "vb", VideoID: video, Type: typ, Model: "m", ModelVersion: version, Results: results,
		AnalyzedAt: at, StoredAt: at.Add(time.Minute)}
}

// The feed lists each video once, by the spend of all its ads' newest days,
// pages by cursor, and drops a video once it has a result of the type.
func TestVideoFeedDedupesAndRanksBySpend(t *testing.T) {
	st, _ := newVideoWorld(t)
	ctx := context.Background()
	want := []store.PendingVideo{{VideoID: "v1", SpendMicros: 7_000_000}, {VideoID: "v2", SpendMicros: 5_500_000}, {VideoID: "v3"}}
	if got := pendingIDs(t, st, "scenes", 10, nil); !reflect.DeepEqual(got, want) {
		t.Fatalf("feed = %+v, want %+v", got, want)
	}
	page1 := pendingIDs(t, st, "scenes", 2, nil)
	last := page1[len(page1)-1]
	page2 := pendingIDs(t, st, "scenes", 2, &store.VideoCursor{SpendMicros: last.SpendMicros, VideoID: last.VideoID})
	if got := append(page1, page2...); !reflect.DeepEqual(got, want) {
		t.Fatalf("pages by cursor = %+v, want %+v", got, want)
	}
	if _, err := st.PutAnalysis(ctx, analysis("v1", "scenes", "1", `{"scenes":3}`)); err != nil {
		t.Fatal(err)
	}
	if got := pendingIDs(t, st, "scenes", 10, nil); !reflect.DeepEqual(got, want[1:]) {
		t.Errorf("after v1's scenes: feed = %+v, want %+v", got, want[1:])
	}
	if got := pendingIDs(t, st, "transcript", 10, nil); !reflect.DeepEqual(got, want) {
		t.Errorf("another type's feed = %+v, want all of %+v", got, want)
	}
	for typ, want := range map[string]int64{"scenes": 2, "transcript": 3} {
		if n, err := st.CountPendingVideos(ctx, "vb", typ); err != nil || n != want {
			t.Errorf("pending %s = %d, %v; want %d", typ, n, err, want)
		}
	}

	// A sync stores a day that makes v2 outspend v1: the next read ranks
	// by it.
	at := time.Date(2026, 11, 4, 6, 0, 0, 0, time.UTC)
	if err := st.InsertInsights(ctx, []*schemas.AdInsight{{BrandID: "vb", AdAccountID: "act_1", AdID: "a3", StartDate: "2026-11-03", EndDate: "2026-11-03",
		Daily: true, CreativeType: schemas.CreativeVideo, SpendMicros: 3_000_000, FetchedAt: at, Version: schemas.VersionAt(at)}}); err != nil {
		t.Fatal(err)
	}
	if got := pendingIDs(t, st, "transcript", 10, nil); got[0].VideoID != "v1" {
		t.Fatalf("before the sync recorded its days the feed starts with %s, want v1 (ranked as of the last completed sync)", got[0].VideoID)
	}
	if err := st.RecordDaysSynced(ctx, "vb", []string{"2026-11-03"}, "job-2", at); err != nil {
		t.Fatal(err)
	}
	if got := pendingIDs(t, st, "transcript", 10, nil); got[0] != (store.PendingVideo{VideoID: "v2", SpendMicros: 8_500_000}) {
		t.Errorf("after the sync: the feed starts with %+v, want v2 at 8.5", got[0])
	}

	ads, err := st.VideoAds(ctx, "vb", []string{"v1", "v2"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range ads {
		got = append(got, fmt.Sprintf("%s/%s:%d:%d", a.VideoID, a.AdID, a.Metrics.SpendMicros, a.Days))
	}
	if wantAds := []string{"v1/a1:3000000:2", "v1/a2:4000000:1", "v2/a3:8000000:2", "v2/a6:500000:1"}; !slices.Equal(got, wantAds) {
		t.Errorf("video ads = %v, want %v", got, wantAds)
	}
}

// A re-run of the same type, model and version replaces the result; another
// version is kept beside it.
func TestAnalysesAreVersioned(t *testing.T) {
	st, _ := newVideoWorld(t)
	ctx := context.Background()
	for _, step := range []struct {
		give         store.Analysis
		wantReplaced bool
	}{
		{analysis("v1", "scenes", "1", `{"run":1}`), false},
		{analysis("v1", "scenes", "1", `{"run":2}`), true},
		{analysis("v1", "scenes", "2", `{"run":3}`), false},
		{analysis("v1", "hook", "1", `{"run":4}`), false},
		{analysis("v2", "scenes", "1", `{"run":5}`), false},
	} {
		replaced, err := st.PutAnalysis(ctx, step.give)
		if err != nil || replaced != step.wantReplaced {
			t.Fatalf("put %+v: replaced %v, %v; want %v", step.give, replaced, err, step.wantReplaced)
		}
	}
	got, err := st.Analyses(ctx, "vb", []string{"v1"}, "scenes")
	if err != nil {
		t.Fatal(err)
	}
	var runs []string
	for _, a := range got {
		runs = append(runs, a.ModelVersion+"="+a.Results)
		if !a.AnalyzedAt.Equal(time.Date(2026, 11, 5, 9, 30, 0, 0, time.UTC)) {
			t.Errorf("analyzedAt %v", a.AnalyzedAt)
		}
	}
	if want := []string{`1={"run":2}`, `2={"run":3}`}; !slices.Equal(runs, want) {
		t.Errorf("v1 scenes = %v, want %v", runs, want)
	}
	all, err := st.Analyses(ctx, "vb", []string{"v1", "v2"}, "")
	if err != nil || len(all) != 4 {
		t.Errorf("all analyses of v1, v2: %d, %v; want 4", len(all), err)
	}
	for video, want := range map[string]bool{"v1": true, "v9": false} {
		if ok, err := st.HasVideo(ctx, "vb", video); err != nil || ok != want {
			t.Errorf("HasVideo(%s) = %v, %v; want %v", video, ok, err, want)
		}
	}
}

// The list's analysis filters select the ads of analysed videos, or the
// video ads of videos still pending, in snapshots and in plain ranges.
func TestCreativesFilterByAnalysisState(t *testing.T) {
	st, rng := newVideoWorld(t)
	ctx := context.Background()
	if _, err := st.PutAnalysis(ctx, analysis("v1", "scenes", "1", `{}`)); err != nil {
		t.Fatal(err)
	}
	check := func(when string) {
		for key, want := range map[string][]string{store.FilterAnalyzed: {"a1", "a2"}, store.FilterPending: {"a3", "a4", "a6"}} {
			filters := map[string]string{key: "scenes"}
			n, err := st.CountCreatives(ctx, rng, filters)
			if err != nil {
				t.Fatal(err)
			}
			rows, err := st.ListCreatives(ctx, store.ListQuery{Range: rng, Filters: filters, SortBy: "ad_id", Ascending: true, Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range rows {
				got = append(got, r.AdID)
			}
			if !slices.Equal(got, want) || n != int64(len(want)) {
				t.Errorf("%s, %s: %v (count %d), want %v", when, key, got, n, want)
			}
		}
	}
	check("before a snapshot")
	if _, err := st.RebuildAggregations(ctx, rng, "job"); err != nil {
		t.Fatal(err)
	}
	check("from the snapshot")
}

// The export hands every video over once, in id order, with its days summed
// over its ads, whatever the chunk size.
func TestExportVideosMergesAdsAndDays(t *testing.T) {
	st, _ := newVideoWorld(t)
	var want string
	for _, chunk := range []int{1, 2, 50} {
		var b []byte
		err := st.ExportVideos(context.Background(), "vb", chunk, func(vs []store.ExportedVideo) error {
			if len(vs) > chunk {
				t.Errorf("chunk of %d videos, asked %d", len(vs), chunk)
			}
			for _, v := range vs {
				b = fmt.Appendf(b, "%s ads=%d", v.VideoID, len(v.Ads))
				for _, d := range v.Days {
					b = fmt.Appendf(b, " %s:%d", d.Date, d.SpendMicros)
				}
				b = append(b, '\n')
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if chunk == 1 {
			want = "v1 ads=2 2026-11-01:5000000 2026-11-02:2000000\nv2 ads=2 2026-11-01:5000000 2026-11-02:500000\nv3 ads=1\n"
		}
		if string(b) != want {
			t.Errorf("chunk %d:\n%s\nwant\n%s", chunk, b, want)
		}
	}
	// A client that goes away stops the export with its error.
	stop := errors.New("client went away")
	chunks := 0
	err := st.ExportVideos(context.Background(), "vb", 1, func([]store.ExportedVideo) error { chunks++; return stop })
	if !errors.Is(err, stop) || chunks != 1 {
		t.Errorf("stopped export: %v after %d chunks, want the callback's error after 1", err, chunks)
	}
}

// Of a video's refreshed URLs the one expiring last is served; a purge of
// the brand takes them and its analyses.
func TestMediaURLsAndPurge(t *testing.T) {
	st, _ := newVideoWorld(t)
	ctx := context.Background()
	k := store.MediaKey{Kind: store.MediaVideoSource, ID: "v1"}
	early, late := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)
	for _, u := range []store.MediaURL{{URL: "late", ExpiresAt: late}, {URL: "early", ExpiresAt: early}} {
		if err := st.PutMediaURLs(ctx, "vb", map[store.MediaKey]store.MediaURL{k: u}, early); err != nil {
			t.Fatal(err)
		}
	}
	other := store.MediaKey{Kind: store.MediaThumbnail, ID: "v1"} // same id, another kind: never refreshed
	got, err := st.MediaURLs(ctx, "vb", []store.MediaKey{k, other})
	if err != nil || len(got) != 1 || got[k].URL != "late" || !got[k].ExpiresAt.Equal(late) {
		t.Fatalf("media urls = %+v, %v; want only v1's late one", got, err)
	}
	if _, err := st.PutAnalysis(ctx, analysis("v1", "scenes", "1", `{}`)); err != nil {
		t.Fatal(err)
	}
	if err := st.PurgeBrand(ctx, "vb"); err != nil {
		t.Fatal(err)
	}
	left, _ := st.MediaURLs(ctx, "vb", []store.MediaKey{k})
	analyses, _ := st.Analyses(ctx, "vb", []string{"v1"}, "")
	if len(left) != 0 || len(analyses) != 0 {
		t.Errorf("after the purge: %d media urls, %d analyses; want none", len(left), len(analyses))
	}
}
