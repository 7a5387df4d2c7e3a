package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// A snapshot is a range's creatives as of one rebuild, with their ad and
// creative details, written whole before the rebuild's aggregations, so that
// the snapshot a reader finds through them is complete. Pages and counts read
// it without FINAL; a range with no snapshot yet (a first sync running, or a
// live fallback) is read from ad_insights with FINAL.

// snapshotTable holds the snapshots: range_snapshots in granules of 64 rows,
// so a page's rows read by ad id read little besides them (migration 0041).
const snapshotTable = "range_snapshot_rows"

const snapshotInsightColumns = "ad_id, ad_account_id, campaign_id, adset_id, creative_type, ad_effective_status," +
	" spend_micros, revenue_micros, orders, impressions, clicks, reach, frequency, video_views, video_plays," +
	" video_thruplays, video_p25, video_p50, video_p75, video_p100, post_engagement, fetched_at, version"

const snapshotAdColumns = "creative_id, ad_name, ad_status, creative_url, thumbnail_url, video_id, video_source_url," +
	" video_length_seconds, carousel_urls, carousel_links, carousel_names, carousel_descriptions"

// writeSnapshot writes the range's deduplicated rows joined with their ads'
// newest details as snapshot version, inside ClickHouse.
func (s *Store) writeSnapshot(ctx context.Context, r Range, version uint64) error {
	args, err := rangeArgs(r)
	if err != nil {
		return err
	}
	err = s.conn.Exec(ctx, "INSERT INTO "+s.table(snapshotTable)+" (brand_id, start_date, end_date, snapshot, "+
		snapshotInsightColumns+", "+snapshotAdColumns+")"+
		" SELECT ?, toDate(?), toDate(?), toUInt64("+strconv.FormatUint(version, 10)+"), "+snapshotInsightColumns+", "+snapshotAdColumns+
		" FROM (SELECT "+snapshotInsightColumns+" FROM "+s.table("ad_insights")+" FINAL WHERE "+rangeWhere+")"+
		" ANY LEFT JOIN (SELECT ad_id, "+snapshotAdColumns+" FROM "+s.table("ads")+" FINAL WHERE brand_id = ?) USING ad_id",
		append(append(append([]any{}, args...), args...), r.BrandID)...)
	if err != nil {
		return fmt.Errorf("snapshot %s %s..%s: %w", r.BrandID, r.StartDate, r.EndDate, err)
	}
	return nil
}

// currentSnapshot is the range's newest rebuild when it has a snapshot
// (rebuilds from before snapshots existed have none).
func (s *Store) currentSnapshot(ctx context.Context, r Range) (uint64, bool, error) {
	args, err := rangeArgs(r)
	if err != nil {
		return 0, false, err
	}
	var rebuilt, snap uint64
	err = s.conn.QueryRow(ctx, "SELECT (SELECT max(rebuild_version) FROM "+s.table("creative_aggregations")+" WHERE "+rangeWhere+"),"+
		" (SELECT max(snapshot) FROM "+s.table(snapshotTable)+" WHERE "+rangeWhere+")", append(args, args...)...).Scan(&rebuilt, &snap)
	if err != nil {
		return 0, false, fmt.Errorf("snapshot of %s: %w", r.BrandID, err)
	}
	return rebuilt, rebuilt != 0 && snap >= rebuilt, nil
}

// A snapshot is read whole or not at all. ReplacingMergeTree(snapshot)
// merges a newer snapshot's rows over an older one's as soon as both are
// stored, which can be before the newer one's aggregations are written, so
// a reader of the older one would count and page a part of it. A read takes
// instead the newest snapshot present (written whole, by one INSERT …
// SELECT of one block) with its size, in one query: one view of the table's
// parts, in which nothing newer replaced any of its rows. After reading the
// page's ids it counts the snapshot again (with the page's rows): its rows
// only ever go, so an unchanged size proves the page was read from all of
// them.

// snapshotView is the newest snapshot of a range as one query saw it.
type snapshotView struct {
	snap     uint64
	size     int64 // all its rows
	matching int64 // its rows that match the read's filters
}

// newestSnapshot reads r's newest snapshot, its size and how many of its
// rows match filters; snap is 0 when r has none.
func (s *Store) newestSnapshot(ctx context.Context, r Range, filters map[string]string) (snapshotView, error) {
	where, args, err := s.where(r, filters)
	if err != nil {
		return snapshotView{}, err
	}
	var v snapshotView
	var size, matching uint64
	err = s.conn.QueryRow(ctx, "SELECT snapshot, count(), countIf("+where+") FROM "+s.table(snapshotTable)+
		" WHERE "+rangeWhere+" GROUP BY snapshot ORDER BY snapshot DESC LIMIT 1", append(args, args[:3]...)...).
		Scan(&v.snap, &size, &matching)
	if err != nil && !isNoRows(err) {
		return snapshotView{}, fmt.Errorf("snapshot of %s: %w", r.BrandID, err)
	}
	v.size, v.matching = int64(size), int64(matching)
	return v, nil
}

// intact says whether every row of v's snapshot is still stored.
func (s *Store) intact(ctx context.Context, r Range, v snapshotView) error {
	args, err := rangeArgs(r)
	if err != nil {
		return err
	}
	var n uint64
	err = s.conn.QueryRow(ctx, "SELECT count() FROM "+s.table(snapshotTable)+" WHERE "+rangeWhere+" AND snapshot = ?",
		append(args, v.snap)...).Scan(&n)
	switch {
	case err != nil:
		return fmt.Errorf("size of snapshot: %w", err)
	case int64(n) != v.size:
		return ErrSnapshotGone
	}
	return nil
}

// SnapshotPage is a count and a page read from one whole snapshot.
type SnapshotPage struct {
	Snapshot uint64
	Total    int64 // the snapshot's creatives that match the query's filters
	Rows     []Creative
}

// ReadSnapshotPage reads the total of q's filters and q's page from r's
// newest snapshot, whole (see snapshotView), reading again when a newer
// snapshot replaced it meanwhile. It returns ErrNotFound when the newest
// snapshot is older than minSnapshot (a rebuild from before snapshots).
func (s *Store) ReadSnapshotPage(ctx context.Context, q ListQuery, minSnapshot uint64) (SnapshotPage, error) {
	order, ok := SortColumns[q.SortBy]
	if !ok {
		return SnapshotPage{}, fmt.Errorf("sort field %q is not one of the sortable fields", q.SortBy)
	}
	dir := "DESC"
	if q.Ascending {
		dir = "ASC"
	}
	for range 3 {
		v, err := s.newestSnapshot(ctx, q.Range, q.Filters)
		if err != nil {
			return SnapshotPage{}, err
		}
		if v.snap == 0 || v.snap < minSnapshot {
			return SnapshotPage{}, ErrNotFound
		}
		rows, err := s.listSnapshot(ctx, q, v, order, dir)
		if errors.Is(err, ErrSnapshotGone) {
			continue
		}
		return SnapshotPage{Snapshot: v.snap, Total: v.matching, Rows: rows}, err
	}
	return SnapshotPage{}, ErrSnapshotGone
}

// listSnapshot reads a page of the snapshot in two steps: the page's ad ids
// in order (reading only the sort and filter columns), then those rows whole
// (the primary key finds them). It returns ErrSnapshotGone when a newer
// snapshot replaced any of v's rows before the second step.
func (s *Store) listSnapshot(ctx context.Context, q ListQuery, v snapshotView, order, dir string) ([]Creative, error) {
	where, args, err := s.where(q.Range, q.Filters)
	if err != nil {
		return nil, err
	}
	where += " AND snapshot = ?"
	args = append(args, v.snap)
	after, afterArgs := keyset(q, order, dir)
	rows, err := s.conn.Query(ctx, "SELECT ad_id, toString("+order+") FROM "+s.table(snapshotTable)+" WHERE "+where+after+
		" ORDER BY "+order+" "+dir+", ad_id ASC LIMIT ? OFFSET ?", append(append(slices.Clone(args), afterArgs...), q.Limit, q.Offset)...)
	if err != nil {
		return nil, fmt.Errorf("page of snapshot: %w", err)
	}
	var ids []string
	sortValues := map[string]string{}
	for rows.Next() {
		var id, v string
		if err := rows.Scan(&id, &v); err != nil {
			rows.Close()
			return nil, fmt.Errorf("scan page id: %w", err)
		}
		ids = append(ids, id)
		sortValues[id] = v
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, s.intact(ctx, q.Range, v)
	}
	// The snapshot's size comes with the rows, counted after the ids were read.
	rargs := args[:3]
	rows, err = s.conn.Query(ctx, "SELECT "+snapshotInsightColumns+", "+snapshotAdColumns+
		", (SELECT count() FROM "+s.table(snapshotTable)+" WHERE "+rangeWhere+" AND snapshot = ?)"+
		" FROM "+s.table(snapshotTable)+
		" WHERE "+where+" AND ad_id IN ("+strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ")+")",
		append(append(append(slices.Clone(rargs), v.snap), args...), toAny(ids)...)...)
	if err != nil {
		return nil, fmt.Errorf("rows of page: %w", err)
	}
	defer rows.Close()
	byID := make(map[string]Creative, len(ids))
	for rows.Next() {
		var c Creative
		var campaign, adset string
		var size uint64
		if err := rows.Scan(&c.AdID, &c.AdAccountID, &campaign, &adset, &c.CreativeType, &c.AdEffectiveStatus, &c.SpendMicros,
			&c.RevenueMicros, &c.Orders, &c.Impressions, &c.Clicks, &c.Reach, &c.Frequency, &c.VideoViews,
			&c.VideoPlays, &c.VideoThruplays, &c.VideoP25, &c.VideoP50, &c.VideoP75, &c.VideoP100, &c.PostEngagement,
			&c.FetchedAt, &c.Version, &c.CreativeID, &c.AdName, &c.AdStatus, &c.CreativeURL, &c.ThumbnailURL, &c.VideoID,
			&c.VideoSourceURL, &c.VideoLengthSeconds, &c.CarouselURLs, &c.CarouselLinks, &c.CarouselNames,
			&c.CarouselDescriptions, &size); err != nil {
			return nil, fmt.Errorf("scan snapshot row: %w", err)
		}
		if int64(size) != v.size { // a newer snapshot replaced rows of v before the ids were read, or since
			return nil, ErrSnapshotGone
		}
		byID[c.AdID] = c
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("rows of page: %w", err)
	}
	out := make([]Creative, 0, len(ids))
	for _, id := range ids {
		c, ok := byID[id]
		if !ok { // merged away by a newer snapshot between the two reads
			return nil, ErrSnapshotGone
		}
		c.SortValue = sortValues[id]
		out = append(out, c)
	}
	return out, nil
}

// ErrSnapshotGone says a newer snapshot replaced the one being read; the
// caller reads again.
var ErrSnapshotGone = fmt.Errorf("snapshot replaced while read")

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
