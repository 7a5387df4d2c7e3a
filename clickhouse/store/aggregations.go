package store

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"
)

// CreativeTypes are the creative types aggregations are kept for; "all" sums them.
var CreativeTypes = []string{"video", "image", "carousel", "unknown"}

// AggregationQuery selects the totals of a range: CreativeType "" or "all"
// sums every type, AdStatus "" every effective status.
type AggregationQuery struct {
	Range
	CreativeType string
	AdStatus     string
}

// Aggregation is the exact totals of the ads of a range that match an
// AggregationQuery, as of one rebuild. Money is in micro-units. The Sum*/N*
// pairs are the sums and counts of per-ad ratios over the ads where the ratio
// is defined, so that simple averages can be summed across groups.
type Aggregation struct {
	TotalAds      int64
	SpendMicros   int64
	RevenueMicros int64
	Orders        int64
	Impressions   int64
	Clicks        int64
	Reach         int64 // -1: unknown (a range derived from days: reach is not their sum)
	VideoViews    int64
	VideoP25      int64
	VideoP50      int64
	VideoP75      int64
	VideoP100     int64
	SumCTR        float64
	NCTR          int64
	SumCPC        float64
	NCPC          int64
	SumCPP        float64
	NCPP          int64
	SumROAS       float64
	NROAS         int64

	// RebuildVersion identifies the rebuild (its start in Unix nanoseconds);
	// JobID is the sync job it was rebuilt for ("" when built on demand).
	RebuildVersion uint64
	JobID          string
}

// CalculatedAt is when the rebuild that produced a started.
func (a Aggregation) CalculatedAt() time.Time { return time.Unix(0, int64(a.RebuildVersion)).UTC() }

// WeightedCTR is clicks / impressions · 100.
func (a Aggregation) WeightedCTR() float64 {
	return ratio(float64(a.Clicks)*100, float64(a.Impressions))
}

// WeightedCPC is spend / clicks, in currency units.
func (a Aggregation) WeightedCPC() float64 {
	return ratio(float64(a.SpendMicros)/1e6, float64(a.Clicks))
}

// WeightedCPP is spend / reach · 1000 (cost per thousand people reached),
// as graphsim's ground truth and the Graph API's cpp define it; the seed's
// comment (spend / orders) is the cost per purchase, served as cost_per_order.
func (a Aggregation) WeightedCPP() float64 {
	return ratio(float64(a.SpendMicros)/1e6*1000, float64(a.Reach))
}

// WeightedCostPerOrder is spend / orders.
func (a Aggregation) WeightedCostPerOrder() float64 {
	return ratio(float64(a.SpendMicros)/1e6, float64(a.Orders))
}

// WeightedROAS is revenue / spend.
func (a Aggregation) WeightedROAS() float64 {
	return ratio(float64(a.RevenueMicros), float64(a.SpendMicros))
}

// AvgCTR, AvgCPC, AvgCPP and AvgROAS are means of per-ad values over the ads
// where the value is defined.
func (a Aggregation) AvgCTR() float64  { return ratio(a.SumCTR, float64(a.NCTR)) }
func (a Aggregation) AvgCPC() float64  { return ratio(a.SumCPC, float64(a.NCPC)) }
func (a Aggregation) AvgCPP() float64  { return ratio(a.SumCPP, float64(a.NCPP)) }
func (a Aggregation) AvgROAS() float64 { return ratio(a.SumROAS, float64(a.NROAS)) }

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

func (a *Aggregation) add(g Aggregation) {
	a.TotalAds += g.TotalAds
	a.SpendMicros += g.SpendMicros
	a.RevenueMicros += g.RevenueMicros
	a.Orders += g.Orders
	a.Impressions += g.Impressions
	a.Clicks += g.Clicks
	if a.Reach < 0 || g.Reach < 0 { // some ad's reach is unknown: so is the total
		a.Reach = -1
	} else {
		a.Reach += g.Reach
	}
	a.VideoViews += g.VideoViews
	a.VideoP25 += g.VideoP25
	a.VideoP50 += g.VideoP50
	a.VideoP75 += g.VideoP75
	a.VideoP100 += g.VideoP100
	a.SumCTR += g.SumCTR
	a.NCTR += g.NCTR
	a.SumCPC += g.SumCPC
	a.NCPC += g.NCPC
	a.SumCPP += g.SumCPP
	a.NCPP += g.NCPP
	a.SumROAS += g.SumROAS
	a.NROAS += g.NROAS
}

// aggColumns are the totals of creative_aggregations, in Aggregation's order.
const aggColumns = "total_ads, spend_micros, revenue_micros, orders, impressions, clicks, reach, video_views," +
	" video_p25, video_p50, video_p75, video_p100, sum_ctr, n_ctr, sum_cpc, n_cpc, sum_cpp, n_cpp, sum_roas, n_roas"

// aggFromInsights computes aggColumns over ad_insights rows (one per ad under FINAL).
const aggFromInsights = "toInt64(count()), sum(spend_micros), sum(revenue_micros), sum(orders), sum(impressions)," +
	" sum(clicks), if(countIf(reach < 0) > 0, toInt64(-1), sum(reach)), sum(video_views), sum(video_p25), sum(video_p50), sum(video_p75), sum(video_p100)," +
	" sumIf(clicks * 100 / impressions, impressions > 0), toInt64(countIf(impressions > 0))," +
	" sumIf(spend_micros / 1000000 / clicks, clicks > 0), toInt64(countIf(clicks > 0))," +
	" sumIf(spend_micros / 1000 / reach, reach > 0), toInt64(countIf(reach > 0))," +
	" sumIf(revenue_micros / spend_micros, spend_micros > 0), toInt64(countIf(spend_micros > 0))"

func (a *Aggregation) targets() []any {
	return []any{&a.TotalAds, &a.SpendMicros, &a.RevenueMicros, &a.Orders, &a.Impressions, &a.Clicks, &a.Reach,
		&a.VideoViews, &a.VideoP25, &a.VideoP50, &a.VideoP75, &a.VideoP100, &a.SumCTR, &a.NCTR, &a.SumCPC, &a.NCPC,
		&a.SumCPP, &a.NCPP, &a.SumROAS, &a.NROAS}
}

func (a Aggregation) values() []any {
	return []any{a.TotalAds, a.SpendMicros, a.RevenueMicros, a.Orders, a.Impressions, a.Clicks, a.Reach,
		a.VideoViews, a.VideoP25, a.VideoP50, a.VideoP75, a.VideoP100, a.SumCTR, a.NCTR, a.SumCPC, a.NCPC,
		a.SumCPP, a.NCPP, a.SumROAS, a.NROAS}
}

// RebuildAggregations recomputes every (creative type, effective status)
// group of a range from the deduplicated ad_insights (FINAL: the newest
// version of each ad), so refreshes and redelivered records are counted once,
// and writes them in one block under a new rebuild version, with a marker row
// that makes an empty range a stored answer too. jobID names the sync job the
// rebuild reflects ("" on demand). It returns the rebuild version. Concurrent
// rebuilds are safe: each reads the state after its version was taken, and
// readers use the newest.
func (s *Store) RebuildAggregations(ctx context.Context, r Range, jobID string) (uint64, error) {
	start, end, err := ParseRange(r.StartDate, r.EndDate)
	if err != nil {
		return 0, fmt.Errorf("aggregate %s: %w", r.BrandID, err)
	}
	version := uint64(time.Now().UnixNano())
	// The snapshot first: a reader that finds this rebuild finds its snapshot whole.
	if err := s.writeSnapshot(ctx, r, version); err != nil {
		return 0, err
	}
	groups, err := s.aggregate(ctx, r, s.table(snapshotTable)+" WHERE "+rangeWhere+" AND snapshot = "+strconv.FormatUint(version, 10))
	if err != nil {
		return 0, err
	}
	groups = append([]group{{}}, groups...) // the marker: empty type and status, zero totals
	batch, err := s.conn.PrepareBatch(ctx, "INSERT INTO "+s.table("creative_aggregations")+
		" (brand_id, start_date, end_date, creative_type, ad_effective_status, rebuild_version, job_id, "+aggColumns+")")
	if err != nil {
		return 0, fmt.Errorf("prepare aggregations: %w", err)
	}
	for _, g := range groups {
		args := append([]any{r.BrandID, start, end, g.typ, g.status, version, jobID}, g.agg.values()...)
		if err := batch.Append(args...); err != nil {
			batch.Abort()
			return 0, fmt.Errorf("append aggregation: %w", err)
		}
	}
	if err := batch.Send(); err != nil {
		return 0, fmt.Errorf("insert aggregations: %w", err)
	}
	return version, nil
}

// group is the totals of one creative type and effective status.
type group struct {
	typ, status string
	agg         Aggregation
}

// aggregate computes the groups of a range from the rows that from selects
// (FROM ... WHERE, binding the range): one row per ad.
func (s *Store) aggregate(ctx context.Context, r Range, from string) ([]group, error) {
	args, err := rangeArgs(r)
	if err != nil {
		return nil, err
	}
	rows, err := s.conn.Query(ctx, "SELECT creative_type, ad_effective_status, "+aggFromInsights+
		" FROM "+from+" GROUP BY creative_type, ad_effective_status", args...)
	if err != nil {
		return nil, fmt.Errorf("aggregate %s %s..%s: %w", r.BrandID, r.StartDate, r.EndDate, err)
	}
	defer rows.Close()
	var groups []group
	for rows.Next() {
		var g group
		if err := rows.Scan(append([]any{&g.typ, &g.status}, g.agg.targets()...)...); err != nil {
			return nil, fmt.Errorf("scan aggregation: %w", err)
		}
		if g.typ == "" { // never collide with the marker
			g.typ = "unknown"
		}
		groups = append(groups, g)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("aggregate %s: %w", r.BrandID, err)
	}
	return groups, nil
}

// AggregateNow computes the totals of what is stored of a range now, without
// storing them: the figures of a range whose first sync has not completed,
// which a stored rebuild would freeze.
func (s *Store) AggregateNow(ctx context.Context, q AggregationQuery) (Aggregation, error) {
	groups, err := s.aggregate(ctx, q.Range, s.table("ad_insights")+" FINAL WHERE "+rangeWhere)
	if err != nil {
		return Aggregation{}, err
	}
	var out Aggregation
	for _, g := range groups {
		if q.matches(g.typ, g.status) {
			out.add(g.agg)
		}
	}
	return out, nil
}

// matches says whether a group of the given type and status counts for q.
func (q AggregationQuery) matches(typ, status string) bool {
	return typ != "" && (q.CreativeType == "" || q.CreativeType == "all" || typ == q.CreativeType) &&
		(q.AdStatus == "" || status == q.AdStatus)
}

// Aggregations returns the totals of the newest rebuild of a range that
// match q, summed over its groups (a lookup of a few dozen rows, never a scan
// of the range's ads), or ErrNotFound when the range was never aggregated.
func (s *Store) Aggregations(ctx context.Context, q AggregationQuery) (Aggregation, error) {
	agg := s.table("creative_aggregations")
	args, err := rangeArgs(q.Range)
	if err != nil {
		return Aggregation{}, err
	}
	args = append(args, args...)
	rows, err := s.conn.Query(ctx, "SELECT creative_type, ad_effective_status, rebuild_version, job_id, "+aggColumns+
		" FROM "+agg+" WHERE "+rangeWhere+
		" AND rebuild_version = (SELECT max(rebuild_version) FROM "+agg+" WHERE "+rangeWhere+")", args...)
	if err != nil {
		return Aggregation{}, fmt.Errorf("aggregations of %s: %w", q.BrandID, err)
	}
	defer rows.Close()
	var out Aggregation
	found := false
	for rows.Next() {
		var typ, status string
		var g Aggregation
		if err := rows.Scan(append([]any{&typ, &status, &g.RebuildVersion, &g.JobID}, g.targets()...)...); err != nil {
			return Aggregation{}, fmt.Errorf("scan aggregation: %w", err)
		}
		found = true
		out.RebuildVersion, out.JobID = g.RebuildVersion, g.JobID
		if !q.matches(typ, status) {
			continue
		}
		out.add(g)
	}
	if err := rows.Err(); err != nil {
		return Aggregation{}, fmt.Errorf("aggregations of %s: %w", q.BrandID, err)
	}
	if !found {
		return Aggregation{}, ErrNotFound
	}
	return out, nil
}

// JobStored reports whether every record a completed job published is
// stored: the distinct ads of its range rows reach PublishedInsights, its
// distinct (day, ad) rows reach PublishedDays, and every ad of those rows
// has its Ad record (the details a rebuild's snapshot takes). Rows are
// counted before deduplication, so a redelivery cannot make a job look
// complete early, and the check holds for rows written by any consumer
// instance. Ad records travel on their own topic, and may be stored after
// the job's insights: a rebuild before them lists those ads without their
// names, types and URLs until the next one. Any Ad record of the ad will
// do, this job's or an earlier one's (a refresh publishes only the ads that
// changed, and a newer job's record may have replaced this job's); a
// completed job has one for every ad of its rows (the producer fails a job
// whose ids lookup misses an ad).
func (s *Store) JobStored(ctx context.Context, j CompletedJob) (bool, error) {
	// The rows first, then their distinct ads and days: a count never falls
	// short of them, and at 14M daily rows it took 0.3 s where the distinct
	// count took 6.9 s, so a job whose records are still arriving costs the
	// consumer that checks it little.
	for _, distinct := range [][2]string{{"count()", "count()"}, {"uniqExact(ad_id)", "uniqExact(date, ad_id)"}} {
		ranges, days, err := s.jobRowCounts(ctx, j, distinct[0], distinct[1])
		if err != nil {
			return false, err
		}
		if int64(ranges) < j.PublishedInsights || int64(days) < j.PublishedDays {
			return false, nil
		}
	}
	// Only once the rows are all there: the brand's ads are read whole.
	args, err := rangeArgs(j.Range)
	if err != nil {
		return false, err
	}
	jobRows := "SELECT DISTINCT ad_id FROM " + s.table("ad_insights") + " WHERE " + rangeWhere + " AND sync_id = ?" +
		" UNION ALL SELECT DISTINCT ad_id FROM " + s.table("ad_days") + " WHERE " + dayWhere + " AND sync_id = ?"
	var adless uint64
	err = s.conn.QueryRow(ctx, "SELECT count() FROM ("+jobRows+") WHERE ad_id NOT IN (SELECT ad_id FROM "+s.table("ads")+" WHERE brand_id = ?)",
		append(jobArgs(args, j.JobID), j.BrandID)...).Scan(&adless)
	if err != nil {
		return false, fmt.Errorf("ads of job %s: %w", j.JobID, err)
	}
	return adless == 0, nil
}

// jobArgs binds a range's rows and then its days, each of one job.
func jobArgs(rangeArgs []any, jobID string) []any {
	out := append(slices.Clone(rangeArgs), jobID)
	return append(append(out, rangeArgs...), jobID)
}

// jobRowCounts measures the rows job j stored: ranges over its range rows
// and days over its daily rows, two aggregate expressions.
func (s *Store) jobRowCounts(ctx context.Context, j CompletedJob, ranges, days string) (uint64, uint64, error) {
	args, err := rangeArgs(j.Range)
	if err != nil {
		return 0, 0, err
	}
	var r, d uint64
	err = s.conn.QueryRow(ctx, "SELECT (SELECT "+ranges+" FROM "+s.table("ad_insights")+" WHERE "+rangeWhere+" AND sync_id = ?),"+
		" (SELECT "+days+" FROM "+s.table("ad_days")+" WHERE "+dayWhere+" AND sync_id = ?)",
		jobArgs(args, j.JobID)...).Scan(&r, &d)
	if err != nil {
		return 0, 0, fmt.Errorf("rows of job %s: %w", j.JobID, err)
	}
	return r, d, nil
}

// CompletedJob is the newest completed sync job of a range.
type CompletedJob struct {
	Range
	JobID             string
	PublishedInsights int64 // range rows
	PublishedDays     int64 // daily rows
	Days              []string
	CompletedAt       time.Time
}

// UnaggregatedJobs returns, for every range with a job completed since
// `since`, its newest completed job when the range's newest aggregation was
// not rebuilt for that job: what a consumer that stopped between the
// completion and the rebuild still owes.
func (s *Store) UnaggregatedJobs(ctx context.Context, since time.Time) ([]CompletedJob, error) {
	rows, err := s.conn.Query(ctx, "SELECT brand_id, toString(start_date), toString(end_date),"+
		" argMax(job_id, at_nanos), argMax(published_insights, at_nanos), argMax(published_days, at_nanos),"+
		" argMax(arrayMap(d -> toString(d), days), at_nanos), max(at)"+
		" FROM "+s.table("sync_events")+" WHERE status = ? AND at_nanos >= ?"+
		" GROUP BY brand_id, start_date, end_date", StatusCompleted, since.UnixNano())
	if err != nil {
		return nil, fmt.Errorf("completed jobs: %w", err)
	}
	var jobs []CompletedJob
	for rows.Next() {
		var j CompletedJob
		if err := rows.Scan(&j.BrandID, &j.StartDate, &j.EndDate, &j.JobID, &j.PublishedInsights, &j.PublishedDays, &j.Days, &j.CompletedAt); err != nil {
			rows.Close()
			return nil, fmt.Errorf("scan completed job: %w", err)
		}
		jobs = append(jobs, j)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("completed jobs: %w", err)
	}
	if len(jobs) == 0 {
		return nil, nil
	}
	// A rebuild older than since cannot reflect a job completed after it.
	rows, err = s.conn.Query(ctx, "SELECT brand_id, toString(start_date), toString(end_date), argMax(job_id, rebuild_version)"+
		" FROM "+s.table("creative_aggregations")+" WHERE rebuild_version >= ?"+
		" GROUP BY brand_id, start_date, end_date", uint64(since.UnixNano()))
	if err != nil {
		return nil, fmt.Errorf("aggregated jobs: %w", err)
	}
	defer rows.Close()
	built := map[Range]string{}
	for rows.Next() {
		var r Range
		var job string
		if err := rows.Scan(&r.BrandID, &r.StartDate, &r.EndDate, &job); err != nil {
			return nil, fmt.Errorf("scan aggregated job: %w", err)
		}
		built[r] = job
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("aggregated jobs: %w", err)
	}
	var owed []CompletedJob
	for _, j := range jobs {
		if built[j.Range] != j.JobID {
			owed = append(owed, j)
		}
	}
	return owed, nil
}
