package producers

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/adstream/adstream/internal/adfetch"
	"github.com/adstream/adstream/internal/graph"
	"github.com/adstream/adstream/schemas"
)

// pagesAhead is how many range pages an account looks up and publishes while
// its pager fetches the next: enough to keep the gate's calls busy, few
// enough that the pages held in memory stay bounded.
const pagesAhead = 4

// syncAccount is an account's range pass: it publishes its ads and range
// insights, a page at a time, and returns what the daily pass needs of each
// ad. A page's ads are looked up while the next page is fetched, except
// those known (nil: none) and not changed since: their creative type and
// status are known, and their Ad records are stored already.
func (r *jobRun) syncAccount(ctx context.Context, a *acctRun, known *accountAds, ch changes) (*adMetas, error) {
	meta := newAdMetas()
	pages, pctx := errgroup.WithContext(ctx)
	pages.SetLimit(pagesAhead)
	pager := r.w.deps.Graph.Insights(ctx, r.tok, a.id, r.req.StartDate, r.req.EndDate, nil)
	for !pager.Done() {
		var raw []json.RawMessage
		err := a.gate.call(pctx, func(ctx context.Context) (err error) {
			raw, err = pager.Next(ctx)
			return err
		})
		if err != nil {
			if perr := pages.Wait(); perr != nil {
				return nil, perr // the page that failed first, not the cancellation it caused
			}
			return nil, err
		}
		rows, err := graph.DecodeInsights(raw)
		if err != nil {
			_ = pages.Wait()
			return nil, fmt.Errorf("%s insights page %d: %w", a.id, pager.Page(), err)
		}
		page := pager.Page()
		pages.Go(func() error { return r.rangePage(pctx, a, page, rows, meta, known, ch) })
	}
	if err := pages.Wait(); err != nil {
		return nil, err
	}
	return meta, nil
}

// rangePage looks up the ads of one page of range insights and publishes an
// Ad (for the ads looked up) and an AdInsight for each row.
func (r *jobRun) rangePage(ctx context.Context, a *acctRun, page int, rows []graph.Insight, meta *adMetas, known *accountAds, ch changes) error {
	req := r.req
	job := adfetch.Job{BrandID: req.BrandID, StartDate: req.StartDate, EndDate: req.EndDate, SyncID: req.JobID}
	seen := make(map[string]adMeta, len(rows))
	var lookup []graph.Insight
	for _, in := range rows {
		if m, ok := known.get(in.AdID); ok && !ch.changed(in) {
			seen[in.AdID] = m
			continue
		}
		lookup = append(lookup, in)
	}
	var ads map[string]adfetch.Ad
	if len(lookup) > 0 {
		var err error
		if ads, err = adfetch.LookupGated(ctx, r.w.deps.Graph, r.tok, lookup, a.gate); err != nil {
			return fmt.Errorf("%s ads of insights page %d: %w", a.id, page, err)
		}
	}
	fetchedAt := time.Now().UTC()
	for _, in := range rows {
		adRec := &schemas.Ad{}
		if m, ok := seen[in.AdID]; ok {
			adRec.CreativeType, adRec.AdEffectiveStatus = m.creativeType(), m.effectiveStatus()
		} else {
			ad, ok := ads[in.AdID]
			if !ok {
				return fmt.Errorf("%s: ad %s has insights but the ids lookup did not return it", a.id, in.AdID)
			}
			adRec = adfetch.AdRecord(job, a.id, ad, fetchedAt)
			seen[in.AdID] = newAdMeta(adRec.CreativeType, adRec.AdEffectiveStatus, ad.UpdatedTime)
			r.w.produceCounted(r.ctx, a.out, r.w.cfg.Topics.Ads, schemas.AdKey(req.BrandID, in.AdID), adRec)
		}
		r.w.produceCounted(r.ctx, a.out, r.w.cfg.Topics.Insights, schemas.AdKey(req.BrandID, in.AdID), adfetch.InsightRecord(job, a.id, in, adRec, fetchedAt))
	}
	// Every ad of the range counts, its Ad record re-published or known.
	n := int64(len(rows))
	r.published(a, n, n, 0, meta.put(seen))
	return nil
}
