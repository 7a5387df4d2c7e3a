package producers

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"time"

	"github.com/adstream/adstream/clickhouse/store"
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

// Jobs is what the scheduler reads and records about sync jobs.
type Jobs interface {
	SyncedRanges(ctx context.Context, since time.Time) ([]store.Range, error)
	LatestJob(ctx context.Context, r store.Range) (store.SyncJob, error)
	RecordQueued(ctx context.Context, r store.Range, jobID string, kind schemas.SyncKind, at time.Time) error
}

// Queue publishes sync requests.
type Queue interface {
	Enqueue(ctx context.Context, req *schemas.SyncRequest) error
}

// Scheduler queues a REFRESH of every recently synced range whose last job
// ended more than an Interval ago. Several producers may each run one: a
// range with a pending or running job is skipped, and the job id is the same
// for a range within one interval, so the duplicates that still slip through
// are recognisable in the sync status.
type Scheduler struct {
	Config SchedulerConfig
	Jobs   Jobs
	Queue  Queue
	Log    *slog.Logger
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
	ranges, err := s.Jobs.SyncedRanges(ctx, now.Add(-lookback))
	if err != nil {
		return 0, err
	}
	queued := 0
	for _, r := range ranges {
		last, err := s.Jobs.LatestJob(ctx, r)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return queued, err
		}
		if err == nil && now.Sub(last.UpdatedAt) < s.Config.Interval {
			continue // running, queued or fresh enough
		}
		req := &schemas.SyncRequest{JobID: scheduledJobID(r, now, s.Config.Interval), BrandID: r.BrandID,
			StartDate: r.StartDate, EndDate: r.EndDate, Kind: schemas.SyncKindRefresh, RequestedAt: now, RequestedBy: "scheduler"}
		if err := s.Queue.Enqueue(ctx, req); err != nil {
			return queued, err
		}
		if err := s.Jobs.RecordQueued(ctx, r, req.JobID, req.Kind, now); err != nil {
			return queued, err
		}
		s.Log.Info("refresh queued", "job", req.JobID, "brand", r.BrandID, "range", r.StartDate+".."+r.EndDate)
		queued++
	}
	return queued, nil
}

// scheduledJobID is the same for a range within one interval slot.
func scheduledJobID(r store.Range, now time.Time, interval time.Duration) string {
	slot := now.Truncate(interval).Unix()
	h := sha256.Sum256([]byte(r.BrandID + "/" + r.StartDate + "/" + r.EndDate))
	return "refresh-sched-" + hex.EncodeToString(h[:6]) + "-" + time.Unix(slot, 0).UTC().Format("20060102T1504")
}
