package api

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/adstream/adstream/clickhouse/store"
)

// MetricsJSON are summed metrics, named as in the Creative shape: money in
// currency units, ctr and hook_rate percentages of impressions.
type MetricsJSON struct {
	Spend          float64 `json:"spend"`
	Revenue        float64 `json:"revenue"`
	ROAS           float64 `json:"roas"`
	Orders         int64   `json:"orders"`
	Impressions    int64   `json:"impressions"`
	Clicks         int64   `json:"clicks"`
	CTR            float64 `json:"ctr"`
	CPC            float64 `json:"cpc"`
	HookRate       float64 `json:"hook_rate"`
	VideoViews     int64   `json:"video_views"`
	VideoPlays     int64   `json:"video_plays"`
	VideoThruplays int64   `json:"video_thruplays"`
	VideoP25       int64   `json:"video_p25_watched"`
	VideoP50       int64   `json:"video_p50_watched"`
	VideoP75       int64   `json:"video_p75_watched"`
	VideoP100      int64   `json:"video_p100_watched"`
	PostEngagement int64   `json:"post_engagement"`
}

func metricsJSON(m store.Metrics) MetricsJSON {
	spend, revenue := money(m.SpendMicros), money(m.RevenueMicros)
	return MetricsJSON{Spend: spend, Revenue: revenue, ROAS: ratio(revenue, spend), Orders: m.Orders,
		Impressions: m.Impressions, Clicks: m.Clicks, CTR: pct(m.Clicks, m.Impressions), CPC: ratio(spend, float64(m.Clicks)),
		HookRate: pct(m.VideoViews, m.Impressions), VideoViews: m.VideoViews, VideoPlays: m.VideoPlays,
		VideoThruplays: m.VideoThruplays, VideoP25: m.VideoP25, VideoP50: m.VideoP50, VideoP75: m.VideoP75,
		VideoP100: m.VideoP100, PostEngagement: m.PostEngagement}
}

// VideoJSON is one video of the feed or the export: a URL to download it
// (valid until downloadUrlExpiresAt), its thumbnail, and the ads showing it.
type VideoJSON struct {
	VideoID               string          `json:"videoId"`
	LengthSeconds         float64         `json:"lengthSeconds"`
	DownloadURL           string          `json:"downloadUrl"`
	DownloadURLExpiresAt  *time.Time      `json:"downloadUrlExpiresAt"` // null: no URL
	ThumbnailURL          string          `json:"thumbnailUrl"`
	ThumbnailURLExpiresAt *time.Time      `json:"thumbnailUrlExpiresAt"`
	Metrics               *MetricsJSON    `json:"metrics,omitempty"` // the feed: over all its ads and stored days
	Ads                   []VideoAdJSON   `json:"ads"`
	Days                  *[]VideoDayJSON `json:"days,omitempty"`     // the export: per stored day, over its ads
	Analyses              *[]AnalysisJSON `json:"analyses,omitempty"` // the export, with include=analyses
}

// VideoAdJSON is one ad showing a video.
type VideoAdJSON struct {
	AdID              string       `json:"adId"`
	AdAccountID       string       `json:"adAccountId"`
	CreativeID        string       `json:"creativeId"`
	AdName            string       `json:"adName"`
	AdEffectiveStatus string       `json:"adEffectiveStatus"`
	Days              *int         `json:"days,omitempty"`     // the feed: stored days with data
	FirstDay          string       `json:"firstDay,omitempty"` // of those days
	LastDay           string       `json:"lastDay,omitempty"`
	Metrics           *MetricsJSON `json:"metrics,omitempty"` // the feed: over its stored days
}

// VideoDayJSON is one stored day of a video.
type VideoDayJSON struct {
	Date string `json:"date"`
	MetricsJSON
}

// pendingVideos serves GET /api/videos/:brandId/pending: a page of the
// brand's videos that have no result of analysisType yet, each once however
// many ads show it, by the spend of those ads over every stored day, highest
// first, with a download URL valid for at least mediaMargin. Cursor-paged:
// videos analysed in between drop out without shifting the pages.
func (s *server) pendingVideos(c *fiber.Ctx) error {
	brand, vs, err := s.videoBrandOf(c)
	if err != nil {
		return err
	}
	brandID := brand.BrandID
	typ, err := analysisTypeQuery(c, true)
	if err != nil {
		return err
	}
	limit, err := intParam(c, "limit", 10, 1, 100)
	if err != nil {
		return err
	}
	q := store.PendingQuery{BrandID: brandID, AnalysisType: typ, Limit: limit + 1}
	if raw := c.Query("cursor"); raw != "" {
		if q.After, err = decodeVideoCursor(raw, brandID, typ); err != nil {
			return err
		}
	}
	total, err := vs.CountPendingVideos(c.Context(), brandID, typ)
	if err != nil {
		return err
	}
	page, err := vs.PendingVideos(c.Context(), q)
	if err != nil {
		return err
	}
	hasMore := len(page) > limit
	page = page[:min(len(page), limit)]
	ids := make([]string, len(page))
	for i, v := range page {
		ids[i] = v.VideoID
	}
	ads, err := vs.VideoAds(c.Context(), brandID, ids)
	if err != nil {
		return err
	}
	videos, report, err := s.videosJSON(c.Context(), brand, ids, ads, true)
	if err != nil {
		return err
	}
	resp := fiber.Map{"success": true, "brandId": brandID, "analysisType": typ, "total": total, "limit": limit,
		"hasMore": hasMore, "nextCursor": nil, "videos": videos, "urlRefresh": report}
	if hasMore {
		resp["nextCursor"] = encodeVideoCursor(brandID, typ, page[len(page)-1])
	}
	return c.JSON(resp)
}

// videosJSON builds the videos in the order of ids from their ads (ordered
// by video), with URLs fresh enough to hand out; withMetrics adds the ads'
// and videos' summed metrics.
func (s *server) videosJSON(ctx context.Context, brand store.Brand, ids []string, ads []store.VideoAd, withMetrics bool) ([]VideoJSON, mediaReport, error) {
	byVideo := map[string][]store.VideoAd{}
	for _, a := range ads {
		byVideo[a.VideoID] = append(byVideo[a.VideoID], a)
	}
	stored := map[store.MediaKey]storedURL{}
	for _, id := range ids {
		list := byVideo[id]
		// The top spender first: its creative's thumbnail is the video's.
		slices.SortStableFunc(list, func(a, b store.VideoAd) int { return cmp.Compare(b.Metrics.SpendMicros, a.Metrics.SpendMicros) })
		for _, a := range list {
			src := store.MediaKey{Kind: store.MediaVideoSource, ID: id}
			if u := (storedURL{a.VideoSourceURL, a.FetchedAt}); u.expiry().ExpiresAt.After(stored[src].expiry().ExpiresAt) {
				stored[src] = u
			}
		}
		if len(list) > 0 {
			stored[store.MediaKey{Kind: store.MediaThumbnail, ID: list[0].CreativeID}] = storedURL{list[0].ThumbnailURL, list[0].FetchedAt}
		}
	}
	urls, report, err := s.media.fresh(ctx, brand, stored)
	if err != nil {
		return nil, report, err
	}
	out := make([]VideoJSON, 0, len(ids))
	for _, id := range ids {
		list := byVideo[id]
		v := VideoJSON{VideoID: id, Ads: make([]VideoAdJSON, 0, len(list))}
		var total store.Metrics
		for _, a := range list {
			v.LengthSeconds = max(v.LengthSeconds, a.VideoLengthSeconds)
			ad := VideoAdJSON{AdID: a.AdID, AdAccountID: a.AdAccountID, CreativeID: a.CreativeID, AdName: a.AdName,
				AdEffectiveStatus: a.AdEffectiveStatus}
			if withMetrics {
				m, days := metricsJSON(a.Metrics), a.Days
				ad.Metrics, ad.Days, ad.FirstDay, ad.LastDay = &m, &days, a.FirstDay, a.LastDay
				total.Add(a.Metrics)
			}
			v.Ads = append(v.Ads, ad)
		}
		if withMetrics {
			m := metricsJSON(total)
			v.Metrics = &m
		}
		v.DownloadURL, v.DownloadURLExpiresAt = urlOf(urls, store.MediaKey{Kind: store.MediaVideoSource, ID: id})
		if len(list) > 0 {
			v.ThumbnailURL, v.ThumbnailURLExpiresAt = urlOf(urls, store.MediaKey{Kind: store.MediaThumbnail, ID: list[0].CreativeID})
		}
		out = append(out, v)
	}
	return out, report, nil
}

// urlOf is a key's URL and expiry, the expiry nil when there is no URL.
func urlOf(urls map[store.MediaKey]store.MediaURL, k store.MediaKey) (string, *time.Time) {
	u, ok := urls[k]
	if !ok || u.URL == "" {
		return "", nil
	}
	at := u.ExpiresAt.UTC()
	return u.URL, &at
}
