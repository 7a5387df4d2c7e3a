package api

import (
	"math"
	"time"

	"github.com/adstream/adstream/clickhouse/store"
)

// CarouselImage is one card of a carousel creative, as the seed names it.
type CarouselImage struct {
	URL         string `json:"url"`
	Link        string `json:"link"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

// CreativeJSON is one creative in the seed's Creative shape. Ratios are
// derived from the stored sums: ctr, hook_rate, engagementRate and the
// video rates are percentages of impressions (the aggregations' video
// rates too); cpp is the Graph API's (spend per 1,000 people reached), like
// the aggregations' avg_cpp. DataVersion is in milliseconds, like the
// aggregations', so JavaScript reads it exactly (below 2^53).
type CreativeJSON struct {
	BrandID           string          `json:"brandId"`
	AdID              string          `json:"ad_id"`
	CreativeID        string          `json:"creative_id"`
	AdAccountID       string          `json:"ad_account_id"`
	AdName            string          `json:"ad_name"`
	AdStatus          string          `json:"ad_status"`
	AdEffectiveStatus string          `json:"ad_effective_status"`
	CreativeType      string          `json:"creative_type"`
	CreativeURL       string          `json:"creative_url"`
	ThumbnailURL      string          `json:"thumbnail_url"`
	VideoID           string          `json:"video_id,omitempty"`
	VideoSourceURL    string          `json:"video_source_url,omitempty"`
	VideoLength       float64         `json:"video_length,omitempty"`
	CarouselImages    []CarouselImage `json:"carousel_images"`
	Spend             float64         `json:"spend"`
	CTR               float64         `json:"ctr"`
	CPC               float64         `json:"cpc"`
	CPP               *float64        `json:"cpp"` // null when reach is unknown
	Clicks            int64           `json:"clicks"`
	ROAS              float64         `json:"roas"`
	Orders            int64           `json:"orders"`
	HookRate          float64         `json:"hook_rate"`
	Impressions       int64           `json:"impressions"`
	Reach             *int64          `json:"reach"` // null for a range derived from days: reach is not their sum
	VideoViews        int64           `json:"video_views"`
	Revenue           float64         `json:"revenue"`
	EngagementRate    float64         `json:"engagementRate"`
	Frequency         *float64        `json:"frequency"` // null when reach is unknown
	VideoP25Watched   int64           `json:"video_p25_watched"`
	VideoP50Watched   int64           `json:"video_p50_watched"`
	VideoP100Watched  int64           `json:"video_p100_watched"`
	VideoP25Rate      float64         `json:"video_p25_watched_rate"`
	VideoP50Rate      float64         `json:"video_p50_watched_rate"`
	VideoP100Rate     float64         `json:"video_p100_watched_rate"`
	StartDate         string          `json:"startDate"`
	EndDate           string          `json:"endDate"`
	SyncedAt          time.Time       `json:"syncedAt"`
	LastUpdated       time.Time       `json:"lastUpdated"`
	DataVersion       uint64          `json:"dataVersion"`
	// Analyses are the creative's video's analysis results, with
	// include=analyses; absent otherwise.
	Analyses *[]AnalysisJSON `json:"analyses,omitempty"`
}

// money converts micro-units to currency units.
func money(micros int64) float64 { return float64(micros) / 1e6 }

// ratio is a/b, 0 when b is 0, rounded to 6 decimals for stable JSON.
func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return math.Round(a/b*1e6) / 1e6
}

func pct(a, b int64) float64 { return ratio(float64(a)*100, float64(b)) }

func creativeJSON(r store.Range, c store.Creative) CreativeJSON {
	spend, revenue := money(c.SpendMicros), money(c.RevenueMicros)
	cards := make([]CarouselImage, len(c.CarouselURLs))
	for i := range c.CarouselURLs {
		cards[i] = CarouselImage{URL: c.CarouselURLs[i], Link: at(c.CarouselLinks, i), Name: at(c.CarouselNames, i), Description: at(c.CarouselDescriptions, i)}
	}
	out := CreativeJSON{
		BrandID: r.BrandID, AdID: c.AdID, CreativeID: c.CreativeID, AdAccountID: c.AdAccountID,
		AdName: c.AdName, AdStatus: c.AdStatus, AdEffectiveStatus: c.AdEffectiveStatus,
		CreativeType: c.CreativeType, CreativeURL: c.CreativeURL, ThumbnailURL: c.ThumbnailURL,
		VideoID: c.VideoID, VideoSourceURL: c.VideoSourceURL, VideoLength: c.VideoLengthSeconds,
		CarouselImages: cards,
		Spend:          spend, CTR: pct(c.Clicks, c.Impressions), CPC: ratio(spend, float64(c.Clicks)),
		Clicks: c.Clicks, ROAS: ratio(revenue, spend), Orders: c.Orders,
		HookRate: pct(c.VideoViews, c.Impressions), Impressions: c.Impressions,
		VideoViews: c.VideoViews, Revenue: revenue, EngagementRate: pct(c.PostEngagement, c.Impressions),
		VideoP25Watched: c.VideoP25, VideoP50Watched: c.VideoP50, VideoP100Watched: c.VideoP100,
		VideoP25Rate: pct(c.VideoP25, c.Impressions), VideoP50Rate: pct(c.VideoP50, c.Impressions),
		VideoP100Rate: pct(c.VideoP100, c.Impressions),
		StartDate:     r.StartDate, EndDate: r.EndDate, SyncedAt: c.FetchedAt, LastUpdated: c.FetchedAt,
		DataVersion: c.Version / 1e6, // the stored version is in nanoseconds, beyond 2^53
	}
	if c.Reach >= 0 { // -1: a range derived from days, whose reach is not their sum
		reach, cpp, frequency := c.Reach, ratio(spend*1000, float64(c.Reach)), c.Frequency
		out.Reach, out.CPP, out.Frequency = &reach, &cpp, &frequency
	}
	return out
}

func at(s []string, i int) string {
	if i < len(s) {
		return s[i]
	}
	return ""
}
