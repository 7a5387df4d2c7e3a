package producers

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
	"unique"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/internal/graph"
	"github.com/adstream/adstream/internal/jobs"
	"github.com/adstream/adstream/schemas"
)

type worker struct {
	cfg     Config
	deps    Deps
	cl      *kgo.Client
	metrics *metrics

	dedup   *jobs.Dedup // nil: every request is new
	catalog adCatalog   // the ads refreshes need not re-read
	clock   jobs.Clock  // orders the events this producer publishes

	mu         sync.Mutex
	produceErr error // first encode or delivery failure since the job's attempt began
}

// jobResult counts what a job published against its plan.
type jobResult struct {
	planned       int64 // the ads its accounts hold: the most it can publish
	plannedBy     map[string]int64
	ads, insights int64
	days          int64 // daily rows published
	fetchedDays   []string

	unitsTotal, unitsDone int64
	permille              int64

	// checkpoint is where the job is done for good: the accounts whose
	// records are all in Kafka. prev is the job's stored state when this
	// run began, which its events never report less than.
	checkpoint jobs.Checkpoint
	prev       store.SyncJob
}

// adMeta is what a daily row needs of its ad, and when the ad last changed.
// A job holds one for every ad with data in its range and the catalog one for
// every ad of an account, so it is three words: the type and status interned
// (a handful of values shared by every ad), the time in Unix seconds. With
// strings and a time.Time it was seven, and 13 MB of catalog at 100k ads.
type adMeta struct {
	typ     unique.Handle[schemas.CreativeType]
	status  unique.Handle[string]
	updated int64 // the API's updated_time in Unix seconds; 0 when unknown
}

func newAdMeta(typ schemas.CreativeType, status string, updated time.Time) adMeta {
	m := adMeta{typ: unique.Make(typ), status: unique.Make(status)}
	if !updated.IsZero() {
		m.updated = updated.Unix()
	}
	return m
}

// creativeType and effectiveStatus are empty for the zero adMeta.
func (m adMeta) creativeType() schemas.CreativeType {
	if m.typ == (unique.Handle[schemas.CreativeType]{}) {
		return ""
	}
	return m.typ.Value()
}

func (m adMeta) effectiveStatus() string {
	if m.status == (unique.Handle[string]{}) {
		return ""
	}
	return m.status.Value()
}

// runJob plans the job, then for every ad account of the brand at once pages
// the range's insights (one Ad and one range AdInsight per ad with data in
// the range, with exact reach) and the days to fetch (one daily AdInsight per
// ad and day), with a bounded number of Graph calls in flight (jobRun), then
// flushes and reports completion with the days it fetched. A job an earlier
// run left unfinished (its producer died, or an attempt failed) resumes after
// the accounts that run finished (jobs.Plan.Resume).
func (w *worker) runJob(ctx context.Context, req *schemas.SyncRequest, log *slog.Logger) (jobResult, error) {
	var res jobResult
	// A day the store cannot hold would be wrapped into another range or
	// refused by every consumer: fail before spending Graph API quota on it.
	if _, _, err := store.ParseRange(req.StartDate, req.EndDate); err != nil {
		return res, fmt.Errorf("range of brand %s: %w", req.BrandID, err)
	}
	brand, err := w.deps.Brands.GetBrand(ctx, req.BrandID)
	if err != nil {
		return res, fmt.Errorf("brand %s: %w", req.BrandID, err)
	}
	plain, err := w.deps.Tokens.Open(brand.TokenCiphertext)
	if err != nil {
		return res, fmt.Errorf("brand %s token: %w", req.BrandID, err)
	}
	tok := graph.Token(plain)
	w.takeProduceErr() // a new attempt starts clean
	res.prev = w.lastState(ctx, req, log)
	w.publishEvent(ctx, req, schemas.SyncStarted, res, jobs.Failure{})
	plan, err := w.plan(ctx, req, tok, brand.AdAccountIDs, &res)
	if err != nil {
		return res, err
	}
	skip, from := plan.Resume(res.prev)
	from.Plan = plan.Fingerprint()
	res.checkpoint, res.unitsDone, res.ads, res.insights, res.days = from, from.Units, from.Ads, from.Insights, from.Days
	res.permille = jobs.Permille(res.unitsDone, res.unitsTotal, 0)
	log.Info("sync job planned", "accounts", len(brand.AdAccountIDs), "days", len(res.fetchedDays), "units", res.unitsTotal,
		"accounts_done_before", skip)
	w.publishEvent(ctx, req, schemas.SyncProgress, res, jobs.Failure{})
	if err := newJobRun(ctx, w, req, tok, plan, skip, from, &res).run(ctx); err != nil {
		return res, err
	}
	if err := w.cl.Flush(ctx); err != nil {
		return res, fmt.Errorf("flush: %w", err)
	}
	// COMPLETED promises every record is in Kafka: a lost one fails the attempt.
	if err := w.takeProduceErr(); err != nil {
		return res, fmt.Errorf("publish records: %w", err)
	}
	w.publishEvent(ctx, req, schemas.SyncCompleted, res, jobs.Failure{})
	w.flush(ctx, log)
	return res, nil
}

// plan counts the accounts' ads (the most the range pass can publish) and
// chooses the days to fetch: those not stored yet and those fetched before
// their restatement window closed. Its units are, per account, the range pass
// and one per chunk of days.
func (w *worker) plan(ctx context.Context, req *schemas.SyncRequest, tok graph.Token, accounts []string, res *jobResult) (jobs.Plan, error) {
	res.plannedBy = make(map[string]int64, len(accounts))
	for _, acct := range accounts {
		n, err := w.deps.Graph.CountAds(ctx, tok, acct)
		if err != nil {
			return jobs.Plan{}, fmt.Errorf("%s plan: %w", acct, err)
		}
		res.planned += n
		res.plannedBy[acct] = n
	}
	r := store.Range{BrandID: req.BrandID, StartDate: req.StartDate, EndDate: req.EndDate}
	var synced map[string]time.Time
	if w.deps.Jobs != nil {
		var err error
		if synced, err = w.deps.Jobs.SyncedDays(ctx, r); err != nil {
			return jobs.Plan{}, fmt.Errorf("stored days of %s: %w", req.BrandID, err)
		}
	}
	res.fetchedDays = jobs.DaysToFetch(r, synced, cmp.Or(w.cfg.Lookback, jobs.Lookback))
	plan := jobs.Plan{Accounts: accounts, Chunks: jobs.Chunks(res.fetchedDays, jobs.ChunkDays)}
	res.unitsTotal = plan.Units()
	return plan, nil
}

// lastState is the job's stored state as this run begins: the zero SyncJob
// for a job never seen, or when the store does not answer (the run then
// starts over, which costs Graph calls but loses nothing).
func (w *worker) lastState(ctx context.Context, req *schemas.SyncRequest, log *slog.Logger) store.SyncJob {
	if w.deps.Jobs == nil {
		return store.SyncJob{}
	}
	j, err := w.deps.Jobs.Job(ctx, store.Range{BrandID: req.BrandID, StartDate: req.StartDate, EndDate: req.EndDate}, req.JobID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return store.SyncJob{}
	case err != nil:
		log.Warn("job state unavailable; the job starts over", "err", err)
		return store.SyncJob{}
	}
	return j
}

// produce publishes asynchronously; an encode or delivery failure is kept
// and fails the job's attempt when it flushes.
func (w *worker) produce(ctx context.Context, topic string, key []byte, v any) {
	w.produceCounted(ctx, nil, topic, key, v)
}

// produceCounted is produce that counts the record in out (when not nil)
// until its delivery callback ran.
func (w *worker) produceCounted(ctx context.Context, out *deliveries, topic string, key []byte, v any) {
	val, err := w.deps.Codec.Encode(v)
	if err != nil {
		w.noteProduceErr(fmt.Errorf("encode %s record: %w", topic, err))
		return
	}
	if out != nil {
		out.add()
	}
	w.cl.Produce(ctx, &kgo.Record{Topic: topic, Key: key, Value: val}, func(r *kgo.Record, err error) {
		if out != nil {
			defer out.delivered()
		}
		if err != nil {
			w.noteProduceErr(fmt.Errorf("deliver to %s: %w", r.Topic, err))
			return
		}
		w.metrics.published.WithLabelValues(r.Topic).Inc()
	})
}

func (w *worker) noteProduceErr(err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.produceErr == nil {
		w.produceErr = err
	}
}

// takeProduceErr returns the first failure since the last call and clears it.
func (w *worker) takeProduceErr() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	err := w.produceErr
	w.produceErr = nil
	return err
}

// publishEvent reports the job's state; TotalAds is its plan while it runs
// and what it published once it completed.
func (w *worker) publishEvent(ctx context.Context, req *schemas.SyncRequest, typ schemas.SyncEventType, res jobResult, f jobs.Failure) {
	total := max(res.planned, res.ads)
	ev := &schemas.SyncEvent{
		JobID: req.JobID, BrandID: req.BrandID, StartDate: req.StartDate, EndDate: req.EndDate,
		Kind: req.Kind, Type: typ, TotalAds: total, PublishedAds: res.ads, PublishedInsights: res.insights,
		PublishedDays: res.days, UnitsTotal: res.unitsTotal, UnitsDone: res.unitsDone, ProgressPermille: res.permille,
		Error: f.Message, ErrorCode: f.Code, At: time.Now().UTC(), Seq: w.clock.Next(),
		CheckpointUnits: res.checkpoint.Units, CheckpointAds: res.checkpoint.Ads,
		CheckpointInsights: res.checkpoint.Insights, CheckpointDays: res.checkpoint.Days, CheckpointPlan: res.checkpoint.Plan,
	}
	if typ == schemas.SyncCompleted {
		ev.TotalAds, ev.ProgressPermille, ev.Days = res.ads, 1000, res.fetchedDays
	}
	jobs.KeepProgress(ev, res.prev)
	w.produce(ctx, w.cfg.Topics.SyncEvents, []byte(req.JobID), ev)
}
