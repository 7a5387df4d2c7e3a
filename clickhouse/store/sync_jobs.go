package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/adstream/adstream/schemas"
)

// ErrNotFound is returned when the thing asked for is not stored.
var ErrNotFound = errors.New("not found")

// Job statuses, as the seed's CreativeSync model names them.
const (
	StatusPending    = "pending"
	StatusProcessing = "processing"
	StatusCompleted  = "completed"
	StatusFailed     = "failed"
	// StatusDeleted marks the delete of a range's data and history (a
	// tombstone job): the range has no job after it, but the next job's id
	// still differs from every earlier one's (see jobs.NextJobID).
	StatusDeleted = "deleted"
)

// StatusOf maps a producer's event type to the job status it implies.
func StatusOf(t schemas.SyncEventType) string {
	switch t {
	case schemas.SyncCompleted:
		return StatusCompleted
	case schemas.SyncFailed:
		return StatusFailed
	default:
		return StatusProcessing
	}
}

// SyncJob is the newest state of one sync job, as its stored events say.
type SyncJob struct {
	Range
	JobID             string
	Kind              string
	Status            string
	TotalAds          int64
	PublishedAds      int64
	PublishedInsights int64
	// UnitsTotal and UnitsDone count the job's plan; ProgressPermille is how
	// far it got (0-1000); all 0 from producers older than plans.
	UnitsTotal       int64
	UnitsDone        int64
	ProgressPermille int64
	ErrorCode        string
	Error            string
	CreatedAt        time.Time // when it was queued (its first event)
	StartedAt        time.Time // its first event from a producer; zero while pending
	UpdatedAt        time.Time // its newest event
	CompletedAt      time.Time // when it completed or failed; zero before
	// RangeSyncedAt is when a sync of the job's range last completed (this
	// job or an earlier one) and the consumers rebuilt the range for it (all
	// its records are stored); zero when none ever did.
	RangeSyncedAt time.Time

	// CheckpointUnits are the units whose records were all delivered to
	// Kafka, and the Checkpoint* counts what was published then: where a
	// run that takes the job over resumes (jobs.Plan.Resume). CheckpointPlan
	// is the fingerprint of the plan those units are of.
	CheckpointUnits, CheckpointAds, CheckpointInsights, CheckpointDays int64
	CheckpointPlan                                                     string
}

// RecordQueued stores the pending state of a job just published to the
// sync-requests topic.
func (s *Store) RecordQueued(ctx context.Context, r Range, jobID string, kind schemas.SyncKind, at time.Time) error {
	return s.insertEvents(ctx, []*schemas.SyncEvent{{JobID: jobID, BrandID: r.BrandID, StartDate: r.StartDate,
		EndDate: r.EndDate, Kind: kind, At: at, Seq: at.UnixNano()}}, func(*schemas.SyncEvent) string { return StatusPending })
}

// jobOrder orders one job's events: by status first (a job only moves
// pending → processing → completed or failed), then by the producer's seq, so
// events that carry the same millisecond still resolve to the right state.
const jobOrder = "tuple(multiIf(status = 'pending', 0, status = 'processing', 1, 2), seq)"

// LatestJob returns the most recently queued job of a brand and range, or
// ErrNotFound when the range has none. When the range's history ends with a
// delete, the ErrNotFound comes with the delete's tombstone (its JobID, status
// StatusDeleted), so that queueing can chain the next job's id to it.
func (s *Store) LatestJob(ctx context.Context, r Range) (SyncJob, error) {
	j, err := s.job(ctx, r, "")
	if err == nil && j.Status == StatusDeleted {
		return SyncJob{Range: r, JobID: j.JobID, Status: StatusDeleted}, ErrNotFound
	}
	return j, err
}

// recordDeleted writes the tombstone of a range's delete.
func (s *Store) recordDeleted(ctx context.Context, r Range, at time.Time) error {
	return s.insertEvents(ctx, []*schemas.SyncEvent{{JobID: fmt.Sprintf("deleted-%d", at.UnixNano()), BrandID: r.BrandID,
		StartDate: r.StartDate, EndDate: r.EndDate, At: at, Seq: at.UnixNano()}}, func(*schemas.SyncEvent) string { return StatusDeleted })
}

// Job returns the state of one job of a range, or ErrNotFound.
func (s *Store) Job(ctx context.Context, r Range, jobID string) (SyncJob, error) {
	return s.job(ctx, r, " AND job_id = ?", jobID)
}

// job reads the newest job of a range matching cond, which binds more.
func (s *Store) job(ctx context.Context, r Range, cond string, more ...any) (SyncJob, error) {
	args, err := rangeArgs(r)
	if err != nil {
		return SyncJob{}, err
	}
	j := SyncJob{Range: r}
	var created, started, updated, completed, synced int64
	err = s.conn.QueryRow(ctx, "SELECT job_id, argMax(kind, "+jobOrder+"), argMax(status, "+jobOrder+"),"+
		" argMax(total_ads, "+jobOrder+"), argMax(published_ads, "+jobOrder+"), argMax(published_insights, "+jobOrder+"),"+
		" argMax(error_code, "+jobOrder+"), argMax(error, "+jobOrder+"),"+
		" argMax(units_total, "+jobOrder+"), argMax(units_done, "+jobOrder+"), argMax(progress_permille, "+jobOrder+"),"+
		" argMax(checkpoint_units, "+jobOrder+"), argMax(checkpoint_ads, "+jobOrder+"),"+
		" argMax(checkpoint_insights, "+jobOrder+"), argMax(checkpoint_days, "+jobOrder+"), argMax(checkpoint_plan, "+jobOrder+"),"+
		" min(at_nanos), minIf(at_nanos, status != 'pending'), max(at_nanos),"+
		" maxIf(at_nanos, status IN ('completed', 'failed')),"+
		// A completion counts once the consumers rebuilt the range for it:
		// COMPLETED says the records are in Kafka, the rebuild that they are
		// all in ClickHouse.
		" (SELECT max(at_nanos) FROM "+s.table("sync_events")+" WHERE "+rangeWhere+" AND status = 'completed'"+
		" AND job_id IN (SELECT job_id FROM "+s.table("creative_aggregations")+" WHERE "+rangeWhere+"))"+
		" FROM "+s.table("sync_events")+" WHERE "+rangeWhere+cond+
		" GROUP BY job_id ORDER BY min(at_nanos) DESC, job_id LIMIT 1", append(append(append(args, args...), args...), more...)...).
		Scan(&j.JobID, &j.Kind, &j.Status, &j.TotalAds, &j.PublishedAds, &j.PublishedInsights, &j.ErrorCode, &j.Error,
			&j.UnitsTotal, &j.UnitsDone, &j.ProgressPermille,
			&j.CheckpointUnits, &j.CheckpointAds, &j.CheckpointInsights, &j.CheckpointDays, &j.CheckpointPlan, &created, &started, &updated, &completed, &synced)
	if err != nil {
		if isNoRows(err) {
			return SyncJob{}, ErrNotFound
		}
		return SyncJob{}, fmt.Errorf("job of %s: %w", r.BrandID, err)
	}
	j.CreatedAt, j.StartedAt, j.UpdatedAt = nanoTime(created), nanoTime(started), nanoTime(updated)
	j.CompletedAt, j.RangeSyncedAt = nanoTime(completed), nanoTime(synced)
	return j, nil
}

// nanoTime turns stored Unix nanoseconds into a time; 0 (no such event) is
// the zero time.
func nanoTime(ns int64) time.Time {
	if ns <= 0 {
		return time.Time{}
	}
	return time.Unix(0, ns).UTC()
}
