package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Analysis is one result of analysing a video, as an analysis worker posted
// it. Its identity is (BrandID, VideoID, Type, Model, ModelVersion).
type Analysis struct {
	BrandID      string
	VideoID      string
	Type         string // what was analysed for: "scenes", "transcript", …
	Model        string
	ModelVersion string
	Results      string    // a JSON object
	AnalyzedAt   time.Time // when the worker analysed, to the second
	StoredAt     time.Time // when the store took it, to the second
}

// PutAnalysis stores a result. A result of the same video, type, model and
// model version replaces the one stored before (the later PutAnalysis wins,
// whatever its AnalyzedAt); another model version is kept beside it.
// replaced reports whether one was replaced.
func (s *Store) PutAnalysis(ctx context.Context, a Analysis) (replaced bool, err error) {
	var n uint64
	err = s.conn.QueryRow(ctx, "SELECT count() FROM "+s.table("video_analyses")+
		" WHERE brand_id = ? AND video_id = ? AND analysis_type = ? AND model = ? AND model_version = ?",
		a.BrandID, a.VideoID, a.Type, a.Model, a.ModelVersion).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("analysis of video %s: %w", a.VideoID, err)
	}
	batch, err := s.conn.PrepareBatch(ctx, "INSERT INTO "+s.table("video_analyses")+
		" (brand_id, video_id, analysis_type, model, model_version, results, analyzed_at, stored_at, version)")
	if err != nil {
		return false, fmt.Errorf("prepare analysis: %w", err)
	}
	if err := batch.Append(a.BrandID, a.VideoID, a.Type, a.Model, a.ModelVersion, a.Results,
		a.AnalyzedAt, a.StoredAt, uint64(time.Now().UnixNano())); err != nil {
		batch.Abort()
		return false, fmt.Errorf("analysis of video %s: %w", a.VideoID, err)
	}
	if err := batch.Send(); err != nil {
		return false, fmt.Errorf("store analysis of video %s: %w", a.VideoID, err)
	}
	return n > 0, nil
}

// Analyses returns the stored results of a brand's videos, of one analysis
// type ("" for every type), ordered by video, type, model and model version.
// A replaced result is never returned, merged away or not.
func (s *Store) Analyses(ctx context.Context, brandID string, videoIDs []string, analysisType string) ([]Analysis, error) {
	if len(videoIDs) == 0 {
		return nil, nil
	}
	where := "brand_id = ? AND video_id IN (" + placeholders(len(videoIDs)) + ")"
	args := append([]any{brandID}, toAny(videoIDs)...)
	if analysisType != "" {
		where += " AND analysis_type = ?"
		args = append(args, analysisType)
	}
	rows, err := s.conn.Query(ctx, "SELECT video_id, analysis_type, model, model_version,"+
		" argMax(results, version), argMax(analyzed_at, version), argMax(stored_at, version)"+
		" FROM "+s.table("video_analyses")+" WHERE "+where+
		" GROUP BY video_id, analysis_type, model, model_version"+
		" ORDER BY video_id, analysis_type, model, model_version", args...)
	if err != nil {
		return nil, fmt.Errorf("analyses of %s: %w", brandID, err)
	}
	defer rows.Close()
	var out []Analysis
	for rows.Next() {
		a := Analysis{BrandID: brandID}
		if err := rows.Scan(&a.VideoID, &a.Type, &a.Model, &a.ModelVersion, &a.Results, &a.AnalyzedAt, &a.StoredAt); err != nil {
			return nil, fmt.Errorf("scan analysis: %w", err)
		}
		a.AnalyzedAt, a.StoredAt = a.AnalyzedAt.UTC(), a.StoredAt.UTC()
		out = append(out, a)
	}
	return out, rows.Err()
}

// HasVideo reports whether a sync stored an ad of the brand showing the
// video: results are taken only for videos adstream knows.
func (s *Store) HasVideo(ctx context.Context, brandID, videoID string) (bool, error) {
	var n uint64
	err := s.conn.QueryRow(ctx, "SELECT count() FROM "+s.table("ads")+" WHERE brand_id = ? AND video_id = ?",
		brandID, videoID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("video %s of %s: %w", videoID, brandID, err)
	}
	return n > 0, nil
}

func placeholders(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }
