package migrate_test

import (
	"context"
	"testing"
	"time"

	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/schemas"
)

// The BI user reads the newest result of each video, analysis type, model
// and version, and can join it with the ads showing the video.
func TestBIVideoAnalysesView(t *testing.T) {
	s := newBIStack(t)
	ctx := context.Background()
	at := time.Date(2026, 11, 8, 6, 0, 0, 0, time.UTC)
	if err := s.st.InsertAds(ctx, []*schemas.Ad{{BrandID: "acme", AdID: "ad-00", CreativeType: schemas.CreativeVideo, VideoID: "777", FetchedAt: at.Add(time.Hour)}}); err != nil {
		t.Fatal(err)
	}
	for _, a := range []store.Analysis{
		{BrandID: "acme", VideoID: "777", Type: "hook", Model: "m", ModelVersion: "1", Results: `{"score":0.2}`, AnalyzedAt: at, StoredAt: at},
		{BrandID: "acme", VideoID: "777", Type: "hook", Model: "m", ModelVersion: "1", Results: `{"score":0.9}`, AnalyzedAt: at, StoredAt: at},
		{BrandID: "acme", VideoID: "777", Type: "hook", Model: "m", ModelVersion: "2", Results: `{"score":0.5}`, AnalyzedAt: at, StoredAt: at},
	} {
		if _, err := s.st.PutAnalysis(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	var n uint64
	var score float64
	err := s.bi.QueryRow(ctx, "SELECT count(), sumIf(visitParamExtractFloat(results, 'score'), model_version = '1')"+
		" FROM v_video_analyses WHERE brand_id = 'acme' AND video_id = '777' AND analysis_type = 'hook'").Scan(&n, &score)
	if err != nil || n != 2 || score != 0.9 {
		t.Errorf("v_video_analyses: %d results, version 1 scores %v (%v); want 2, the re-posted 0.9", n, score, err)
	}
	var ads uint64
	err = s.bi.QueryRow(ctx, "SELECT count() FROM v_video_analyses ANY INNER JOIN"+
		" (SELECT DISTINCT brand_id, video_id FROM v_creatives_range WHERE video_id != '') USING brand_id, video_id").Scan(&ads)
	if err != nil || ads != 2 {
		t.Errorf("results joined with the ads showing their video: %d (%v), want 2", ads, err)
	}
}
