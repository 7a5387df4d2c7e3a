package jobs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"time"

	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/schemas"
)

// Queue queues sync jobs. It is safe for concurrent use, and so are any
// number of Queues over one store and topic (API replicas, schedulers).
type Queue struct {
	Store     Store
	Publisher Publisher
	// Now is the clock (default time.Now).
	Now func() time.Time
	// OnQueued, when set, is called once for every job this Queue queued.
	OnQueued func(kind schemas.SyncKind)
}

// Queued is the answer to a queueing request: the job that now serves the
// range, and whether this call queued it (false: one was already running).
type Queued struct {
	JobID  string
	Queued bool
}

// Sync queues a sync of r unless a job of the range is running, in which
// case it returns that job. The decision holds under any concurrency: the id
// of the next job of a range is derived from the range and its latest job, so
// callers that race all publish the same id, the pending records they write
// are one job's, and producers run a job id once (see Dedup). The request is
// published before the pending state is recorded: a record of a request that
// never reached Kafka would block the range until it went stale.
func (q *Queue) Sync(ctx context.Context, r store.Range, kind schemas.SyncKind, by string) (Queued, error) {
	latest, err := q.Store.LatestJob(ctx, r)
	switch {
	case err == nil && Running(latest, q.now()):
		return Queued{JobID: latest.JobID}, nil
	case err != nil && !errors.Is(err, store.ErrNotFound):
		return Queued{}, err
	}
	return q.queue(ctx, r, kind, by, latest.JobID)
}

// ForRead is what a read of r does about syncing: it queues a FULL sync when
// the range never had a job, or when its latest job failed more than
// StaleAfter ago (a failure is retried by reads at most once per window;
// POST /sync retries at once). It returns the range's latest job after that,
// or ErrNotFound when there is none.
func (q *Queue) ForRead(ctx context.Context, r store.Range, by string) (store.SyncJob, Queued, error) {
	latest, err := q.Store.LatestJob(ctx, r)
	switch {
	case errors.Is(err, store.ErrNotFound): // latest may be a delete's tombstone
	case err != nil:
		return store.SyncJob{}, Queued{}, err
	case latest.Status == store.StatusFailed && q.now().Sub(latest.CompletedAt) >= StaleAfter:
	default:
		return latest, Queued{JobID: latest.JobID}, nil
	}
	qd, err := q.queue(ctx, r, schemas.SyncKindFull, by, latest.JobID)
	if err != nil {
		return store.SyncJob{}, Queued{}, err
	}
	latest, err = q.Store.LatestJob(ctx, r)
	return latest, qd, err
}

func (q *Queue) queue(ctx context.Context, r store.Range, kind schemas.SyncKind, by, previous string) (Queued, error) {
	now := q.now().UTC()
	req := &schemas.SyncRequest{JobID: NextJobID(r, previous), BrandID: r.BrandID, StartDate: r.StartDate,
		EndDate: r.EndDate, Kind: kind, RequestedAt: now, RequestedBy: by}
	if err := q.Publisher.Enqueue(ctx, req); err != nil {
		return Queued{}, err
	}
	if err := q.Store.RecordQueued(ctx, r, req.JobID, kind, now); err != nil {
		return Queued{}, err
	}
	if q.OnQueued != nil {
		q.OnQueued(kind)
	}
	return Queued{JobID: req.JobID, Queued: true}, nil
}

// NextJobID is the id of the job that follows previous (the range's latest
// job or delete tombstone, "" for none) in the range r: the same for every
// caller that saw the same latest job, and, since each id follows a
// different one, never the id of an earlier job of the range.
func NextJobID(r store.Range, previous string) string {
	h := sha256.Sum256([]byte(r.BrandID + "\x00" + r.StartDate + "\x00" + r.EndDate + "\x00" + previous))
	return "sync-" + hex.EncodeToString(h[:10])
}

func (q *Queue) now() time.Time {
	if q.Now != nil {
		return q.Now()
	}
	return time.Now()
}
