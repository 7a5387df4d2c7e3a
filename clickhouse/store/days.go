package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/adstream/adstream/schemas"
)

// Days are the stored truth: one row per ad and day in ad_days. A range's
// per-ad rows in ad_insights are either fetched for the range (a sync job's
// range pass, with exact reach) or derived from its days here, when every day
// of it is stored (synced_days). Reach is not a sum of days: a derived range
// of more than one day stores reach = -1, which reads serve as unknown.

// dayWhere selects one brand's days start..end; dayArgs binds it.
const dayWhere = "brand_id = ? AND date BETWEEN toDate(?) AND toDate(?)"

func dayArgs(r Range) ([]any, error) { return rangeArgs(r) }

// insertDays writes daily rows to ad_days in one insert, then their signed
// changes for the rollup (see rollup.go). The changes are computed against
// what ad_days held before, so a redelivered batch, or one retried after both
// inserts, adds none; a failure between the two inserts leaves the rollup
// short until Reconcile. Calls sharing a day of an ad take turns (dayLocks)
// from the read of what is stored to the end of the insert of the days, and
// only then: the changes, a sum, may be inserted in any order after.
func (s *Store) insertDays(ctx context.Context, rows []*schemas.AdInsight) error {
	if len(rows) == 0 {
		return nil
	}
	days, err := parseDays(rows)
	if err != nil {
		return err
	}
	batch, err := s.conn.PrepareBatch(ctx, insertDaysQuery(s.table("ad_days")))
	if err != nil {
		return fmt.Errorf("prepare days batch: %w", err)
	}
	unlock, err := s.days.lock(ctx, rows)
	if err != nil {
		batch.Abort()
		return err
	}
	changes, err := s.dayChanges(ctx, rows)
	if err != nil {
		unlock()
		batch.Abort()
		return err
	}
	err = sendDays(batch, rows, days)
	unlock()
	if err != nil {
		return fmt.Errorf("insert days: %w", err)
	}
	return s.insertChanges(ctx, changes)
}

// parseDays returns the day of each daily row.
func parseDays(rows []*schemas.AdInsight) ([]time.Time, error) {
	var parse Days
	days := make([]time.Time, len(rows))
	for i, r := range rows {
		day, err := parse.Parse(r.StartDate)
		if err != nil {
			return nil, fmt.Errorf("day of ad %s: %w", r.AdID, err)
		}
		if r.EndDate != r.StartDate {
			return nil, fmt.Errorf("day of ad %s: %w: a daily row spans %s..%s", r.AdID, ErrBadDate, r.StartDate, r.EndDate)
		}
		days[i] = day
	}
	return days, nil
}

// dayColumn is a column of ad_days and how sendDays fills it from a block
// of rows.
type dayColumn struct {
	name   string
	append func(col driver.BatchColumn, rows []*schemas.AdInsight, days []time.Time) error
}

// field is the dayColumn of one field of the rows. Its slice serves block
// after block (a pool, for inserts made at once): clickhouse-go copies what
// Append is given, and a fresh slice a column a batch was a quarter of the
// consumer's garbage.
func field[T any](name string, of func(*schemas.AdInsight) T) dayColumn {
	var pool sync.Pool // of *[]T
	return dayColumn{name, func(col driver.BatchColumn, rows []*schemas.AdInsight, _ []time.Time) error {
		buf, _ := pool.Get().(*[]T)
		if buf == nil {
			buf = new([]T)
		}
		out := slices.Grow((*buf)[:0], len(rows))[:len(rows)]
		for i, r := range rows {
			out[i] = of(r)
		}
		err := col.Append(out)
		clear(out) // holds no strings of the rows past the block
		*buf = out
		pool.Put(buf)
		return err
	}}
}

// dayColumns are the columns insertDays inserts, in order.
var dayColumns = []dayColumn{
	field("brand_id", func(r *schemas.AdInsight) string { return r.BrandID }),
	{"date", func(col driver.BatchColumn, _ []*schemas.AdInsight, days []time.Time) error { return col.Append(days) }},
	field("ad_id", func(r *schemas.AdInsight) string { return r.AdID }),
	field("ad_account_id", func(r *schemas.AdInsight) string { return r.AdAccountID }),
	field("campaign_id", func(r *schemas.AdInsight) string { return r.CampaignID }),
	field("campaign_name", func(r *schemas.AdInsight) string { return r.CampaignName }),
	field("adset_id", func(r *schemas.AdInsight) string { return r.AdsetID }),
	field("adset_name", func(r *schemas.AdInsight) string { return r.AdsetName }),
	field("creative_type", func(r *schemas.AdInsight) string { return string(r.CreativeType) }),
	field("ad_effective_status", func(r *schemas.AdInsight) string { return r.AdEffectiveStatus }),
	field("spend_micros", func(r *schemas.AdInsight) int64 { return r.SpendMicros }),
	field("revenue_micros", func(r *schemas.AdInsight) int64 { return r.RevenueMicros }),
	field("orders", func(r *schemas.AdInsight) int64 { return r.Orders }),
	field("impressions", func(r *schemas.AdInsight) int64 { return r.Impressions }),
	field("clicks", func(r *schemas.AdInsight) int64 { return r.Clicks }),
	field("reach", func(r *schemas.AdInsight) int64 { return r.Reach }),
	field("video_views", func(r *schemas.AdInsight) int64 { return r.VideoViews }),
	field("video_plays", func(r *schemas.AdInsight) int64 { return r.VideoPlays }),
	field("video_thruplays", func(r *schemas.AdInsight) int64 { return r.VideoThruplays }),
	field("video_p25", func(r *schemas.AdInsight) int64 { return r.VideoP25 }),
	field("video_p50", func(r *schemas.AdInsight) int64 { return r.VideoP50 }),
	field("video_p75", func(r *schemas.AdInsight) int64 { return r.VideoP75 }),
	field("video_p100", func(r *schemas.AdInsight) int64 { return r.VideoP100 }),
	field("post_engagement", func(r *schemas.AdInsight) int64 { return r.PostEngagement }),
	field("fetched_at", func(r *schemas.AdInsight) time.Time { return r.FetchedAt }),
	field("version", func(r *schemas.AdInsight) uint64 { return uint64(r.Version) }),
	field("sync_id", func(r *schemas.AdInsight) string { return r.SyncID }),
}

// insertDaysQuery is the insert of dayColumns into a table.
func insertDaysQuery(table string) string {
	names := make([]string, len(dayColumns))
	for i, c := range dayColumns {
		names[i] = c.name
	}
	return "INSERT INTO " + table + " (" + strings.Join(names, ", ") + ")"
}

// dayBlockRows is how many rows of an insert into ad_days go in one block.
// The server squashes an insert's blocks into parts of up to a million rows
// (min_insert_block_size_rows), so blocks do not make parts; they bound the
// columns clickhouse-go builds, which it grows from empty for every insert
// and reuses from block to block. Columns of a whole batch, grown by
// doubling into fresh memory, cost more CPU than building them: with
// 100k-row batches (BenchmarkIngest, 2026-12-02) the consumer spent 5.0–5.4
// µs a row and its heap peaked 0.67–0.75 GiB above its start; in blocks,
// 3.0–4.3 µs and 0.35–0.49 GiB.
const dayBlockRows = 8192

// sendDays appends rows, whose days are days, to batch, an insert into
// ad_days, in blocks of dayBlockRows, and sends it. It appends column by
// column: a typed slice per column, where appending row by row boxed every
// value (27 a row) and cost more than ClickHouse's own insert. On error the
// batch is aborted.
func sendDays(batch driver.Batch, rows []*schemas.AdInsight, days []time.Time) error {
	for start := 0; start < len(rows); start += dayBlockRows {
		end := min(start+dayBlockRows, len(rows))
		for i, c := range dayColumns {
			if err := c.append(batch.Column(i), rows[start:end], days[start:end]); err != nil {
				batch.Abort()
				return fmt.Errorf("append days column %s: %w", c.name, err)
			}
		}
		if end < len(rows) {
			if err := batch.Flush(); err != nil {
				batch.Abort()
				return fmt.Errorf("send a block of days: %w", err)
			}
		}
	}
	return batch.Send()
}

// RecordDaysSynced notes that a job's daily rows of the given days are all
// stored, as fetched at fetchedAt.
func (s *Store) RecordDaysSynced(ctx context.Context, brandID string, days []string, jobID string, fetchedAt time.Time) error {
	if len(days) == 0 {
		return nil
	}
	batch, err := s.conn.PrepareBatch(ctx, "INSERT INTO "+s.table("synced_days")+" (brand_id, date, fetched_at, job_id)")
	if err != nil {
		return fmt.Errorf("prepare synced days: %w", err)
	}
	for _, d := range days {
		day, err := ParseDay(d)
		if err != nil {
			batch.Abort()
			return fmt.Errorf("synced day of job %s: %w", jobID, err)
		}
		if err := batch.Append(brandID, day, uint64(fetchedAt.UnixNano()), jobID); err != nil {
			batch.Abort()
			return fmt.Errorf("append synced day: %w", err)
		}
	}
	return batch.Send()
}

// SyncedDays returns when each stored day of the brand in r was fetched.
func (s *Store) SyncedDays(ctx context.Context, r Range) (map[string]time.Time, error) {
	args, err := dayArgs(r)
	if err != nil {
		return nil, err
	}
	rows, err := s.conn.Query(ctx, "SELECT toString(date), max(fetched_at) FROM "+s.table("synced_days")+
		" WHERE "+dayWhere+" GROUP BY date", args...)
	if err != nil {
		return nil, fmt.Errorf("synced days of %s: %w", r.BrandID, err)
	}
	defer rows.Close()
	out := map[string]time.Time{}
	for rows.Next() {
		var day string
		var at uint64
		if err := rows.Scan(&day, &at); err != nil {
			return nil, fmt.Errorf("scan synced day: %w", err)
		}
		out[day] = time.Unix(0, int64(at)).UTC()
	}
	return out, rows.Err()
}

// Coverage says whether every day of r is stored, and when the most recently
// fetched of them was fetched.
func (s *Store) Coverage(ctx context.Context, r Range) (bool, time.Time, error) {
	start, end, err := ParseRange(r.StartDate, r.EndDate)
	if err != nil {
		return false, time.Time{}, err
	}
	var n, newest uint64
	err = s.conn.QueryRow(ctx, "SELECT uniqExact(date), max(fetched_at) FROM "+s.table("synced_days")+" WHERE "+dayWhere,
		r.BrandID, r.StartDate, r.EndDate).Scan(&n, &newest)
	if err != nil {
		return false, time.Time{}, fmt.Errorf("coverage of %s: %w", r.BrandID, err)
	}
	want := uint64(end.Sub(start)/(24*time.Hour)) + 1
	return n == want, time.Unix(0, int64(newest)).UTC(), nil
}

// EnsureRange makes r's rows in ad_insights and its aggregations reflect its
// stored days, when every day is stored: it derives them (MaterializeRange,
// RebuildAggregations) unless the newest aggregation of r is at least as new
// as the newest fetched day. It reports whether r is covered, and as of when.
func (s *Store) EnsureRange(ctx context.Context, r Range) (bool, time.Time, error) {
	covered, fetched, err := s.Coverage(ctx, r)
	if err != nil || !covered {
		return covered, fetched, err
	}
	agg, err := s.Aggregations(ctx, AggregationQuery{Range: r})
	switch {
	case err == nil && agg.RebuildVersion >= uint64(fetched.UnixNano()):
		return true, fetched, nil
	case err != nil && !errors.Is(err, ErrNotFound):
		return true, fetched, err
	}
	if err := s.MaterializeRange(ctx, r); err != nil {
		return true, fetched, err
	}
	_, err = s.RebuildAggregations(ctx, r, "")
	return true, fetched, err
}

// MaterializeRange writes r's per-ad totals into ad_insights, summed from
// its deduplicated days inside ClickHouse (INSERT … SELECT), under a new
// version, so readers see the old rows or the new ones. Reach is a day's
// reach for a one-day range and -1 (unknown) otherwise.
func (s *Store) MaterializeRange(ctx context.Context, r Range) error {
	return s.materializeRange(ctx, r, finalRuns)
}

// materializeRange is MaterializeRange reading r's days in at most n runs.
func (s *Store) materializeRange(ctx context.Context, r Range, n int) error {
	start, end, err := ParseRange(r.StartDate, r.EndDate)
	if err != nil {
		return fmt.Errorf("derive %s: %w", r.BrandID, err)
	}
	version := uint64(time.Now().UnixNano())
	reach, frequency := "toInt64(-1)", "toFloat64(0)"
	if r.StartDate == r.EndDate {
		reach, frequency = "sum(reach)", "if(sum(reach) > 0, sum(impressions) / sum(reach), 0)"
	}
	runs := dayRuns(start, end, n)
	if len(runs) == 0 {
		return fmt.Errorf("derive %s %s..%s: the range ends before it starts", r.BrandID, r.StartDate, r.EndDate)
	}
	args := []any{r.StartDate, r.EndDate}
	var selects []string
	for _, run := range runs {
		selects = append(selects, "SELECT brand_id, date, ad_id, ad_account_id, creative_type, ad_effective_status,"+
			" spend_micros, revenue_micros, orders, impressions, clicks, reach, video_views, video_plays, video_thruplays,"+
			" video_p25, video_p50, video_p75, video_p100, post_engagement, fetched_at, campaign_id, campaign_name, adset_id, adset_name"+
			" FROM "+s.table("ad_days")+" FINAL WHERE "+dayWhere)
		args = append(args, r.BrandID, run[0].Format(time.DateOnly), run[1].Format(time.DateOnly))
	}
	err = s.conn.Exec(ctx, "INSERT INTO "+s.table("ad_insights")+
		" (brand_id, start_date, end_date, ad_id, ad_account_id, creative_type, ad_effective_status,"+
		" spend_micros, revenue_micros, orders, impressions, clicks, reach, frequency,"+
		" video_views, video_plays, video_thruplays, video_p25, video_p50, video_p75, video_p100,"+
		" post_engagement, fetched_at, version, sync_id, campaign_id, campaign_name, adset_id, adset_name)"+
		" SELECT brand_id, toDate(?), toDate(?), ad_id, any(ad_account_id), argMax(creative_type, date), argMax(ad_effective_status, date),"+
		" sum(spend_micros), sum(revenue_micros), sum(orders), sum(impressions), sum(clicks), "+reach+", "+frequency+","+
		" sum(video_views), sum(video_plays), sum(video_thruplays), sum(video_p25), sum(video_p50), sum(video_p75), sum(video_p100),"+
		" sum(post_engagement), max(fetched_at), toUInt64("+strconv.FormatUint(version, 10)+"), 'days',"+
		" argMax(campaign_id, date), argMax(campaign_name, date), argMax(adset_id, date), argMax(adset_name, date)"+
		" FROM ("+strings.Join(selects, " UNION ALL ")+") GROUP BY brand_id, ad_id", args...)
	if err != nil {
		return fmt.Errorf("derive %s %s..%s from days: %w", r.BrandID, r.StartDate, r.EndDate, err)
	}
	return nil
}

// finalRuns bounds the runs of days MaterializeRange reads apart. FINAL on
// ClickHouse 18.16 merges the rows it reads in one stream, every column read
// with them; but rows of different days never replace each other (the date
// is in ad_days' key), so each run of days is deduplicated on its own, and
// ClickHouse reads the runs of a UNION ALL on its threads. On 4.67M daily
// rows (10 days of 467k ads, 2 cores) the derivation took 9.8 s in one run
// and 6.1–6.4 s in ten; BenchmarkDeriveRange compares one run with eight.
const finalRuns = 8

// dayRuns splits the days start..end into at most n runs of consecutive
// days, each first and last day inclusive, their lengths differing by at
// most a day.
func dayRuns(start, end time.Time, n int) [][2]time.Time {
	days := int(end.Sub(start)/(24*time.Hour)) + 1
	if days < 1 || n < 1 {
		return nil
	}
	n = min(n, days)
	out := make([][2]time.Time, 0, n)
	first := start
	for i := range n {
		size := days / n
		if i < days%n {
			size++
		}
		last := first.AddDate(0, 0, size-1)
		out = append(out, [2]time.Time{first, last})
		first = last.AddDate(0, 0, 1)
	}
	return out
}
