package api

import (
	"cmp"
	"context"
	"fmt"
	"slices"
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
// API (the seed's "smart fallback"): it fetches 3 × limit ads, stores them
// for the next request and lets the caller queue the full sync.
type Fallback struct {
	Graph  *graph.Client
	Tokens *tokenbox.Box
	Writer RecordWriter
	// Timeout bounds the whole fetch (default 10 s); past it the request
	// answers from the empty database and the full sync fills it.
	Timeout time.Duration
}

// fallbackResult is what a live fetch found.
type fallbackResult struct {
	creatives []CreativeJSON // matching the filters, in the requested order
	hasMore   bool           // the Graph API has more rows than were fetched
}

// fetch reads up to want ads with data in the range from the brand's
// accounts, stores them (versioned like any sync, so the full sync later
// replaces them) and returns them filtered and sorted as q asks.
func (f *Fallback) fetch(ctx context.Context, brand store.Brand, q store.ListQuery, jobID string) (fallbackResult, error) {
	ctx, cancel := context.WithTimeout(ctx, cmp.Or(f.Timeout, 10*time.Second))
	defer cancel()
	plain, err := f.Tokens.Open(brand.TokenCiphertext)
	if err != nil {
		return fallbackResult{}, fmt.Errorf("brand %s token: %w", brand.BrandID, err)
	}
	tok := graph.Token(plain)
	want := min(3*q.Limit, 500)
	job := adfetch.Job{BrandID: brand.BrandID, StartDate: q.StartDate, EndDate: q.EndDate, SyncID: jobID}
	var res fallbackResult
	var ads []*schemas.Ad
	var insights []*schemas.AdInsight
	for _, acct := range brand.AdAccountIDs {
		if len(insights) >= want {
			res.hasMore = true
			break
		}
		pager := f.Graph.Insights(ctx, tok, acct, q.StartDate, q.EndDate, nil).WithLimit(want - len(insights))
		raw, err := pager.Next(ctx)
		if err != nil {
			return res, err
		}
		res.hasMore = res.hasMore || !pager.Done()
		rows, err := graph.Decode[graph.Insight](raw)
		if err != nil {
			return res, fmt.Errorf("%s insights: %w", acct, err)
		}
		if len(rows) == 0 {
			continue
		}
		found, err := adfetch.Lookup(ctx, f.Graph, tok, rows)
		if err != nil {
			return res, fmt.Errorf("%s ads: %w", acct, err)
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
		return res, err
	}
	if err := f.Writer.InsertInsights(ctx, insights); err != nil {
		return res, err
	}
	for i, in := range insights {
		if matches(in, q.Filters) {
			res.creatives = append(res.creatives, creativeJSON(q.Range, creativeOf(ads[i], in)))
		}
	}
	sortCreatives(res.creatives, q.SortBy, q.Ascending)
	return res, nil
}

// matches applies the (already validated) filters to a fetched record.
func matches(in *schemas.AdInsight, filters map[string]string) bool {
	for k, v := range filters {
		var got string
		switch k {
		case "creative_type":
			got = string(in.CreativeType)
		case "ad_effective_status", "ad_status":
			got = in.AdEffectiveStatus
		case "ad_account_id":
			got = in.AdAccountID
		}
		if got != v {
			return false
		}
	}
	return true
}

// creativeOf joins the two records the way the store's list query does.
func creativeOf(a *schemas.Ad, in *schemas.AdInsight) store.Creative {
	c := store.Creative{
		AdID: in.AdID, AdAccountID: in.AdAccountID, CreativeID: a.CreativeID, AdName: a.AdName, AdStatus: a.AdStatus,
		AdEffectiveStatus: in.AdEffectiveStatus, CreativeType: string(in.CreativeType), CreativeURL: a.CreativeURL,
		ThumbnailURL: a.ThumbnailURL, VideoID: a.VideoID, VideoSourceURL: a.VideoSourceURL, VideoLengthSeconds: a.VideoLengthSeconds,
		SpendMicros: in.SpendMicros, RevenueMicros: in.RevenueMicros, Orders: in.Orders, Impressions: in.Impressions,
		Clicks: in.Clicks, Reach: in.Reach, Frequency: in.Frequency, VideoViews: in.VideoViews, VideoPlays: in.VideoPlays,
		VideoThruplays: in.VideoThruplays, VideoP25: in.VideoP25, VideoP50: in.VideoP50, VideoP75: in.VideoP75,
		VideoP100: in.VideoP100, PostEngagement: in.PostEngagement, FetchedAt: in.FetchedAt, Version: uint64(in.Version),
	}
	for _, card := range a.CarouselImages {
		c.CarouselURLs = append(c.CarouselURLs, card.URL)
		c.CarouselLinks = append(c.CarouselLinks, card.Link)
		c.CarouselNames = append(c.CarouselNames, card.Name)
		c.CarouselDescriptions = append(c.CarouselDescriptions, card.Description)
	}
	return c
}

// sortCreatives orders fetched creatives as the store would (ties by ad id).
func sortCreatives(cs []CreativeJSON, by string, asc bool) {
	key := func(c CreativeJSON) float64 {
		switch by {
		case "revenue":
			return c.Revenue
		case "orders":
			return float64(c.Orders)
		case "impressions":
			return float64(c.Impressions)
		case "clicks":
			return float64(c.Clicks)
		case "video_views":
			return float64(c.VideoViews)
		case "frequency":
			return c.Frequency
		case "ctr":
			return c.CTR
		case "cpc":
			return c.CPC
		case "cpp":
			return c.CPP
		case "roas":
			return c.ROAS
		case "hook_rate":
			return c.HookRate
		case "ad_id":
			return 0
		default:
			return c.Spend
		}
	}
	slices.SortStableFunc(cs, func(a, b CreativeJSON) int {
		d := cmp.Compare(key(a), key(b))
		if !asc {
			d = -d
		}
		return cmp.Or(d, cmp.Compare(a.AdID, b.AdID))
	})
}
