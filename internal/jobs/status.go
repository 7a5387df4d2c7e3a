package jobs

import (
	"time"

	"github.com/adstream/adstream/clickhouse/store"
)

// Progress is how far a job got, as a person reads it.
type Progress struct {
	// TotalAds is the job's plan: while it runs, the ads its accounts hold
	// (an upper bound of the ads with data in the range); once it completed,
	// the ads it published.
	TotalAds     int64
	ProcessedAds int64
	// Percentage rises from 0 to 99 while the job runs (by the units of its
	// plan) and is 100 once it completed; it never decreases.
	Percentage int64
	// EstimatedCompletion extrapolates the rate measured so far; zero when
	// the job is not running or has published nothing yet.
	EstimatedCompletion time.Time
}

// ProgressOf measures j at now.
func ProgressOf(j store.SyncJob, now time.Time) Progress {
	p := Progress{TotalAds: max(j.TotalAds, j.PublishedAds), ProcessedAds: j.PublishedAds}
	// done and total measure the work: the plan's units (in permille) when
	// the producer planned units, else the ads against their count.
	done, total := float64(j.PublishedAds), float64(p.TotalAds)
	if j.UnitsTotal > 0 {
		done, total = float64(j.ProgressPermille), 1000
	}
	switch {
	case j.Status == store.StatusCompleted:
		p.TotalAds, p.Percentage = j.PublishedAds, 100
	case total > 0:
		p.Percentage = min(int64(done*100/total), 99)
	}
	if Running(j, now) && done > 0 && !j.StartedAt.IsZero() && j.UpdatedAt.After(j.StartedAt) {
		rate := done / float64(j.UpdatedAt.Sub(j.StartedAt))
		left := time.Duration((total - done) / rate)
		p.EstimatedCompletion = j.UpdatedAt.Add(left).UTC().Truncate(time.Second)
	}
	return p
}

// Complete reports whether the stored figures of j's range cover every ad of
// it: a sync of the range completed at some point (RangeSyncedAt), even if a
// later refresh is running or failed.
func Complete(j store.SyncJob) bool { return !j.RangeSyncedAt.IsZero() }
