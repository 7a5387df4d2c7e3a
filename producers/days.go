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
// The next page is fetched while one is published (prefetch).
func (r *jobRun) syncDays(ctx context.Context, a *acctRun, c jobs.Chunk, meta *adMetas) error {
	w, req, tok, acct := r.w, r.req, r.tok, a.id
	job := adfetch.Job{BrandID: req.BrandID, StartDate: req.StartDate, EndDate: req.EndDate, SyncID: req.JobID}
	pager := w.deps.Graph.DailyInsights(ctx, tok, acct, c.Start, c.End, meta.len())
	pages := r.prefetch(ctx, a, pager)
	defer pages.stop()
	for page := range pages.pages {
		rows, err := graph.DecodeInsights(page.items)
		if err != nil {
			return fmt.Errorf("%s days %s..%s page %d: %w", acct, c.Start, c.End, page.page, err)
		}
		if err := r.lookupMissing(ctx, a, job, rows, meta); err != nil {
			return fmt.Errorf("%s days %s..%s: %w", acct, c.Start, c.End, err)
		}
		fetchedAt := time.Now().UTC()
		for _, in := range rows {
			m, _ := meta.get(in.AdID)
			w.produceCounted(r.ctx, a.out, w.cfg.Topics.Insights, schemas.AdKey(req.BrandID, in.AdID), adfetch.DayRecord(job, acct, in, m.creativeType(), m.effectiveStatus(), fetchedAt))
		}
		r.published(a, 0, 0, int64(len(rows)), 0)
	}
	return pages.err
}

// lookupMissing fills meta for the ads of rows it lacks, publishing their Ad records.
func (r *jobRun) lookupMissing(ctx context.Context, a *acctRun, job adfetch.Job, rows []graph.Insight, meta *adMetas) error {
	var missing []graph.Insight
	for _, in := range rows {
		if _, ok := meta.get(in.AdID); !ok {
			missing = append(missing, in)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	ads, err := adfetch.LookupGated(ctx, r.w.deps.Graph, r.tok, missing, a.gate)
	if err != nil {
		return err
	}
	at := time.Now().UTC()
	found := make(map[string]adMeta, len(ads))
	for id, ad := range ads {
		rec := adfetch.AdRecord(job, a.id, ad, at)
		found[id] = newAdMeta(rec.CreativeType, rec.AdEffectiveStatus, ad.UpdatedTime)
		r.w.produceCounted(r.ctx, a.out, r.w.cfg.Topics.Ads, schemas.AdKey(job.BrandID, id), rec)
	}
	meta.put(found)
	for _, in := range missing {
		if _, ok := meta.get(in.AdID); !ok {
			return fmt.Errorf("ad %s has daily insights but the ids lookup did not return it", in.AdID)
		}
	}
	return nil
}
