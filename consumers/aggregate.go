package consumers

// Aggregations are rebuilt when a sync job's records are all stored, which
// the consumer cannot see from any one record: the COMPLETED SyncEvent
// travels on its own topic and partition, ahead of or behind the job's ads
// and insights, which other partitions (possibly other consumer instances)
// insert. So a consumer keeps the newest completed job of each range it saw
// complete as pending and, after each flush (and at least every FlushEvery
// while any is pending), asks ClickHouse whether the job's distinct ads and
// (day, ad) rows reached the counts of its completion; then it rebuilds the
// range's aggregations from the deduplicated state, marks the days the job
// fetched as synced and drops the job. Both are idempotent, so redelivered
// COMPLETED events only cost a rebuild.
//
// A consumer that stops between a completion and its rebuild loses its
// pending set; on start every consumer asks the store for completed jobs of
// the last recoverWindow whose range's newest aggregation was not built for
// them, and takes them back as pending. A newer completion of the same range
// replaces an older pending job (its rows may be merged away by the newer
// job's, so it might never look complete). A job that does not look complete
// within giveUpAfter (records lost, or replaced by a newer job still running)
// is rebuilt anyway, from whatever is stored, with a warning.

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/schemas"
)

// Aggregates records a completed job's days and rebuilds the per-range
// aggregations; clickhouse/store implements it.
type Aggregates interface {
	JobStored(ctx context.Context, j store.CompletedJob) (bool, error)
	RecordDaysSynced(ctx context.Context, brandID string, days []string, jobID string, fetchedAt time.Time) error
	Reconcile(ctx context.Context, brandID string, days []string) (int, error)
	RebuildAggregations(ctx context.Context, r store.Range, jobID string) (uint64, error)
	UnaggregatedJobs(ctx context.Context, since time.Time) ([]store.CompletedJob, error)
}

const (
	recoverWindow = 7 * 24 * time.Hour
	giveUpAfter   = 10 * time.Minute
	// checkSpacing is how many times its own duration a check of the
	// pending jobs waits before the next, flushes or not. A check counts a
	// range's stored rows, and the consumer's loop waits for it: at 1M ads
	// one took 7 s, and checked after every flush, it left the loop storing
	// one 10k-row batch every 13 s once the producer had completed its job
	// (BenchmarkWorld, 2026-12-02). JobStored now tells a job still arriving
	// by a plain count, a twentieth of that, but the distinct counts of a job
	// whose rows reached their number (or a redelivery made them seem to)
	// still take it. Spaced, checks take at most a fifth of the loop's time;
	// a check of milliseconds still follows the flush that stores a job's
	// last records.
	checkSpacing = 4
)

type pendingJob struct {
	store.CompletedJob
	since time.Time // when this consumer started waiting
}

// aggregator holds the completed jobs whose rebuild is owed. It is used only
// from the consumer's loop goroutine.
type aggregator struct {
	agg       Aggregates
	log       *slog.Logger
	every     time.Duration
	pending   map[store.Range]pendingJob
	lastCheck time.Time
	lastTook  time.Duration // what the last check's JobStored calls took
	rebuilds  prometheus.Counter
}

func newAggregator(agg Aggregates, log *slog.Logger, every time.Duration, reg prometheus.Registerer) *aggregator {
	a := &aggregator{agg: agg, log: log, every: every, pending: map[store.Range]pendingJob{},
		rebuilds: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "adstream_consumer_aggregation_rebuilds_total", Help: "Range aggregations rebuilt after a sync job's records were stored.",
		})}
	if reg != nil {
		reg.MustRegister(a.rebuilds)
	}
	return a
}

// recover takes back the rebuilds a stopped consumer still owed. Failing to
// ask is logged, not fatal: it only delays aggregations until the next job.
func (a *aggregator) recover(ctx context.Context) {
	jobs, err := a.agg.UnaggregatedJobs(ctx, time.Now().Add(-recoverWindow))
	if err != nil {
		a.log.Warn("find unaggregated jobs", "err", err)
		return
	}
	for _, j := range jobs {
		a.want(j)
	}
	if len(jobs) > 0 {
		a.log.Info("aggregations owed after restart", "jobs", len(jobs))
	}
}

// note records the completions among events, which are stored.
func (a *aggregator) note(events []*schemas.SyncEvent) {
	for _, e := range events {
		if e.Type == schemas.SyncCompleted {
			a.want(store.CompletedJob{Range: store.Range{BrandID: e.BrandID, StartDate: e.StartDate, EndDate: e.EndDate},
				JobID: e.JobID, PublishedInsights: e.PublishedInsights, PublishedDays: e.PublishedDays, Days: e.Days, CompletedAt: e.At})
		}
	}
}

func (a *aggregator) want(j store.CompletedJob) {
	if old, ok := a.pending[j.Range]; ok && old.CompletedAt.After(j.CompletedAt) {
		return
	}
	a.pending[j.Range] = pendingJob{CompletedJob: j, since: time.Now()}
}

// check rebuilds the ranges whose pending job is stored, when something was
// just flushed or every a.every otherwise, and not sooner than checkSpacing
// times the last check's duration. Errors are logged and the job stays
// pending for the next check.
func (a *aggregator) check(ctx context.Context, flushed bool) {
	since := time.Since(a.lastCheck)
	if len(a.pending) == 0 || since < checkSpacing*a.lastTook || (!flushed && since < a.every) {
		return
	}
	a.lastCheck, a.lastTook = time.Now(), 0
	for r, p := range a.pending {
		if ctx.Err() != nil {
			return
		}
		began := time.Now()
		stored, err := a.agg.JobStored(ctx, p.CompletedJob)
		a.lastTook += time.Since(began)
		if err != nil {
			a.log.Warn("check job stored", "brand", r.BrandID, "job", p.JobID, "err", err)
			continue
		}
		if !stored {
			if time.Since(p.since) < giveUpAfter {
				continue
			}
			a.log.Warn("job records incomplete, aggregating what is stored", "brand", r.BrandID, "job", p.JobID,
				"published", p.PublishedInsights, "published_days", p.PublishedDays, "waited", time.Since(p.since).Round(time.Second))
		}
		// The range first, then its days: a read that finds the days synced
		// then also finds the range rebuilt after them, and serves the job's
		// range rows (exact reach) instead of deriving them from the days.
		if _, err := a.agg.RebuildAggregations(ctx, r, p.JobID); err != nil {
			a.log.Warn("rebuild aggregations", "brand", r.BrandID, "job", p.JobID, "err", err)
			continue
		}
		// The job's days are all stored: the rollup must equal them.
		if off, err := a.agg.Reconcile(ctx, r.BrandID, p.Days); err != nil {
			a.log.Warn("reconcile daily rollup", "brand", r.BrandID, "job", p.JobID, "err", err)
			continue
		} else if off > 0 {
			a.log.Warn("daily rollup drifted; corrected", "brand", r.BrandID, "job", p.JobID, "rows", off)
		}
		if err := a.agg.RecordDaysSynced(ctx, r.BrandID, p.Days, p.JobID, p.CompletedAt); err != nil {
			a.log.Warn("record synced days", "brand", r.BrandID, "job", p.JobID, "err", err)
			continue
		}
		a.rebuilds.Inc()
		a.log.Debug("aggregations rebuilt", "brand", r.BrandID, "job", p.JobID, "start", r.StartDate, "end", r.EndDate)
		delete(a.pending, r)
	}
}
