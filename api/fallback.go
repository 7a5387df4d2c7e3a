package api

import (
	"cmp"
	"context"
	"fmt"
	"time"

	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/internal/adfetch"
	"github.com/adstream/adstream/internal/graph"
	"github.com/adstream/adstream/internal/tokenbox"
	"github.com/adstream/adstream/schemas"
)

// RecordWriter stores fetched records; clickhouse/store implements it.
type RecordWriter interface {
	InsertAds(ctx context.Context, ads []*schemas.Ad) error
	InsertInsights(ctx context.Context, rows []*schemas.AdInsight) error
}

// Fallback serves the very first read of a range straight from the Graph
// API (the seed's "smart fallback"): it fetches 3 × limit ads, stores them,
// and the read answers through the same store query as every other read, so
// there is one sort and one filter implementation.
type Fallback struct {
	Graph  *graph.Client
	Tokens *tokenbox.Box
	Writer RecordWriter
	// Timeout bounds the whole fetch (default 10 s); past it the request
	// answers from the empty database and the full sync fills it.
	Timeout time.Duration
}

// graphSort maps the list's sort fields onto the insights fields the Graph
// API sorts by. The top want ads of the whole range are among the top want of
// each account, so load asks each account for want. Revenue, ROAS and hook
// rate have no Graph sort (action_values are not sortable) and ad ids no
// documented order: those fallbacks show the ads the Graph API lists first.
var graphSort = map[string]string{
	"spend": "spend", "impressions": "impressions", "clicks": "clicks", "frequency": "frequency",
	"ctr": "ctr", "cpc": "cpc", "cpp": "cpp", "orders": "actions:purchase", "video_views": "actions:video_view",
}

// load stores up to want ads with data in the range from the brand's
// accounts, versioned like any sync (so the full sync later replaces them),
// asking the Graph API for the requested order where its insights edge can
// sort, so that the stored ads are the range's real top ones. It reports
// whether the Graph API had more.
func (f *Fallback) load(ctx context.Context, brand store.Brand, q store.ListQuery, jobID string) (hasMore bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, cmp.Or(f.Timeout, 10*time.Second))
	defer cancel()
	plain, err := f.Tokens.Open(brand.TokenCiphertext)
	if err != nil {
		return false, fmt.Errorf("brand %s token: %w", brand.BrandID, err)
	}
	tok := graph.Token(plain)
	want := min(3*q.Limit, 500)
	job := adfetch.Job{BrandID: brand.BrandID, StartDate: q.StartDate, EndDate: q.EndDate, SyncID: jobID}
	var ads []*schemas.Ad
	var insights []*schemas.AdInsight
	for _, acct := range brand.AdAccountIDs {
		pager := f.Graph.Insights(ctx, tok, acct, q.StartDate, q.EndDate, nil).WithLimit(want)
		if field, ok := graphSort[q.SortBy]; ok {
			order := "_descending"
			if q.Ascending {
				order = "_ascending"
			}
			pager = pager.WithSort(field + order)
		}
		raw, err := pager.Next(ctx)
		if err != nil {
			return hasMore, err
		}
		hasMore = hasMore || !pager.Done()
		rows, err := graph.Decode[graph.Insight](raw)
		if err != nil {
			return hasMore, fmt.Errorf("%s insights: %w", acct, err)
		}
		if len(rows) == 0 {
			continue
		}
		found, err := adfetch.Lookup(ctx, f.Graph, tok, rows)
		if err != nil {
			return hasMore, fmt.Errorf("%s ads: %w", acct, err)
		}
		at := time.Now().UTC()
		for _, in := range rows {
			ad, ok := found[in.AdID]
			if !ok {
				continue
			}
			rec := adfetch.AdRecord(job, acct, ad, at)
			ads = append(ads, rec)
			insights = append(insights, adfetch.InsightRecord(job, acct, in, rec, at))
		}
	}
	if err := f.Writer.InsertAds(ctx, ads); err != nil {
		return hasMore, err
	}
	return hasMore, f.Writer.InsertInsights(ctx, insights)
}
