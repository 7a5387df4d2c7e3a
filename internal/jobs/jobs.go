// Package jobs owns the sync-job lifecycle: queueing with duplicate
// prevention, the one staleness rule, the status and progress a job reports,
// and the codes of its failures. The API, the refresh scheduler, `adstream
// dev` and the producers all go through it; clickhouse/store keeps the SQL.
package jobs

import (
	"context"
	"time"

	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/schemas"
)

// StaleAfter is how long a pending or processing job may go without an
// event before it is presumed lost: until then it blocks a new job of its
// range; past it a new one may be queued.
const StaleAfter = 30 * time.Minute

// Store is the sync history; clickhouse/store implements it.
type Store interface {
	LatestJob(ctx context.Context, r store.Range) (store.SyncJob, error)
	RecordQueued(ctx context.Context, r store.Range, jobID string, kind schemas.SyncKind, at time.Time) error
}

// Publisher publishes sync requests to the producers; internal/bus implements it.
type Publisher interface {
	Enqueue(ctx context.Context, req *schemas.SyncRequest) error
}

// Running reports whether j is pending or processing and not stale at now.
func Running(j store.SyncJob, now time.Time) bool {
	return (j.Status == store.StatusPending || j.Status == store.StatusProcessing) && now.Sub(j.UpdatedAt) < StaleAfter
}

// Ended reports whether j completed or failed.
func Ended(j store.SyncJob) bool {
	return j.Status == store.StatusCompleted || j.Status == store.StatusFailed
}

// Due reports whether a range whose latest job is j should be refreshed at
// now: no job of it is running and the latest one ended (or went stale) at
// least interval ago.
func Due(j store.SyncJob, now time.Time, interval time.Duration) bool {
	return !Running(j, now) && now.Sub(j.UpdatedAt) >= interval
}
