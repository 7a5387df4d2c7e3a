package api

import (
	"context"
	"errors"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/internal/jobs"
)

// rangeState is what a read knows of its range's data and sync.
type rangeState struct {
	job     store.SyncJob // the range's latest job; zero when it has none
	queued  jobs.Queued   // what this read queued
	covered bool          // every day of the range is stored: it is served from them
	// daysAt is when the newest of the range's days was fetched.
	daysAt time.Time
}

// readRange prepares a read of r. A range whose every day is stored is
// served from ClickHouse alone, derived from its days when its rows are older
// than them, and queues nothing; any other range goes through jobs.ForRead,
// which queues its first sync (and the sync fetches only the missing days).
func (s *server) readRange(ctx context.Context, r store.Range) (rangeState, error) {
	covered, at, err := s.deps.Store.EnsureRange(ctx, r)
	if err != nil {
		return rangeState{}, err
	}
	if covered {
		job, err := s.deps.Store.LatestJob(ctx, r)
		switch {
		case errors.Is(err, store.ErrNotFound):
			job = store.SyncJob{} // no job of its own: a range inside synced ones
		case err != nil:
			return rangeState{}, err
		}
		return rangeState{job: job, covered: true, daysAt: at}, nil
	}
	job, queued, err := s.jobs.ForRead(ctx, r, "api")
	return rangeState{job: job, queued: queued}, err
}

// complete reports whether the stored figures cover every ad of the range:
// its days are all stored, or a sync of the range itself completed.
func (st rangeState) complete() bool { return st.covered || jobs.Complete(st.job) }

// syncedAt is as of when the figures are complete.
func (st rangeState) syncedAt() time.Time {
	if st.daysAt.After(st.job.RangeSyncedAt) {
		return st.daysAt
	}
	return st.job.RangeSyncedAt
}

// describe adds what reads say about a range's sync: "complete" (the figures
// cover every ad of the range as of "syncedAt"), the range's latest job as
// "sync", and a message when the figures are partial or the last sync failed.
func (st rangeState) describe(resp fiber.Map, now time.Time) {
	complete := st.complete()
	resp["complete"] = complete
	if complete {
		resp["syncedAt"] = st.syncedAt()
	}
	if st.job.JobID == "" {
		return
	}
	resp["jobId"] = st.job.JobID
	resp["sync"] = jobJSON(st.job, now)
	switch {
	case st.job.Status == store.StatusFailed:
		resp["message"] = "The last sync of this range failed: " + st.job.Error
	case !complete:
		resp["message"] = "The figures are partial: the first sync of this range is in progress."
	}
}

// versionedStore is a Store that stamps a range's writes and resolves its
// read version in one round trip each and reads a count and a page from one
// whole snapshot; the real store is one. Reads through any other Store take
// the general path.
type versionedStore interface {
	ReadStamp(ctx context.Context, r store.Range) (store.ReadStamp, error)
	ReadVersion(ctx context.Context, r store.Range) (store.ReadVersion, error)
	ReadSnapshotPage(ctx context.Context, q store.ListQuery, minSnapshot uint64) (store.SnapshotPage, error)
}

// readRangeAt is readRange for a range whose version v is resolved: v says
// whether its every day is stored, and a range whose every day is stored and
// derived as of v needs only its latest job.
func (s *server) readRangeAt(ctx context.Context, r store.Range, v store.ReadVersion) (rangeState, error) {
	if !v.Covered(r) {
		job, queued, err := s.jobs.ForRead(ctx, r, "api")
		return rangeState{job: job, queued: queued}, err
	}
	if !v.Derived() {
		return s.readRange(ctx, r)
	}
	job, err := s.deps.Store.LatestJob(ctx, r)
	switch {
	case errors.Is(err, store.ErrNotFound):
		job = store.SyncJob{}
	case err != nil:
		return rangeState{}, err
	}
	return rangeState{job: job, covered: true, daysAt: time.Unix(0, int64(v.DaysFetched)).UTC()}, nil
}

// atVersion says whether st's read is answered by v's rebuild alone: its
// figures are complete, it queued nothing, and v's rebuild is the range's
// newest (no derivation from days is owed).
func (st rangeState) atVersion(r store.Range, v store.ReadVersion) bool {
	return st.complete() && !st.queued.Queued && v.Rebuild != 0 && (!v.Covered(r) || v.Derived())
}
