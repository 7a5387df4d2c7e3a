package producers

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/internal/adfetch"
	"github.com/adstream/adstream/internal/graph"
	"github.com/adstream/adstream/internal/jobs"
	"github.com/adstream/adstream/schemas"
)

type worker struct {
	cfg     Config
	deps    Deps
	cl      *kgo.Client
	metrics *metrics

	dedup *jobs.Dedup // nil: every request is new
	clock jobs.Clock  // orders the events this producer publishes

	mu         sync.Mutex
	produceErr error // first encode or delivery failure since the job's attempt began
}

// jobResult counts what a job published against its plan.
type jobResult struct {
	planned       int64 // the ads its accounts hold: the most it can publish
	ads, insights int64
}

// runJob pages every ad account of the brand and publishes one Ad and one
// AdInsight per ad with data in the range, then flushes and reports completion.
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
	w.publishEvent(ctx, req, schemas.SyncStarted, res, jobs.Failure{})
	for _, acct := range brand.AdAccountIDs {
		n, err := w.deps.Graph.CountAds(ctx, tok, acct)
		if err != nil {
			return res, fmt.Errorf("%s plan: %w", acct, err)
		}
		res.planned += n
	}
	w.publishEvent(ctx, req, schemas.SyncProgress, res, jobs.Failure{})
	for _, acct := range brand.AdAccountIDs {
		if err := w.syncAccount(ctx, req, tok, acct, &res); err != nil {
			return res, err
		}
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

// syncAccount publishes one account's ads and insights, a page at a time.
func (w *worker) syncAccount(ctx context.Context, req *schemas.SyncRequest, tok graph.Token, acct string, res *jobResult) error {
	job := adfetch.Job{BrandID: req.BrandID, StartDate: req.StartDate, EndDate: req.EndDate, SyncID: req.JobID}
	pager := w.deps.Graph.Insights(ctx, tok, acct, req.StartDate, req.EndDate, nil)
	for !pager.Done() {
		raw, err := pager.Next(ctx)
		if err != nil {
			return err
		}
		rows, err := graph.Decode[graph.Insight](raw)
		if err != nil {
			return fmt.Errorf("%s insights page %d: %w", acct, pager.Page(), err)
		}
		ads, err := adfetch.Lookup(ctx, w.deps.Graph, tok, rows)
		if err != nil {
			return fmt.Errorf("%s ads of insights page %d: %w", acct, pager.Page(), err)
		}
		fetchedAt := time.Now().UTC()
		for _, in := range rows {
			ad, ok := ads[in.AdID]
			if !ok {
				return fmt.Errorf("%s: ad %s has insights but the ids lookup did not return it", acct, in.AdID)
			}
			adRec := adfetch.AdRecord(job, acct, ad, fetchedAt)
			w.produce(ctx, w.cfg.Topics.Ads, schemas.AdKey(req.BrandID, in.AdID), adRec)
			w.produce(ctx, w.cfg.Topics.Insights, schemas.AdKey(req.BrandID, in.AdID), adfetch.InsightRecord(job, acct, in, adRec, fetchedAt))
			res.ads++
			res.insights++
		}
		w.publishEvent(ctx, req, schemas.SyncProgress, *res, jobs.Failure{})
	}
	return nil
}

// produce publishes asynchronously; an encode or delivery failure is kept
// and fails the job's attempt when it flushes.
func (w *worker) produce(ctx context.Context, topic string, key []byte, v any) {
	val, err := w.deps.Codec.Encode(v)
	if err != nil {
		w.noteProduceErr(fmt.Errorf("encode %s record: %w", topic, err))
		return
	}
	w.cl.Produce(ctx, &kgo.Record{Topic: topic, Key: key, Value: val}, func(r *kgo.Record, err error) {
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
	if typ == schemas.SyncCompleted {
		total = res.ads
	}
	w.produce(ctx, w.cfg.Topics.SyncEvents, []byte(req.JobID), &schemas.SyncEvent{
		JobID: req.JobID, BrandID: req.BrandID, StartDate: req.StartDate, EndDate: req.EndDate,
		Kind: req.Kind, Type: typ, TotalAds: total, PublishedAds: res.ads, PublishedInsights: res.insights,
		Error: f.Message, ErrorCode: f.Code, At: time.Now().UTC(), Seq: w.clock.Next(),
	})
}
