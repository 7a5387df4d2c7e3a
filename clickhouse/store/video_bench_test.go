package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/internal/testenv"
	"github.com/adstream/adstream/schemas"
)

// Sizes of the brand the video benchmarks read: benchVideoAds video ads,
// two per video, each with benchVideoDays stored days.
const (
	benchVideoAds  = 10_000
	benchVideoDays = 30
)

// BenchmarkVideoFeed measures the video analysis reads of a brand of
// benchVideoAds video ads (benchVideoAds/2 videos, benchVideoAds ×
// benchVideoDays stored days): a feed page (count, page, its ads' details
// and metrics, as the API reads it), a page deep in the feed by cursor, and
// the whole export, reported in videos per second.
func BenchmarkVideoFeed(b *testing.B) {
	conn, cfg := testenv.ClickHouse(b)
	st := store.New(conn, cfg.Database)
	ctx := context.Background()
	const brand = "vbench"
	at := time.Now().UTC()
	ads := make([]*schemas.Ad, 0, benchVideoAds)
	for i := range benchVideoAds {
		ads = append(ads, &schemas.Ad{BrandID: brand, AdAccountID: "act_1", AdID: fmt.Sprintf("ad%06d", i), CreativeID: fmt.Sprintf("cr%06d", i),
			CreativeType: schemas.CreativeVideo, VideoID: fmt.Sprintf("%d", 1_000_000+i/2), VideoLengthSeconds: 15,
			VideoSourceURL: "https://cdn.example/v.mp4?oe=7fffffff", ThumbnailURL: "https://cdn.example/t.jpg?oe=7fffffff", FetchedAt: at})
	}
	if err := st.InsertAds(ctx, ads); err != nil {
		b.Fatal(err)
	}
	day0 := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	for d := range benchVideoDays {
		rows := make([]*schemas.AdInsight, 0, benchVideoAds)
		date := day0.AddDate(0, 0, d).Format(time.DateOnly)
		for i := range benchVideoAds {
			rows = append(rows, &schemas.AdInsight{BrandID: brand, AdAccountID: "act_1", AdID: fmt.Sprintf("ad%06d", i), StartDate: date, EndDate: date,
				Daily: true, CreativeType: schemas.CreativeVideo, AdEffectiveStatus: "ACTIVE", SpendMicros: int64((i*7919+d*104729)%5_000_000 + 1),
				Impressions: 1000, Clicks: 10, VideoViews: 300, FetchedAt: at, Version: schemas.VersionAt(at)})
		}
		if err := st.InsertInsights(ctx, rows); err != nil {
			b.Fatal(err)
		}
	}
	page := func(after *store.VideoCursor) []store.PendingVideo {
		if _, err := st.CountPendingVideos(ctx, brand, "scenes"); err != nil {
			b.Fatal(err)
		}
		got, err := st.PendingVideos(ctx, store.PendingQuery{BrandID: brand, AnalysisType: "scenes", Limit: 51, After: after})
		if err != nil || len(got) != 51 {
			b.Fatalf("page of %d, %v", len(got), err)
		}
		ids := make([]string, 50)
		for i := range ids {
			ids[i] = got[i].VideoID
		}
		if va, err := st.VideoAds(ctx, brand, ids); err != nil || len(va) != 100 {
			b.Fatalf("%d ads of the page, %v", len(va), err)
		}
		return got
	}
	b.Run("feed-page-1", func(b *testing.B) {
		for b.Loop() {
			page(nil)
		}
	})
	deep := page(nil)[49]
	for range benchVideoAds / 2 / 50 / 2 { // halfway down the feed
		got := page(&store.VideoCursor{SpendMicros: deep.SpendMicros, VideoID: deep.VideoID})
		deep = got[49]
	}
	b.Run("feed-page-halfway", func(b *testing.B) {
		for b.Loop() {
			page(&store.VideoCursor{SpendMicros: deep.SpendMicros, VideoID: deep.VideoID})
		}
	})
	// The first read after a sync stored days builds the ad totals anew.
	b.Run("feed-page-1-after-a-sync", func(b *testing.B) {
		n := 0
		for b.Loop() {
			n++
			if err := st.RecordDaysSynced(ctx, brand, []string{day0.AddDate(0, 0, n%benchVideoDays).Format(time.DateOnly)}, "job", time.Now()); err != nil {
				b.Fatal(err)
			}
			page(nil)
		}
	})
	b.Run("export", func(b *testing.B) {
		var took time.Duration
		for b.Loop() {
			t0 := time.Now()
			videos := 0
			if err := st.ExportVideos(ctx, brand, 50, func(vs []store.ExportedVideo) error { videos += len(vs); return nil }); err != nil || videos != benchVideoAds/2 {
				b.Fatalf("exported %d videos, %v", videos, err)
			}
			took += time.Since(t0)
		}
		b.ReportMetric(float64(benchVideoAds/2)*float64(b.N)/took.Seconds(), "videos/s")
	})
}
