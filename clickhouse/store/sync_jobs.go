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

// SyncJob is the newest state of one sync job.
type SyncJob struct {
	JobID             string
	Kind              string
	Status            string
	TotalAds          int64
	PublishedAds      int64
	PublishedInsights int64
	Error             string
	StartedAt         time.Time
	UpdatedAt         time.Time
}

// RecordQueued stores the pending state of a job the API just queued.
func (s *Store) RecordQueued(ctx context.Context, r Range, jobID string, kind schemas.SyncKind, at time.Time) error {
	batch, err := s.conn.PrepareBatch(ctx, "INSERT INTO "+s.table("sync_events")+
		" (job_id, brand_id, start_date, end_date, kind, status, at, at_nanos)")
	if err != nil {
		return fmt.Errorf("prepare queued job: %w", err)
	}
	start, err1 := parseDate(r.StartDate)
	end, err2 := parseDate(r.EndDate)
	if err1 != nil || err2 != nil {
		batch.Abort()
		return fmt.Errorf("job %s: bad range %q..%q", jobID, r.StartDate, r.EndDate)
	}
	if err := batch.Append(jobID, r.BrandID, start, end, string(kind), StatusPending, at, at.UnixNano()); err != nil {
		batch.Abort()
		return err
	}
	return batch.Send()
}

// LatestJob returns the most recently active job of a brand and range, or ErrNotFound.
func (s *Store) LatestJob(ctx context.Context, r Range) (SyncJob, error) {
	var j SyncJob
	err := s.conn.QueryRow(ctx, "SELECT job_id, argMax(kind, at_nanos), argMax(status, at_nanos),"+
		" argMax(total_ads, at_nanos), argMax(published_ads, at_nanos), argMax(published_insights, at_nanos),"+
		" argMax(error, at_nanos), min(at), max(at)"+
		" FROM "+s.table("sync_events")+
		" WHERE brand_id = ? AND start_date = toDate(?) AND end_date = toDate(?)"+
		" GROUP BY job_id ORDER BY max(at_nanos) DESC LIMIT 1", r.BrandID, r.StartDate, r.EndDate).
		Scan(&j.JobID, &j.Kind, &j.Status, &j.TotalAds, &j.PublishedAds, &j.PublishedInsights, &j.Error, &j.StartedAt, &j.UpdatedAt)
	if err != nil {
		if isNoRows(err) {
			return SyncJob{}, ErrNotFound
		}
		return SyncJob{}, fmt.Errorf("latest job of %s: %w", r.BrandID, err)
	}
	return j, nil
}
