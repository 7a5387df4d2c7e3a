package api

import (
	"context"
	"regexp"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/adstream/adstream/clickhouse/store"
)

// VideoStore is what video analysis reads and writes: analysis results,
// the feed and export of a brand's videos, and refreshed media URLs;
// clickhouse/store implements it.
type VideoStore interface {
	PutAnalysis(ctx context.Context, a store.Analysis) (replaced bool, err error)
	Analyses(ctx context.Context, brandID string, videoIDs []string, analysisType string) ([]store.Analysis, error)
	HasVideo(ctx context.Context, brandID, videoID string) (bool, error)
	PendingVideos(ctx context.Context, q store.PendingQuery) ([]store.PendingVideo, error)
	CountPendingVideos(ctx context.Context, brandID, analysisType string) (int64, error)
	VideoAds(ctx context.Context, brandID string, videoIDs []string) ([]store.VideoAd, error)
	ExportVideos(ctx context.Context, brandID string, chunk int, each func([]store.ExportedVideo) error) error
	MediaURLs(ctx context.Context, brandID string, keys []store.MediaKey) (map[store.MediaKey]store.MediaURL, error)
	PutMediaURLs(ctx context.Context, brandID string, urls map[store.MediaKey]store.MediaURL, fetchedAt time.Time) error
}

// mountVideos adds the video analysis routes under /api, each checking the
// brand is in the key's scope, and builds the media URL refresher they and
// the creatives list share.
func (s *server) mountVideos(a fiber.Router) {
	var reg prometheus.Registerer
	if s.deps.Registry != nil {
		reg = s.deps.Registry
	}
	s.media = newMediaRefresher(s.deps, reg)
	a.Post("/creatives/:brandId/videos/:videoId/analyses", s.inScope, s.postAnalysis)
	a.Get("/creatives/:brandId/videos/:videoId/analyses", s.inScope, s.getAnalyses)
	a.Get("/videos/:brandId/pending", s.inScope, s.pendingVideos)
	a.Get("/videos/:brandId/export", s.inScope, s.exportVideos)
}

// videoBrandOf reads the registered brand :brandId names, first of all, so
// that an unknown brand (or one outside the key's scope, see inScope) is a
// 404 whatever else is wrong with the request, and the video store.
func (s *server) videoBrandOf(c *fiber.Ctx) (store.Brand, VideoStore, error) {
	brandID, err := brandParam(c)
	if err != nil {
		return store.Brand{}, nil, err
	}
	brand, err := s.deps.Store.GetBrand(c.Context(), brandID)
	if err != nil {
		return store.Brand{}, nil, err
	}
	if s.deps.Videos == nil {
		return store.Brand{}, nil, fiber.NewError(fiber.StatusServiceUnavailable, "video analysis is not configured on this API (no video store)")
	}
	return brand, s.deps.Videos, nil
}

// videoBrand is videoBrandOf's brand id.
func (s *server) videoBrand(c *fiber.Ctx) (string, VideoStore, error) {
	b, vs, err := s.videoBrandOf(c)
	return b.BrandID, vs, err
}

var (
	analysisTypePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$`)
	videoIDPattern      = regexp.MustCompile(`^[0-9]{1,32}$`)
)

// videoParam validates :videoId, a Graph API video id, and copies it out
// of Fiber's reused buffer.
func videoParam(c *fiber.Ctx) (string, error) {
	video := c.Params("videoId")
	if !videoIDPattern.MatchString(video) {
		return "", badRequest("videoId", "%q is not a video id (digits)", video)
	}
	return strings.Clone(video), nil
}

// checkAnalysisType says what is wrong with an analysis type, or nil.
func checkAnalysisType(field, v string) error {
	if !analysisTypePattern.MatchString(v) {
		return badRequest(field, "%q must be 1-64 letters, digits, '_', '.', ':' or '-', starting with a letter or digit (e.g. scenes, transcript)", v)
	}
	return nil
}

// analysisTypeQuery reads the analysisType query parameter.
func analysisTypeQuery(c *fiber.Ctx, required bool) (string, error) {
	v := c.Query("analysisType")
	if v == "" {
		if required {
			return "", badRequest("analysisType", "is required: the analysis the videos are to get (e.g. scenes)")
		}
		return "", nil
	}
	return strings.Clone(v), checkAnalysisType("analysisType", v)
}
