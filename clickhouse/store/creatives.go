package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Creative is one ad of a brand and date range: its latest metrics joined
// with its latest ad and creative details. Money is in micro-units.
type Creative struct {
	AdID                 string
	AdAccountID          string
	CreativeID           string
	AdName               string
	AdStatus             string
	AdEffectiveStatus    string
	CreativeType         string
	CreativeURL          string
	ThumbnailURL         string
	VideoID              string
	VideoSourceURL       string
	VideoLengthSeconds   float64
	CarouselURLs         []string
	CarouselLinks        []string
	CarouselNames        []string
	CarouselDescriptions []string
	SpendMicros          int64
	RevenueMicros        int64
	Orders               int64
	Impressions          int64
	Clicks               int64
	Reach                int64
	Frequency            float64
	VideoViews           int64
	VideoPlays           int64
	VideoThruplays       int64
	VideoP25             int64
	VideoP50             int64
	VideoP75             int64
	VideoP100            int64
	PostEngagement       int64
	FetchedAt            time.Time
	Version              uint64
	// SortValue is the creative's value of the page's sort (as ClickHouse
	// prints it), what a keyset cursor after it names.
	SortValue string
}

// Range names a brand and an inclusive date range (YYYY-MM-DD).
type Range struct {
	BrandID   string
	StartDate string
	EndDate   string
}

// ListQuery selects one page of creatives. SortBy must be a key of SortColumns
// and Filters keys of FilterColumns; the API validates both before calling.
type ListQuery struct {
	Range
	Filters   map[string]string
	SortBy    string
	Ascending bool
	Limit     int
	Offset    int
	// After continues a listing after the creative a cursor names (keyset
	// paging: a deep page costs what the first does); Offset is then 0.
	After *Cursor
}

// Cursor names the last creative of a page by its sort value and ad id.
type Cursor struct {
	SortValue string
	AdID      string
}

// keyset is the condition and arguments of the rows after q.After in the
// order sortExpr dir, ad_id ASC ("" when q has no cursor).
func keyset(q ListQuery, sortExpr, dir string) (string, []any) {
	if q.After == nil {
		return "", nil
	}
	if q.SortBy == "ad_id" {
		op := ">"
		if dir == "DESC" {
			op = "<"
		}
		return " AND ad_id " + op + " ?", []any{q.After.AdID}
	}
	op := "<"
	if dir == "ASC" {
		op = ">"
	}
	// The value goes back as text parsed by ClickHouse: the exact number it printed.
	return " AND (" + sortExpr + " " + op + " toFloat64(?) OR (" + sortExpr + " = toFloat64(?) AND ad_id > ?))",
		[]any{q.After.SortValue, q.After.SortValue, q.After.AdID}
}

// SortColumns maps the API's sort fields to SQL expressions over ad_insights.
var SortColumns = map[string]string{
	"spend":       "spend_micros",
	"revenue":     "revenue_micros",
	"orders":      "orders",
	"impressions": "impressions",
	"clicks":      "clicks",
	"video_views": "video_views",
	"frequency":   "frequency",
	"ctr":         "if(impressions = 0, 0, clicks / impressions)",
	"cpc":         "if(clicks = 0, 0, spend_micros / clicks)",
	"cpp":         "if(reach = 0, 0, spend_micros / reach)",
	"roas":        "if(spend_micros = 0, 0, revenue_micros / spend_micros)",
	"hook_rate":   "if(impressions = 0, 0, video_views / impressions)",
	"ad_id":       "ad_id",
}

// FilterColumns maps the API's filter keys to ad_insights columns.
var FilterColumns = map[string]string{
	"creative_type":       "creative_type",
	"ad_effective_status": "ad_effective_status",
	"ad_status":           "ad_effective_status",
	"ad_account_id":       "ad_account_id",
	"campaign_id":         "campaign_id",
	"adset_id":            "adset_id",
}

const insightColumns = "ad_id, ad_account_id, creative_type, ad_effective_status, spend_micros, revenue_micros," +
	" orders, impressions, clicks, reach, frequency, video_views, video_plays, video_thruplays," +
	" video_p25, video_p50, video_p75, video_p100, post_engagement, fetched_at, version"

const adColumns = "ad_id, creative_id, ad_name, ad_status, creative_url, thumbnail_url, video_id, video_source_url," +
	" video_length_seconds, carousel_urls, carousel_links, carousel_names, carousel_descriptions"

// where builds the insight filter of a query; values are bound, never spliced.
func (s *Store) where(r Range, filters map[string]string) (string, []any, error) {
	args, err := rangeArgs(r)
	if err != nil {
		return "", nil, err
	}
	conds := []string{rangeWhere}
	for k, v := range filters {
		if cond, condArgs, ok := s.analysisCondition(r.BrandID, k, v); ok {
			conds, args = append(conds, cond), append(args, condArgs...)
			continue
		}
		col, ok := FilterColumns[k]
		if !ok {
			return "", nil, fmt.Errorf("filter %q is not one of the filterable fields", k)
		}
		conds = append(conds, col+" = ?")
		args = append(args, v)
	}
	return strings.Join(conds, " AND "), args, nil
}

// CountCreatives counts the ads of a range that match the filters, in its
// newest snapshot when it has one.
func (s *Store) CountCreatives(ctx context.Context, r Range, filters map[string]string) (int64, error) {
	if rebuilt, ok, err := s.currentSnapshot(ctx, r); err != nil {
		return 0, err
	} else if ok {
		v, err := s.newestSnapshot(ctx, r, filters)
		if err != nil || v.snap >= rebuilt {
			return v.matching, err
		}
	}
	where, args, err := s.where(r, filters)
	if err != nil {
		return 0, err
	}
	var n uint64
	err = s.conn.QueryRow(ctx, "SELECT count() FROM "+s.table("ad_insights")+" FINAL WHERE "+where, args...).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count creatives: %w", err)
	}
	return int64(n), nil
}

// ListCreatives returns one page of creatives in the requested order, ties
// broken by ad id so pages never overlap: from the range's newest snapshot
// when it has one, else from its deduplicated insights, where the page is
// chosen first and only its ads' details are then read (a join would read
// every ad of the brand on every request).
func (s *Store) ListCreatives(ctx context.Context, q ListQuery) ([]Creative, error) {
	order, ok := SortColumns[q.SortBy]
	if !ok {
		return nil, fmt.Errorf("sort field %q is not one of the sortable fields", q.SortBy)
	}
	dir := "DESC"
	if q.Ascending {
		dir = "ASC"
	}
	rebuilt, ok, err := s.currentSnapshot(ctx, q.Range)
	if err != nil {
		return nil, err
	}
	if ok {
		page, err := s.ReadSnapshotPage(ctx, q, rebuilt)
		if !errors.Is(err, ErrSnapshotGone) && !errors.Is(err, ErrNotFound) {
			return page.Rows, err
		}
	}
	return s.listInsights(ctx, q, order, dir)
}

// listInsights reads a page from the deduplicated insights.
func (s *Store) listInsights(ctx context.Context, q ListQuery, order, dir string) ([]Creative, error) {
	where, args, err := s.where(q.Range, q.Filters)
	if err != nil {
		return nil, err
	}
	after, afterArgs := keyset(q, order, dir)
	rows, err := s.conn.Query(ctx, "SELECT "+insightColumns+", toString("+order+") FROM "+s.table("ad_insights")+" FINAL WHERE "+where+after+
		" ORDER BY "+order+" "+dir+", ad_id ASC LIMIT ? OFFSET ?", append(append(args, afterArgs...), q.Limit, q.Offset)...)
	if err != nil {
		return nil, fmt.Errorf("list creatives: %w", err)
	}
	defer rows.Close()
	var out []Creative
	for rows.Next() {
		var c Creative
		if err := rows.Scan(&c.AdID, &c.AdAccountID, &c.CreativeType, &c.AdEffectiveStatus, &c.SpendMicros,
			&c.RevenueMicros, &c.Orders, &c.Impressions, &c.Clicks, &c.Reach, &c.Frequency, &c.VideoViews,
			&c.VideoPlays, &c.VideoThruplays, &c.VideoP25, &c.VideoP50, &c.VideoP75, &c.VideoP100,
			&c.PostEngagement, &c.FetchedAt, &c.Version, &c.SortValue); err != nil {
			return nil, fmt.Errorf("scan creative: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list creatives: %w", err)
	}
	return out, s.addAdDetails(ctx, q.BrandID, out)
}

// addAdDetails fills in the latest ad and creative details of a page.
func (s *Store) addAdDetails(ctx context.Context, brandID string, page []Creative) error {
	if len(page) == 0 {
		return nil
	}
	byID := make(map[string]*Creative, len(page))
	args := []any{brandID}
	for i := range page {
		byID[page[i].AdID] = &page[i]
		args = append(args, page[i].AdID)
	}
	rows, err := s.conn.Query(ctx, "SELECT "+adColumns+" FROM "+s.table("ads")+" FINAL WHERE brand_id = ? AND ad_id IN ("+
		strings.TrimSuffix(strings.Repeat("?, ", len(page)), ", ")+")", args...)
	if err != nil {
		return fmt.Errorf("ads of page: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var d Creative
		if err := rows.Scan(&id, &d.CreativeID, &d.AdName, &d.AdStatus, &d.CreativeURL, &d.ThumbnailURL, &d.VideoID,
			&d.VideoSourceURL, &d.VideoLengthSeconds, &d.CarouselURLs, &d.CarouselLinks, &d.CarouselNames,
			&d.CarouselDescriptions); err != nil {
			return fmt.Errorf("scan ad: %w", err)
		}
		if c := byID[id]; c != nil {
			c.CreativeID, c.AdName, c.AdStatus, c.CreativeURL, c.ThumbnailURL = d.CreativeID, d.AdName, d.AdStatus, d.CreativeURL, d.ThumbnailURL
			c.VideoID, c.VideoSourceURL, c.VideoLengthSeconds = d.VideoID, d.VideoSourceURL, d.VideoLengthSeconds
			c.CarouselURLs, c.CarouselLinks, c.CarouselNames, c.CarouselDescriptions = d.CarouselURLs, d.CarouselLinks, d.CarouselNames, d.CarouselDescriptions
		}
	}
	return rows.Err()
}
