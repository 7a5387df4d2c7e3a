package graphsim

import (
	"strings"
	"time"
)

// insightFields is what level=ad insights can return.
var insightFields = map[string]bool{
	"account_id": true, "account_name": true, "account_currency": true, "ad_id": true, "ad_name": true,
	"adset_id": true, "adset_name": true, "campaign_id": true, "campaign_name": true, "objective": true,
	"date_start": true, "date_stop": true, "spend": true, "impressions": true, "clicks": true,
	"inline_link_clicks": true, "reach": true, "frequency": true, "cpc": true, "ctr": true, "cpp": true,
	"cpm": true, "actions": true, "action_values": true, "purchase_roas": true,
	"video_play_actions": true, "video_thruplay_watched_actions": true, "video_p25_watched_actions": true,
	"video_p50_watched_actions": true, "video_p75_watched_actions": true, "video_p100_watched_actions": true,
}

var defaultInsightFields = []field{{name: "impressions"}, {name: "spend"}}

// insightsQuery is a parsed insights request, kept by async report runs.
type insightsQuery struct {
	level   string
	fields  []field
	rng     dateRange
	incr    int64 // days per row; 0 = the whole range
	filter  adFilter
	metric  []filter // filters on row values (impressions, spend, ...)
	onlyAd  *int     // set for /{ad_id}/insights
	account int
	sort    *sortSpec // nil: rows in ad order
	// filtering is the raw filtering parameter, part of a sorted order's
	// cache key.
	filtering string
}

func (s *Server) parseInsights(r *request, acct int, onlyAd *int) (*insightsQuery, *graphError) {
	q := &insightsQuery{level: r.q.Get("level"), account: acct, onlyAd: onlyAd}
	if q.level == "" {
		q.level = "account"
		if onlyAd != nil {
			q.level = "ad"
		}
	}
	switch q.level {
	case "ad", "adset", "campaign", "account":
	default:
		return nil, errParam("param level must be one of {ad, adset, campaign, account}")
	}
	// Breakdowns would split rows; refusing them beats silently answering
	// something a client would misread as broken-down data.
	if r.q.Get("breakdowns") != "" || r.q.Get("time_ranges") != "" {
		return nil, errParam("graphsim does not simulate breakdowns or time_ranges")
	}
	fs, err := requestFields(r, defaultInsightFields)
	if err != nil {
		return nil, err
	}
	for _, f := range fs {
		if !insightFields[f.name] {
			return nil, errParam("%s is not valid for fields param. please check https://developers.facebook.com/docs/marketing-api/reference/ads-insights/ for all valid values", f.name)
		}
	}
	q.fields = fs
	if q.rng, err = parseTimeRange(r); err != nil {
		return nil, err
	}
	if q.incr, err = parseIncrement(r.q.Get("time_increment")); err != nil {
		return nil, err
	}
	q.filtering = r.q.Get("filtering")
	fl, err := parseFiltering(q.filtering)
	if err != nil {
		return nil, err
	}
	for _, x := range fl {
		name := strings.TrimPrefix(x.Field, "ad.")
		switch name {
		case "impressions", "spend", "clicks", "reach":
			x.Field = name
			q.metric = append(q.metric, x)
		case "effective_status", "id", "name", "adset.id", "campaign.id", "configured_status", "updated_time", "created_time":
			x.Field = name
			q.filter.filters = append(q.filter.filters, x)
		default:
			return nil, errParam("Filtering field %s is invalid", x.Field)
		}
	}
	if q.sort, err = parseSort(r.q.Get("sort")); err != nil {
		return nil, err
	}
	if q.sort != nil && q.level != "ad" {
		return nil, errParam("graphsim sorts insights only at level=ad, not level=%s", q.level)
	}
	return q, nil
}

// buckets is how many rows one ad can produce.
func (q *insightsQuery) buckets() int64 {
	if q.incr == 0 {
		return 1
	}
	return (q.rng.until-q.rng.since)/q.incr + 1
}

func (q *insightsQuery) bucket(b int64) dateRange {
	if q.incr == 0 {
		return q.rng
	}
	s := q.rng.since + b*q.incr
	return dateRange{s, min(s+q.incr-1, q.rng.until)}
}

func (q *insightsQuery) keep(m *metrics) bool {
	if m.Impressions == 0 {
		return false
	}
	for _, f := range q.metric {
		var v float64
		switch f.Field {
		case "impressions":
			v = float64(m.Impressions)
		case "spend":
			v = float64(m.SpendCents) / 100
		case "clicks":
			v = float64(m.Clicks)
		case "reach":
			v = float64(m.Reach)
		}
		if !f.matchNumber(v) {
			return false
		}
	}
	return true
}

const bucketBits = 20

// insightKey packs an ad index and a time bucket into a row's cursor key.
func insightKey(index int, b int64) int64 { return int64(index)<<bucketBits | b }

// splitInsightKey reverses insightKey.
func splitInsightKey(k int64) (index int64, b int64) { return k >> bucketBits, k & (1<<bucketBits - 1) }

// period is the stretch of time the query covers, clipped to now.
func (q *insightsQuery) period(now time.Time) (start, end time.Time) {
	start, end = dayStart(q.rng.since), dayStart(q.rng.until+1)
	if now.Before(end) {
		end = now
	}
	return start, end
}

// listed reports whether ad a can have rows: it delivered during the period
// and passes the query's ad filter.
func (s *Server) listed(q *insightsQuery, a *ad, tl []span, start, end time.Time) bool {
	return activeSeconds(tl, start, end) > 0 && s.w.matchAd(&q.filter, a, tl, false)
}

// adIndexes is the range of ad indexes the query reads.
func (q *insightsQuery) adIndexes(n int) (lo, hi int) {
	if q.onlyAd != nil {
		return *q.onlyAd, *q.onlyAd
	}
	return 0, n - 1
}

// scanInsights walks rows ordered by ad index, then date; a row's key packs
// both so a cursor survives the clock moving between pages. Sorted queries
// go through sortedScan instead.
func (s *Server) scanInsights(r *request, q *insightsQuery) scanFunc {
	w := s.w
	nb := q.buckets()
	lo, hi := q.adIndexes(w.adCount(r.now))
	switch q.level {
	case "account":
		return s.scanAccountInsights(r, q)
	case "adset", "campaign":
		return s.scanGroupInsights(r, q)
	}
	periodStart, periodEnd := q.period(r.now)
	return func(from int64, hasFrom, forward bool, yield func(int64, func(*jw)) bool) {
		var buf [8]span
		step, i, first := int64(1), int64(lo), int64(0)
		if !forward {
			step, i, first = -1, int64(hi), nb-1
		}
		resume, hasResume := int64(0), hasFrom
		if hasFrom {
			i, resume = splitInsightKey(from)
			resume += step
		}
		for ; i >= int64(lo) && i <= int64(hi); i += step {
			b := first
			if hasResume {
				b, hasResume = resume, false
			}
			a := w.adAt(q.account, int(i))
			tl := w.timeline(&a, r.now, buf[:0])
			if !s.listed(q, &a, tl, periodStart, periodEnd) {
				continue
			}
			for ; b >= 0 && b < nb; b += step {
				br := q.bucket(b)
				m := adRange(&a, tl, br.since, br.until, r.now)
				if !q.keep(&m) {
					continue
				}
				if !yield(insightKey(int(i), b), func(j *jw) { s.renderInsight(j, r, q, &a, br, &m) }) {
					return
				}
			}
		}
	}
}

// scanAccountInsights yields one row per time bucket summing every ad.
func (s *Server) scanAccountInsights(r *request, q *insightsQuery) scanFunc {
	w := s.w
	n := w.adCount(r.now)
	return func(from int64, hasFrom, forward bool, yield func(int64, func(*jw)) bool) {
		var buf [8]span
		nb := q.buckets()
		b, step := int64(0), int64(1)
		if !forward {
			b, step = nb-1, -1
		}
		if hasFrom {
			b = from + step
		}
		for ; b >= 0 && b < nb; b += step {
			br := q.bucket(b)
			var sum metrics
			for i := 0; i < n; i++ {
				a := w.adAt(q.account, i)
				tl := w.timeline(&a, r.now, buf[:0])
				if !w.matchAd(&q.filter, &a, tl, false) {
					continue
				}
				sum.add(adRange(&a, tl, br.since, br.until, r.now))
			}
			if !q.keep(&sum) {
				continue
			}
			if !yield(b, func(j *jw) { s.renderInsight(j, r, q, nil, br, &sum) }) {
				return
			}
		}
	}
}

// serveInsights answers act_{id}/insights and /{ad_id}/insights.
func (s *Server) serveInsights(r *request, acct int, onlyAd *int) ([]byte, int, *graphError) {
	q, err := s.parseInsights(r, acct, onlyAd)
	if err != nil {
		return nil, 0, err
	}
	limit, err := pageLimit(r, s.maxPage())
	if err != nil {
		return nil, 0, err
	}
	scan, err := s.insightsScan(r, q)
	if err != nil {
		return nil, 0, err
	}
	return page(r, "insights", limit, scan, nil)
}

// insightsScan is the scan answering q: in ad order, or in the order its
// sort asks for, which may fail when the result is too big to sort.
func (s *Server) insightsScan(r *request, q *insightsQuery) (scanFunc, *graphError) {
	if q.sort == nil {
		return s.scanInsights(r, q), nil
	}
	return s.sortedScan(r, q)
}
