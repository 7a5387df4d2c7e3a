package jobs

import (
	"context"
	"errors"
	"sync"

	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/schemas"
)

// History looks one job up; clickhouse/store implements it.
type History interface {
	Job(ctx context.Context, r store.Range, jobID string) (store.SyncJob, error)
}

// Dedup lets producers run each queued job once. Callers of Queue.Sync that
// race publish the same job id several times, and no other request ever
// carries that id (NextJobID), so a request whose job already ended is a
// duplicate. A job that did not end (its producer died) runs again, from its
// checkpoint (Plan.Resume). Dedup remembers the jobs this process ended,
// because the store learns of an end only when the consumers have stored its
// event. It is safe for concurrent use.
type Dedup struct {
	History History

	mu    sync.Mutex
	ended map[string]bool
}

// dedupMemory bounds how many ended jobs a Dedup remembers.
const dedupMemory = 4096

// Duplicate reports whether req's job already ended.
func (d *Dedup) Duplicate(ctx context.Context, req *schemas.SyncRequest) (bool, error) {
	d.mu.Lock()
	ended := d.ended[req.JobID]
	d.mu.Unlock()
	if ended {
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
	return Ended(j), nil
}

// Ended notes that this process ran req's job to its end.
func (d *Dedup) Ended(req *schemas.SyncRequest) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.ended == nil || len(d.ended) >= dedupMemory {
		d.ended = map[string]bool{} // forgetting only costs a store lookup
	}
	d.ended[req.JobID] = true
}
