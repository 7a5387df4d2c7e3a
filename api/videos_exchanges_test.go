package api_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/schemas"
)

// videoExchanges stores a video ad of brand "synced" and returns the video
// routes' answers for TestAnswersMatchTheOpenAPIDocument to validate.
func videoExchanges(t *testing.T, st *store.Store) []exchange {
	t.Helper()
	at := time.Now().UTC()
	if err := st.InsertAds(context.Background(), []*schemas.Ad{{BrandID: "synced", AdAccountID: "act_1", AdID: "ad900",
		CreativeID: "cr900", CreativeType: schemas.CreativeVideo, VideoID: "555", VideoLengthSeconds: 12.5,
		VideoSourceURL: "https://cdn.example/555.mp4", ThumbnailURL: "https://cdn.example/cr900.jpg", FetchedAt: at}}); err != nil {
		t.Fatal(err)
	}
	const analyses = "/api/creatives/{brandId}/videos/{videoId}/analyses"
	body := `{"analysisType":"scenes","model":"m","version":"1","results":{"scenes":2},"analyzedAt":"2026-11-30T10:00:00Z"}`
	post := func(target, body string, want int) exchange {
		return exchange{method: http.MethodPost, path: analyses, target: target, body: body, want: want}
	}
	get := func(path, target string, want int) exchange {
		return exchange{method: http.MethodGet, path: path, target: target, want: want}
	}
	return []exchange{
		get("/api/videos/{brandId}/pending", "/api/videos/synced/pending?analysisType=scenes&limit=5", 200),
		get("/api/videos/{brandId}/pending", "/api/videos/synced/pending", 400),
		post("/api/creatives/synced/videos/555/analyses", body, 201),
		post("/api/creatives/synced/videos/555/analyses", body, 200),
		post("/api/creatives/synced/videos/555/analyses", `{"analysisType":"scenes"}`, 400),
		post("/api/creatives/synced/videos/556/analyses", body, 404),
		get(analyses, "/api/creatives/synced/videos/555/analyses", 200),
		get(analyses, "/api/creatives/synced/videos/556/analyses", 404),
		get("/api/creatives/{brandId}", "/api/creatives/synced?startDate=2026-10-29&endDate=2026-11-27&include=analyses&analysis=pending&analysisType=hook", 200),
		get("/api/videos/{brandId}/pending", "/api/videos/synced/pending?analysisType=scenes", 200), // empty now
		get("/api/videos/{brandId}/export", "/api/videos/synced/export?include=analyses", 200),
		get("/api/videos/{brandId}/export", "/api/videos/synced/export?include=everything", 400),
	}
}
