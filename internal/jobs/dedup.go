package jobs

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/schemas"
)

// History looks one job up; clickhouse/store implements it.
type History interface {
	Job(ctx context.Context, r store.Range, jobID string) (store.SyncJob, error)
}

// Dedup lets producers run each queued job once. Racing callers of
// Queue.Sync publish the same job id several times; every copy was requested
// before the first copy's run started, so a request is a duplicate when its
// job ended after a run that started after the request was made. A job that
// did not end (its producer died) runs again; a job id that comes back after
// its range was deleted (and with it the history) is requested after the old
// run and runs again. Dedup remembers the runs this process ended, because the
// store learns of an end only when the consumers have stored its event. It is
// safe for concurrent use.
type Dedup struct {
	History History

	mu    sync.Mutex
	ended map[string]time.Time // job id → when the run that ended started
}

// dedupMemory bounds how many ended jobs a Dedup remembers.
const dedupMemory = 4096

// Duplicate reports whether req's job already ran to its end after req was made.
func (d *Dedup) Duplicate(ctx context.Context, req *schemas.SyncRequest) (bool, error) {
	d.mu.Lock()
	started, ok := d.ended[req.JobID]
	d.mu.Unlock()
	if ok && started.After(req.RequestedAt) {
		return true, nil
	}
	r := store.Range{BrandID: req.BrandID, StartDate: req.StartDate, EndDate: req.EndDate}
	j, err := d.History.Job(ctx, r, req.JobID)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return Ended(j) && j.StartedAt.After(req.RequestedAt), nil
}

// Ended notes that this process ran req's job, started at startedAt, to its end.
func (d *Dedup) Ended(req *schemas.SyncRequest, startedAt time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.ended == nil || len(d.ended) >= dedupMemory {
		d.ended = map[string]time.Time{} // forgetting only costs a store lookup
	}
	d.ended[req.JobID] = startedAt
}
