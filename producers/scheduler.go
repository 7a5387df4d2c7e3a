package producers

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/internal/jobs"
	"github.com/adstream/adstream/schemas"
)

// SchedulerConfig says how often ranges are refreshed.
type SchedulerConfig struct {
	// Interval is both how often the scheduler looks and how old a range's
	// last sync may be before it is refreshed (the seed: every 6-12 hours).
	Interval time.Duration
	// Lookback is how far back a completed sync keeps its range scheduled
	// (default 30 days).
	Lookback time.Duration
}

// History is what the scheduler reads of the sync history.
type History interface {
	SyncedRanges(ctx context.Context, since time.Time) ([]store.Range, error)
	LatestJob(ctx context.Context, r store.Range) (store.SyncJob, error)
}

// Scheduler queues a REFRESH of every recently synced range whose last job
// ended more than an Interval ago. Several producers may each run one: the
// queueing goes through jobs.Queue, so a range gets one job however many
// schedulers find it due at once.
type Scheduler struct {
	Config  SchedulerConfig
	History History
	Jobs    *jobs.Queue
	Log     *slog.Logger
}

// Run ticks every Interval until ctx ends; one failed tick is logged and the
// next one tries again.
func (s *Scheduler) Run(ctx context.Context) error {
	s.Log.Info("refresh scheduler started", "interval", s.Config.Interval)
	t := time.NewTicker(s.Config.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case now := <-t.C:
			if n, err := s.Tick(ctx, now.UTC()); err != nil {
				s.Log.Warn("refresh scheduling failed", "queued", n, "err", err)
			}
		}
	}
}

// Tick queues the refreshes due at now and returns how many it queued.
func (s *Scheduler) Tick(ctx context.Context, now time.Time) (int, error) {
	lookback := s.Config.Lookback
	if lookback <= 0 {
		lookback = 30 * 24 * time.Hour
	}
	ranges, err := s.History.SyncedRanges(ctx, now.Add(-lookback))
	if err != nil {
		return 0, err
	}
	queued := 0
	for _, r := range ranges {
		last, err := s.History.LatestJob(ctx, r)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return queued, err
		}
		if err == nil && !jobs.Due(last, now, s.Config.Interval) {
			continue
		}
		q, err := s.Jobs.Sync(ctx, r, schemas.SyncKindRefresh, "scheduler")
		if err != nil {
			return queued, err
		}
		if q.Queued {
			s.Log.Info("refresh queued", "job", q.JobID, "brand", r.BrandID, "range", r.StartDate+".."+r.EndDate)
			queued++
		}
	}
	return queued, nil
}
