// Package producers runs sync jobs: it pages the Graph API for a brand and date
// range and publishes the ads, insights and progress events to Kafka.
package producers

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/internal/bus"
	"github.com/adstream/adstream/internal/config"
	"github.com/adstream/adstream/internal/graph"
	"github.com/adstream/adstream/internal/jobs"
	"github.com/adstream/adstream/internal/tokenbox"
	"github.com/adstream/adstream/schemas"
)

// Config is what a producer needs besides its dependencies.
type Config struct {
	Brokers []string
	Topics  config.Topics
	Group   string // consumer group on the sync-requests topic
	// InstanceID and SessionTimeout make the producer a static member of
	// Group: restarted under the same id it takes its jobs back at once
	// (bus.Member).
	InstanceID     string
	SessionTimeout time.Duration
	// MaxAttempts is how often a job runs before it is reported FAILED
	// (default 3); errors no retry can fix (unknown brand, a day the store
	// cannot hold, expired token, missing permission) fail at once.
	MaxAttempts int
	// RetryBackoff is the wait before the second attempt, doubled for each
	// further one (default 5s).
	RetryBackoff time.Duration
	// Lookback is the restatement window (default jobs.Lookback, 28 days):
	// a day fetched less than this after it ended is fetched again.
	Lookback time.Duration
	// GraphConcurrency is how many Graph calls a job has in flight at most
	// (default DefaultGraphConcurrency); fewer while the API reports high
	// usage (callGate).
	GraphConcurrency int
	// Refresh schedules periodic REFRESH jobs when its Interval is set and
	// Deps.Jobs is given.
	Refresh SchedulerConfig
}

// Brands looks up the registry entry of a brand.
type Brands interface {
	GetBrand(ctx context.Context, brandID string) (store.Brand, error)
}

// Deps are the producer's collaborators, built by cmd/adstream.
type Deps struct {
	Brands  Brands
	Graph   *graph.Client
	Tokens  *tokenbox.Box
	Codec   schemas.Codec
	Log     *slog.Logger
	Metrics prometheus.Registerer
	// Jobs is the sync history: the refresh scheduler reads and queues
	// through it, and duplicate requests of a job are recognised by it. nil
	// runs no scheduler and takes every request as new.
	Jobs JobStore
}

// JobStore is the sync history as the producer uses it.
type JobStore interface {
	History
	jobs.Store
	jobs.History
	// SyncedDays says which days of a range are stored, and when each was
	// fetched: the plan fetches the others.
	SyncedDays(ctx context.Context, r store.Range) (map[string]time.Time, error)
}

// Run consumes sync requests as a member of cfg.Group until ctx ends. Each
// job runs to completion and is published and flushed before its request's
// offset is committed, so a killed producer's job is redone by another member
// (at-least-once; storage is idempotent). On shutdown it stops taking jobs,
// cancels the running one, flushes what was produced and leaves the group.
func Run(ctx context.Context, cfg Config, deps Deps) error {
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 3
	}
	if cfg.RetryBackoff <= 0 {
		cfg.RetryBackoff = 5 * time.Second
	}
	member := bus.Member{Group: cfg.Group, InstanceID: cfg.InstanceID, SessionTimeout: cfg.SessionTimeout}
	cl, err := bus.NewClient(cfg.Brokers, deps.Log, append(member.Opts(),
		bus.Metrics(deps.Metrics, "producer"),
		kgo.ConsumeTopics(cfg.Topics.SyncRequests),
		kgo.DisableAutoCommit(),
		kgo.BlockRebalanceOnPoll(),
		kgo.FetchMaxWait(500*time.Millisecond),
	)...)
	if err != nil {
		return err
	}
	// Last: leave, so that another member takes the requests now, and close.
	defer member.LeaveAndClose(cl, deps.Log)
	if err := bus.EnsureTopics(ctx, cl, cfg.Topics.All()...); err != nil {
		return err
	}
	w := &worker{cfg: cfg, deps: deps, cl: cl, metrics: newMetrics(deps.Metrics, []string{cfg.Topics.Ads, cfg.Topics.Insights, cfg.Topics.SyncEvents})}
	if deps.Jobs != nil {
		w.dedup = &jobs.Dedup{History: deps.Jobs}
	}
	if cfg.Refresh.Interval > 0 && deps.Jobs != nil {
		queue := &jobs.Queue{Store: deps.Jobs, Publisher: bus.NewSyncQueue(cl, cfg.Topics.SyncRequests, deps.Codec)}
		sched := &Scheduler{Config: cfg.Refresh, History: deps.Jobs, Jobs: queue, Log: deps.Log}
		schedCtx, stopSched := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { defer close(done); _ = sched.Run(schedCtx) }()
		// Stop the scheduler before the client it publishes through closes.
		defer func() { stopSched(); <-done }()
	}
	deps.Log.Info("producer started", "group", cfg.Group, "topic", cfg.Topics.SyncRequests)
	for {
		fetches := cl.PollRecords(ctx, 1)
		if ctx.Err() != nil {
			deps.Log.Info("producer stopping")
			return nil
		}
		if err := member.Fenced(fetches); err != nil {
			return err
		}
		if err := fetches.Err0(); err != nil && !errors.Is(err, context.Canceled) {
			deps.Log.Warn("poll sync requests", "err", err)
		}
		fetches.EachRecord(func(r *kgo.Record) { w.handle(ctx, r) })
		if ctx.Err() == nil {
			if err := cl.CommitUncommittedOffsets(ctx); err != nil {
				deps.Log.Warn("commit sync requests", "err", err)
			}
		}
		cl.AllowRebalance()
	}
}

// handle decodes a request and runs its job; a request that cannot be
// decoded is logged and skipped, since no retry can make it valid.
func (w *worker) handle(ctx context.Context, r *kgo.Record) {
	var req schemas.SyncRequest
	// A schema registry that does not answer is waited for: skipping would
	// lose a good request. Only a request no retry can decode is skipped.
	for backoff := 200 * time.Millisecond; ; backoff = min(2*backoff, 10*time.Second) {
		err := w.deps.Codec.DecodeInto(r.Value, &req)
		if err == nil {
			break
		}
		if !schemas.IsTransient(err) {
			w.deps.Log.Error("undecodable sync request skipped", "topic", r.Topic, "partition", r.Partition, "offset", r.Offset, "err", err)
			return
		}
		w.deps.Log.Warn("schema registry unavailable; holding the sync request", "offset", r.Offset, "backoff", backoff, "err", err)
		select {
		case <-ctx.Done():
			return // uncommitted: the request is handled again after the restart
		case <-time.After(backoff):
		}
	}
	log := w.deps.Log.With("job", req.JobID, "brand", req.BrandID, "range", req.StartDate+".."+req.EndDate, "kind", req.Kind)
	if w.dedup != nil {
		dup, err := w.dedup.Duplicate(ctx, &req)
		if err != nil {
			log.Warn("duplicate check failed; running the job", "err", err)
		}
		if dup {
			log.Info("duplicate sync request skipped: its job already ran")
			w.metrics.jobs.WithLabelValues(jobDuplicate).Inc()
			return
		}
	}
	log.Info("sync job started")
	res, err := w.runAttempts(ctx, &req, log)
	if ctx.Err() != nil {
		return // stopping: the request stays uncommitted and the job runs again elsewhere
	}
	if w.dedup != nil {
		w.dedup.Ended(&req)
	}
	if err != nil {
		w.metrics.jobs.WithLabelValues(jobFailed).Inc()
		f := jobs.Classify(err)
		log.Error("sync job failed", "err", err, "code", f.Code, "ads", res.ads, "insights", res.insights)
		w.publishEvent(ctx, &req, schemas.SyncFailed, res, f)
		w.flush(ctx, log)
		return
	}
	w.metrics.jobs.WithLabelValues(jobCompleted).Inc()
	log.Info("sync job completed", "ads", res.ads, "insights", res.insights)
}

// runAttempts runs a job up to MaxAttempts times with exponential backoff,
// like the seed's queue (3 attempts from 5 s). Each attempt resumes from the
// job's checkpoint as the store has it by then (an earlier one when the
// consumers lag); the records it publishes again are absorbed by the
// versioned tables.
func (w *worker) runAttempts(ctx context.Context, req *schemas.SyncRequest, log *slog.Logger) (jobResult, error) {
	backoff := w.cfg.RetryBackoff
	for attempt := 1; ; attempt++ {
		res, err := w.runJob(ctx, req, log)
		if err == nil || attempt >= w.cfg.MaxAttempts || permanent(err) || ctx.Err() != nil {
			return res, err
		}
		log.Warn("sync job attempt failed, retrying", "attempt", attempt, "backoff", backoff, "err", err)
		select {
		case <-ctx.Done():
			return res, err
		case <-time.After(backoff):
		}
		backoff *= 2
	}
}

// permanent says whether no retry of the job can succeed.
func permanent(err error) bool {
	return errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrBadDate) || errors.Is(err, tokenbox.ErrCannotOpen) ||
		errors.Is(err, graph.ErrAuthExpired) || errors.Is(err, graph.ErrPermission)
}

func (w *worker) concurrency() int { return cmp.Or(w.cfg.GraphConcurrency, DefaultGraphConcurrency) }

func (w *worker) flush(ctx context.Context, log *slog.Logger) {
	if err := w.cl.Flush(ctx); err != nil {
		log.Warn("flush", "err", fmt.Errorf("flush: %w", err))
	}
}
