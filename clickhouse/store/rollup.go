package store

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/adstream/adstream/schemas"
)

// type_daily, the per-type daily rollup, is kept by a materialized view that
// sums signed changes (ad_day_changes): a new day of an ad adds it, a newer
// version of a day takes the old values away and adds the new ones, and a
// redelivered or older version changes nothing — so refreshes and Kafka
// redeliveries leave it exact. Only a crash between the insert of the days
// and the insert of their changes can leave drift; Reconcile removes it.

// rollupColumns are the additive day metrics type_daily sums, in dayValues order.
var rollupColumns = []string{"spend_micros", "revenue_micros", "orders", "impressions", "clicks", "video_views",
	"video_plays", "video_thruplays", "video_p25", "video_p50", "video_p75", "video_p100", "post_engagement"}

// dayValues are one ad's day (or a group's sums) in rollupColumns order.
type dayValues [13]int64

func valuesOf(r *schemas.AdInsight) dayValues {
	return dayValues{r.SpendMicros, r.RevenueMicros, r.Orders, r.Impressions, r.Clicks, r.VideoViews, r.VideoPlays,
		r.VideoThruplays, r.VideoP25, r.VideoP50, r.VideoP75, r.VideoP100, r.PostEngagement}
}

// rollupKey is one row of type_daily.
type rollupKey struct{ brand, date, typ, status string }

// change is one signed row of ad_day_changes.
type change struct {
	rollupKey
	sign int8
	ads  int64
	v    dayValues
}

// dayChanges computes the signed changes that rows make to what ad_days
// holds: a row newer than the newest stored or earlier row of its key
// replaces it (takes its values away and adds its own), any other row is
// nothing. Taken in the order received, a key's replacements telescope to
// its newest row less what was stored, as if taken in version order, and of
// equal versions the first received stays, so no sort is needed. The
// changes are summed per rollup key in Go, as the view would sum them, into
// one row of sign 1 each (the columns are signed, so a net decrease is
// exact): a batch's changes are a row per day, type and status, not one or
// two per day row. A key whose changes cancel out gets no row.
func (s *Store) dayChanges(ctx context.Context, rows []*schemas.AdInsight) ([]change, error) {
	stored, err := s.storedDays(ctx, rows)
	if err != nil {
		return nil, err
	}
	net := map[rollupKey]*rollupRow{}
	add := func(k rollupKey, sign int64, v dayValues) {
		sum, ok := net[k]
		if !ok {
			sum = new(rollupRow)
			net[k] = sum
		}
		sum.ads += sign
		for i := range v {
			sum.v[i] += sign * v[i]
		}
	}
	newest := make(map[adDay]*schemas.AdInsight, len(rows))
	for _, r := range rows {
		k := adDay{r.BrandID, r.StartDate, r.AdID}
		prev, received := newest[k]
		old, isStored := stored[k]
		switch {
		case received && prev.Version >= r.Version, !received && isStored && old.version >= uint64(r.Version):
			continue // a redelivery or an older fetch
		case received:
			add(rollupKey{prev.BrandID, prev.StartDate, string(prev.CreativeType), prev.AdEffectiveStatus}, -1, valuesOf(prev))
		case isStored:
			add(rollupKey{r.BrandID, r.StartDate, old.typ, old.status}, -1, old.v)
		}
		add(rollupKey{r.BrandID, r.StartDate, string(r.CreativeType), r.AdEffectiveStatus}, 1, valuesOf(r))
		newest[k] = r
	}
	out := make([]change, 0, len(net))
	for k, sum := range net {
		if *sum != (rollupRow{}) {
			out = append(out, change{k, 1, sum.ads, sum.v})
		}
	}
	return out, nil
}

// insertChanges writes signed rows to ad_day_changes, which the view adds
// to type_daily.
func (s *Store) insertChanges(ctx context.Context, changes []change) error {
	if len(changes) == 0 {
		return nil
	}
	batch, err := s.conn.PrepareBatch(ctx, "INSERT INTO "+s.table("ad_day_changes")+
		" (brand_id, date, creative_type, ad_effective_status, sign, ads, "+strings.Join(rollupColumns, ", ")+")")
	if err != nil {
		return fmt.Errorf("prepare day changes: %w", err)
	}
	var parse Days
	for _, c := range changes {
		day, err := parse.Parse(c.date)
		if err != nil {
			batch.Abort()
			return err
		}
		args := []any{c.brand, day, c.typ, c.status, c.sign, c.ads}
		for _, v := range c.v {
			args = append(args, v)
		}
		if err := batch.Append(args...); err != nil {
			batch.Abort()
			return fmt.Errorf("append day change: %w", err)
		}
	}
	return batch.Send()
}

// Reconcile makes type_daily equal the deduplicated ad_days on the brand's
// given days: it compares the two per type and status and adds the
// difference as one more signed row. It returns how many rollup rows were
// off. Call it when no other writer is storing these days (a job's records
// are all stored); a concurrent writer's change is corrected by the next call.
func (s *Store) Reconcile(ctx context.Context, brandID string, days []string) (int, error) {
	if len(days) == 0 {
		return 0, nil
	}
	first, last := slices.Min(days), slices.Max(days)
	sums := make([]string, len(rollupColumns))
	for i, c := range rollupColumns {
		sums[i] = "sum(" + c + ")"
	}
	where := " WHERE " + dayWhere + " AND toString(date) IN (SELECT arrayJoin(?)) GROUP BY date, creative_type, ad_effective_status"
	truth, err := s.rollupRows(ctx, "SELECT toString(date), creative_type, ad_effective_status, toInt64(count()), "+
		strings.Join(sums, ", ")+" FROM "+s.table("ad_days")+" FINAL"+where, brandID, first, last, days)
	if err != nil {
		return 0, err
	}
	stored, err := s.rollupRows(ctx, "SELECT toString(date), creative_type, ad_effective_status, sum(ads), "+
		strings.Join(sums, ", ")+" FROM "+s.table("type_daily")+where, brandID, first, last, days)
	if err != nil {
		return 0, err
	}
	var fix []change
	for k := range merged(truth, stored) {
		t, st := truth[k], stored[k]
		c := change{rollupKey: k, sign: 1, ads: t.ads - st.ads}
		off := c.ads != 0
		for i := range c.v {
			c.v[i] = t.v[i] - st.v[i]
			off = off || c.v[i] != 0
		}
		if off {
			fix = append(fix, c)
		}
	}
	return len(fix), s.insertChanges(ctx, fix)
}

type rollupRow struct {
	ads int64
	v   dayValues
}

func (s *Store) rollupRows(ctx context.Context, query string, brandID string, args ...any) (map[rollupKey]rollupRow, error) {
	q, err := s.conn.Query(ctx, query, append([]any{brandID}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("rollup of %s: %w", brandID, err)
	}
	defer q.Close()
	out := map[rollupKey]rollupRow{}
	for q.Next() {
		k := rollupKey{brand: brandID}
		var r rollupRow
		dest := []any{&k.date, &k.typ, &k.status, &r.ads}
		for i := range r.v {
			dest = append(dest, &r.v[i])
		}
		if err := q.Scan(dest...); err != nil {
			return nil, fmt.Errorf("scan rollup: %w", err)
		}
		out[k] = r
	}
	return out, q.Err()
}

// merged yields every key of a or b once.
func merged(a, b map[rollupKey]rollupRow) map[rollupKey]struct{} {
	out := make(map[rollupKey]struct{}, len(a)+len(b))
	for k := range a {
		out[k] = struct{}{}
	}
	for k := range b {
		out[k] = struct{}{}
	}
	return out
}

// RollupDrift compares type_daily with the deduplicated ad_days of a brand,
// per day, creative type and status, and describes the first differences;
// "" when they are equal. For tests and checks: it reads every day of the brand.
func (s *Store) RollupDrift(ctx context.Context, brandID string) (string, error) {
	sums := make([]string, len(rollupColumns))
	for i, c := range rollupColumns {
		sums[i] = "sum(" + c + ")"
	}
	cols := "toString(date), creative_type, ad_effective_status, "
	group := " WHERE brand_id = ? GROUP BY date, creative_type, ad_effective_status"
	truth, err := s.rollupRows(ctx, "SELECT "+cols+"toInt64(count()), "+strings.Join(sums, ", ")+" FROM "+s.table("ad_days")+" FINAL"+group, brandID)
	if err != nil {
		return "", err
	}
	stored, err := s.rollupRows(ctx, "SELECT "+cols+"sum(ads), "+strings.Join(sums, ", ")+" FROM "+s.table("type_daily")+group, brandID)
	if err != nil {
		return "", err
	}
	var diffs []string
	for k := range merged(truth, stored) {
		if t, st := truth[k], stored[k]; t != st {
			diffs = append(diffs, fmt.Sprintf("%s %s %s: rollup %d ads %v, days %d ads %v", k.date, k.typ, k.status, st.ads, st.v, t.ads, t.v))
		}
	}
	slices.Sort(diffs)
	return strings.Join(diffs[:min(len(diffs), 5)], "; "), nil
}
