package store

import (
	"context"
	"fmt"
	"strings"
)

// SeriesMetrics are the daily series' metrics: sums over days and ads. Reach
// is a metric of one ad's day only (adId set): it does not add up over ads.
var SeriesMetrics = map[string]string{
	"spend": "sum(spend_micros) / 1000000", "revenue": "sum(revenue_micros) / 1000000", "orders": "sum(orders)",
	"impressions": "sum(impressions)", "clicks": "sum(clicks)", "video_views": "sum(video_views)",
	"video_plays": "sum(video_plays)", "video_thruplays": "sum(video_thruplays)", "video_p25_watched": "sum(video_p25)",
	"video_p50_watched": "sum(video_p50)", "video_p75_watched": "sum(video_p75)", "video_p100_watched": "sum(video_p100)",
	"post_engagement": "sum(post_engagement)", "reach": "sum(reach)",
}

// SeriesQuery asks for one point per day of a range: of one creative type
// ("" or "all": every type) or of one ad.
type SeriesQuery struct {
	Range
	CreativeType string
	AdID         string
	Metrics      []string // keys of SeriesMetrics, already validated
}

// SeriesPoint is one day's values, in the order of SeriesQuery.Metrics.
type SeriesPoint struct {
	Date   string
	Values []float64
}

// Series sums the stored days of q's range, one point per day that has data:
// a creative type's from the type_daily rollup, an ad's from its
// deduplicated days.
func (s *Store) Series(ctx context.Context, q SeriesQuery) ([]SeriesPoint, error) {
	args, err := dayArgs(q.Range)
	if err != nil {
		return nil, err
	}
	cols := make([]string, len(q.Metrics))
	for i, m := range q.Metrics {
		expr, ok := SeriesMetrics[m]
		if !ok || (m == "reach" && q.AdID == "") {
			return nil, fmt.Errorf("series metric %q is not known or not additive over ads", m)
		}
		cols[i] = "toFloat64(" + expr + ")"
	}
	where := dayWhere
	if q.CreativeType != "" && q.CreativeType != "all" {
		where += " AND creative_type = ?"
		args = append(args, q.CreativeType)
	}
	if q.AdID != "" {
		where += " AND ad_id = ?"
		args = append(args, q.AdID)
	}
	from := s.table("type_daily")
	if q.AdID != "" {
		from = s.table("ad_days") + " FINAL"
	}
	rows, err := s.conn.Query(ctx, "SELECT toString(date), "+strings.Join(cols, ", ")+" FROM "+from+
		" WHERE "+where+" GROUP BY date ORDER BY date", args...)
	if err != nil {
		return nil, fmt.Errorf("series of %s: %w", q.BrandID, err)
	}
	defer rows.Close()
	var out []SeriesPoint
	for rows.Next() {
		p := SeriesPoint{Values: make([]float64, len(q.Metrics))}
		dest := []any{&p.Date}
		for i := range p.Values {
			dest = append(dest, &p.Values[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("scan series: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
