package jobs

import (
	"context"
	"errors"
	"time"

	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/schemas"
)

// PresyncRanges are the brand's ranges of the given lengths in days, each
// ending the day before today (UTC), like the Graph API's last_7d presets.
func PresyncRanges(brandID string, days []int, today time.Time) []store.Range {
	end := today.UTC().AddDate(0, 0, -1)
	out := make([]store.Range, 0, len(days))
	for _, n := range days {
		out = append(out, store.Range{BrandID: brandID, StartDate: end.AddDate(0, 0, 1-n).Format(time.DateOnly),
			EndDate: end.Format(time.DateOnly)})
	}
	return out
}

// Presynced says what Presync did with one range.
type Presynced struct {
	store.Range
	JobID  string // the job that serves the range; "" when it was fresh
	Queued bool
	Fresh  bool // a sync of the range completed within freshFor: nothing queued
}

// Presync warms the ranges a user is about to look at (the seed's "warm on
// login or brand select"): a FULL sync of each range, unless a job of it is
// running or a sync of it completed within freshFor.
func (q *Queue) Presync(ctx context.Context, ranges []store.Range, freshFor time.Duration) ([]Presynced, error) {
	out := make([]Presynced, 0, len(ranges))
	for _, r := range ranges {
		latest, err := q.Store.LatestJob(ctx, r)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return out, err
		}
		if err == nil && !Running(latest, q.now()) && q.now().Sub(latest.RangeSyncedAt) < freshFor {
			out = append(out, Presynced{Range: r, Fresh: true})
			continue
		}
		got, err := q.Sync(ctx, r, schemas.SyncKindFull, "presync")
		if err != nil {
			return out, err
		}
		out = append(out, Presynced{Range: r, JobID: got.JobID, Queued: got.Queued})
	}
	return out, nil
}
