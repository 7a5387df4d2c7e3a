package producers

import (
	"context"
	"fmt"
	"time"

	"github.com/adstream/adstream/internal/adfetch"
	"github.com/adstream/adstream/internal/graph"
	"github.com/adstream/adstream/internal/jobs"
	"github.com/adstream/adstream/schemas"
)

// syncDays publishes one daily AdInsight per ad and day of a chunk. An ad
// that the range pass did not see (it gained data since) is looked up.
func (w *worker) syncDays(ctx context.Context, req *schemas.SyncRequest, tok graph.Token, acct string, c jobs.Chunk, meta map[string]adMeta, res *jobResult) error {
	job := adfetch.Job{BrandID: req.BrandID, StartDate: req.StartDate, EndDate: req.EndDate, SyncID: req.JobID}
	pager := w.deps.Graph.DailyInsights(ctx, tok, acct, c.Start, c.End, len(meta))
	for !pager.Done() {
		raw, err := pager.Next(ctx)
		if err != nil {
			return err
		}
		rows, err := graph.Decode[graph.Insight](raw)
		if err != nil {
			return fmt.Errorf("%s days %s..%s page %d: %w", acct, c.Start, c.End, pager.Page(), err)
		}
		if err := w.lookupMissing(ctx, tok, acct, job, rows, meta); err != nil {
			return fmt.Errorf("%s days %s..%s: %w", acct, c.Start, c.End, err)
		}
		fetchedAt := time.Now().UTC()
		for _, in := range rows {
			m := meta[in.AdID]
			w.produce(ctx, w.cfg.Topics.Insights, schemas.AdKey(req.BrandID, in.AdID), adfetch.DayRecord(job, acct, in, m.typ, m.status, fetchedAt))
			res.days++
		}
	}
	return nil
}

// lookupMissing fills meta for the ads of rows it lacks, publishing their Ad records.
func (w *worker) lookupMissing(ctx context.Context, tok graph.Token, acct string, job adfetch.Job, rows []graph.Insight, meta map[string]adMeta) error {
	var missing []graph.Insight
	for _, in := range rows {
		if _, ok := meta[in.AdID]; !ok {
			missing = append(missing, in)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	ads, err := adfetch.Lookup(ctx, w.deps.Graph, tok, missing)
	if err != nil {
		return err
	}
	at := time.Now().UTC()
	for id, ad := range ads {
		rec := adfetch.AdRecord(job, acct, ad, at)
		meta[id] = adMeta{typ: rec.CreativeType, status: rec.AdEffectiveStatus}
		w.produce(ctx, w.cfg.Topics.Ads, schemas.AdKey(job.BrandID, id), rec)
	}
	for _, in := range missing {
		if _, ok := meta[in.AdID]; !ok {
			return fmt.Errorf("ad %s has daily insights but the ids lookup did not return it", in.AdID)
		}
	}
	return nil
}
