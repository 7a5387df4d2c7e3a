package adfetch

import (
	"testing"
	"time"

	"github.com/adstream/adstream/internal/graph"
	"github.com/adstream/adstream/schemas"
)

func TestAdRecordPerCreativeType(t *testing.T) {
	job := Job{BrandID: "b", StartDate: "2026-11-01", EndDate: "2026-11-30", SyncID: "job-1"}
	at := time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		give      Ad
		wantType  schemas.CreativeType
		wantURL   string
		wantCards int
	}{
		{name: "video", give: Ad{
			Ad:    graph.Ad{ID: "1", Creative: graph.Creative{ID: "c1", ObjectStorySpec: graph.StorySpec{VideoData: graph.VideoData{VideoID: "v1", ImageURL: "thumb"}}}},
			Video: graph.Video{ID: "v1", Source: "https://video/v1.mp4", Length: 12.5}},
			wantType: schemas.CreativeVideo, wantURL: "https://video/v1.mp4"},
		{name: "image", give: Ad{Ad: graph.Ad{ID: "2", Creative: graph.Creative{ID: "c2", ImageURL: "https://img/2.jpg", ThumbnailURL: "t"}}},
			wantType: schemas.CreativeImage, wantURL: "https://img/2.jpg"},
		{name: "carousel", give: Ad{Ad: graph.Ad{ID: "3", Creative: graph.Creative{ID: "c3", ObjectStorySpec: graph.StorySpec{LinkData: graph.LinkData{
			ChildAttachments: []graph.Attachment{{Picture: "p1", Link: "l1", Name: "n1"}, {Picture: "p2", Link: "l2", Name: "n2"}}}}}}},
			wantType: schemas.CreativeCarousel, wantURL: "p1", wantCards: 2},
		{name: "dynamic", give: Ad{Ad: graph.Ad{ID: "4", Creative: graph.Creative{ID: "c4", ThumbnailURL: "t4", HasAssetFeed: true}}},
			wantType: schemas.CreativeUnknown, wantURL: "t4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := AdRecord(job, "act_9", tt.give, at)
			if got.CreativeType != tt.wantType || got.CreativeURL != tt.wantURL || len(got.CarouselImages) != tt.wantCards {
				t.Fatalf("type %s url %q cards %d, want %s %q %d", got.CreativeType, got.CreativeURL, len(got.CarouselImages), tt.wantType, tt.wantURL, tt.wantCards)
			}
			if got.BrandID != "b" || got.AdAccountID != "act_9" || got.SyncID != "job-1" || !got.FetchedAt.Equal(at) {
				t.Fatalf("identity fields wrong: %+v", got)
			}
			in := InsightRecord(job, "act_9", graph.Insight{AdID: tt.give.ID, SpendMicros: 14_350_000, Purchases: 3}, got, at)
			if in.CreativeType != tt.wantType || in.SpendMicros != 14_350_000 || in.Orders != 3 ||
				in.StartDate != job.StartDate || in.Version != at.UnixNano() {
				t.Fatalf("insight record wrong: %+v", in)
			}
		})
	}
}
