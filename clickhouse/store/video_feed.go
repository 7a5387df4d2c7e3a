package store

import (
	"context"
	"fmt"
	"time"
)

// The feed of videos to analyse ranks a brand's videos by their spend over
// every stored day (ad_days), summed over the ads that show them. Days, not
// range snapshots: days are the deduplicated truth, and their sum over all
// stored days is the video's spend as far as adstream knows it; snapshots
// are per range, overlapping ranges would count a day twice, and "the
// newest range" would rank by whichever range someone last read. The sums
// per ad are read from ad_totals (see ad_totals.go).

// Metrics are sums over days (and ads); money in micro-units.
type Metrics struct {
	SpendMicros    int64
	RevenueMicros  int64
	Orders         int64
	Impressions    int64
	Clicks         int64
	VideoViews     int64
	VideoPlays     int64
	VideoThruplays int64
	VideoP25       int64
	VideoP50       int64
	VideoP75       int64
	VideoP100      int64
	PostEngagement int64
}

// metricColumns are the ad_days columns Metrics sums.
const metricColumns = "spend_micros, revenue_micros, orders, impressions, clicks, video_views, video_plays," +
	" video_thruplays, video_p25, video_p50, video_p75, video_p100, post_engagement"

// metricSums are the sums Metrics is scanned from, over ad_days columns.
const metricSums = "sum(spend_micros), sum(revenue_micros), sum(orders), sum(impressions), sum(clicks)," +
	" sum(video_views), sum(video_plays), sum(video_thruplays), sum(video_p25), sum(video_p50), sum(video_p75)," +
	" sum(video_p100), sum(post_engagement)"

func (m *Metrics) dest() []any {
	return []any{&m.SpendMicros, &m.RevenueMicros, &m.Orders, &m.Impressions, &m.Clicks, &m.VideoViews, &m.VideoPlays,
		&m.VideoThruplays, &m.VideoP25, &m.VideoP50, &m.VideoP75, &m.VideoP100, &m.PostEngagement}
}

// Add adds o to m.
func (m *Metrics) Add(o Metrics) {
	m.SpendMicros += o.SpendMicros
	m.RevenueMicros += o.RevenueMicros
	m.Orders += o.Orders
	m.Impressions += o.Impressions
	m.Clicks += o.Clicks
	m.VideoViews += o.VideoViews
	m.VideoPlays += o.VideoPlays
	m.VideoThruplays += o.VideoThruplays
	m.VideoP25 += o.VideoP25
	m.VideoP50 += o.VideoP50
	m.VideoP75 += o.VideoP75
	m.VideoP100 += o.VideoP100
	m.PostEngagement += o.PostEngagement
}

// PendingQuery asks for a page of a brand's videos that lack a result of
// an analysis type, by spend, highest first (ties by video id).
type PendingQuery struct {
	BrandID      string
	AnalysisType string
	Limit        int
	After        *VideoCursor // continue after this video; nil: from the top
}

// VideoCursor names the last video of a feed page.
type VideoCursor struct {
	SpendMicros int64
	VideoID     string
}

// PendingVideo is one video of the feed and its spend over its ads.
type PendingVideo struct {
	VideoID     string
	SpendMicros int64
}

// pendingVideoAds selects (ad_id, video_id) of the brand's video ads whose
// video has no result of the type; it binds brand, brand, type.
func (s *Store) pendingVideoAds() string {
	return "SELECT ad_id, video_id FROM " + s.table("ads") + " FINAL WHERE brand_id = ? AND video_id != ''" +
		" AND video_id NOT IN (SELECT video_id FROM " + s.table("video_analyses") + " WHERE brand_id = ? AND analysis_type = ?)"
}

// PendingVideos returns a page of the feed. Videos whose ads have no stored
// day come last, with zero spend.
func (s *Store) PendingVideos(ctx context.Context, q PendingQuery) ([]PendingVideo, error) {
	built, err := s.currentTotals(ctx, q.BrandID)
	if err != nil {
		return nil, err
	}
	args := []any{q.BrandID, q.BrandID, q.AnalysisType, q.BrandID, built}
	having := ""
	if q.After != nil {
		having = " HAVING video_spend < ? OR (video_spend = ? AND video_id > ?)"
		args = append(args, q.After.SpendMicros, q.After.SpendMicros, q.After.VideoID)
	}
	rows, err := s.conn.Query(ctx, "SELECT video_id, toInt64(sum(ad_spend)) AS video_spend FROM ("+s.pendingVideoAds()+")"+
		" ANY LEFT JOIN (SELECT ad_id, spend_micros AS ad_spend FROM "+s.table("ad_totals")+" WHERE brand_id = ? AND built = ?)"+
		" USING ad_id GROUP BY video_id"+having+" ORDER BY video_spend DESC, video_id ASC LIMIT ?", append(args, q.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("pending videos of %s: %w", q.BrandID, err)
	}
	defer rows.Close()
	var out []PendingVideo
	for rows.Next() {
		var v PendingVideo
		if err := rows.Scan(&v.VideoID, &v.SpendMicros); err != nil {
			return nil, fmt.Errorf("scan pending video: %w", err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// CountPendingVideos counts the brand's videos without a result of the type.
func (s *Store) CountPendingVideos(ctx context.Context, brandID, analysisType string) (int64, error) {
	var n uint64
	err := s.conn.QueryRow(ctx, "SELECT uniqExact(video_id) FROM ("+s.pendingVideoAds()+")",
		brandID, brandID, analysisType).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count pending videos of %s: %w", brandID, err)
	}
	return int64(n), nil
}

// VideoAd is one ad showing a video, with its newest details and, from
// VideoAds, its metrics over every stored day.
type VideoAd struct {
	VideoID            string
	AdID               string
	AdAccountID        string
	CreativeID         string
	AdName             string
	AdEffectiveStatus  string
	ThumbnailURL       string
	VideoSourceURL     string
	VideoLengthSeconds float64
	FetchedAt          time.Time // when a sync fetched the details (and the URLs)
	Metrics            Metrics
	Days               int    // stored days with data
	FirstDay, LastDay  string // of those days; "" when none
}

const videoAdColumns = "video_id, ad_id, ad_account_id, creative_id, ad_name, ad_effective_status, thumbnail_url," +
	" video_source_url, video_length_seconds, fetched_at"

func (a *VideoAd) dest() []any {
	return []any{&a.VideoID, &a.AdID, &a.AdAccountID, &a.CreativeID, &a.AdName, &a.AdEffectiveStatus, &a.ThumbnailURL,
		&a.VideoSourceURL, &a.VideoLengthSeconds, &a.FetchedAt}
}

// VideoAds returns the ads of the brand showing the videos, ordered by video
// and ad, each with its metrics summed over every stored day (as of the
// brand's current ad totals, like the feed's ranking).
func (s *Store) VideoAds(ctx context.Context, brandID string, videoIDs []string) ([]VideoAd, error) {
	if len(videoIDs) == 0 {
		return nil, nil
	}
	rows, err := s.conn.Query(ctx, "SELECT "+videoAdColumns+" FROM "+s.table("ads")+" FINAL WHERE brand_id = ? AND video_id IN ("+
		placeholders(len(videoIDs))+") ORDER BY video_id, ad_id", append([]any{brandID}, toAny(videoIDs)...)...)
	if err != nil {
		return nil, fmt.Errorf("ads of videos of %s: %w", brandID, err)
	}
	var out []VideoAd
	for rows.Next() {
		var a VideoAd
		if err := rows.Scan(a.dest()...); err != nil {
			rows.Close()
			return nil, fmt.Errorf("scan video ad: %w", err)
		}
		a.FetchedAt = a.FetchedAt.UTC()
		out = append(out, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	return out, s.addAdMetrics(ctx, brandID, out)
}

// addAdMetrics adds each ad's totals over its stored days.
func (s *Store) addAdMetrics(ctx context.Context, brandID string, ads []VideoAd) error {
	built, err := s.currentTotals(ctx, brandID)
	if err != nil {
		return err
	}
	byAd := make(map[string]*VideoAd, len(ads))
	ids := make([]string, len(ads))
	for i := range ads {
		byAd[ads[i].AdID], ids[i] = &ads[i], ads[i].AdID
	}
	rows, err := s.conn.Query(ctx, "SELECT ad_id, "+metricColumns+", days, toString(first_day), toString(last_day) FROM "+
		s.table("ad_totals")+" WHERE brand_id = ? AND built = ? AND ad_id IN ("+placeholders(len(ids))+")",
		append([]any{brandID, built}, toAny(ids)...)...)
	if err != nil {
		return fmt.Errorf("days of video ads of %s: %w", brandID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, first, last string
		var m Metrics
		var days uint64
		if err := rows.Scan(append(append([]any{&id}, m.dest()...), &days, &first, &last)...); err != nil {
			return fmt.Errorf("scan ad days: %w", err)
		}
		if a := byAd[id]; a != nil {
			a.Metrics, a.Days, a.FirstDay, a.LastDay = m, int(days), first, last
		}
	}
	return rows.Err()
}
