package graphsim

import (
	"strings"
	"time"
)

var defaultInsightFields = []field{{name: "impressions"}, {name: "spend"}}

// insightsQuery is a parsed insights request, kept by async report runs.
type insightsQuery struct {
	level   string
	fields  []field
	rng     dateRange   // the whole period
	ranges  []dateRange // the row periods: time_increment buckets or time_ranges
	filter  adFilter
	metric  []filter // filters on row values (impressions, spend, ...)
	onlyAd  *int     // set for /{ad_id}/insights
	account int
	sort    *sortSpec // nil: rows in ad order

	dims       []*dim          // breakdowns, in the order asked
	cells      [][]int         // the breakdown value combinations a row can have
	actionDims []*actionDim    // action breakdowns beside action_type
	windows    []string        // action_attribution_windows
	summary    []field         // the fields of the summary row; nil for none
	ext        bool            // rows need the extended counts (metrics_ext.go)
	writers    []insightWriter // one per field, resolved once
	depth      int             // 0 account, 1 campaign, 2 adset, 3 ad

	// filtering is the raw filtering parameter, part of a sorted order's
	// cache key, as is the rest of the request that shapes rows.
	filtering string
	shape     string
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
	fs, err := requestFields(r, defaultInsightFields)
	if err != nil {
		return nil, err
	}
	var bad []string
	for _, f := range fs {
		if insightWriters[f.name] == nil {
			bad = append(bad, f.name)
		}
	}
	if len(bad) > 0 {
		verb := "is"
		if len(bad) > 1 {
			verb = "are"
		}
		return nil, errParam("%s %s not valid for fields param. please check https://developers.facebook.com/docs/marketing-api/reference/ads-insights/ for all valid values", strings.Join(bad, ", "), verb)
	}
	q.fields, q.writers = fs, writersFor(fs)
	q.depth = levelDepth(q.level)
	if err := q.parsePeriods(r); err != nil {
		return nil, err
	}
	if err := q.parseShape(r); err != nil {
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

// writersFor resolves the writers of checked fields.
func writersFor(fs []field) []insightWriter {
	out := make([]insightWriter, len(fs))
	for i, f := range fs {
		out[i] = insightWriters[f.name]
	}
	return out
}

func levelDepth(level string) int {
	switch level {
	case "campaign":
		return 1
	case "adset":
		return 2
	case "ad":
		return 3
	}
	return 0
}

// parsePeriods reads time_range or date_preset, and time_ranges or
// time_increment, into the row periods.
func (q *insightsQuery) parsePeriods(r *request) *graphError {
	var err *graphError
	if q.rng, err = parseTimeRange(r); err != nil {
		return err
	}
	if tr := r.q.Get("time_ranges"); tr != "" && tr != "[]" {
		if q.ranges, err = parseTimeRanges(tr); err != nil {
			return err
		}
		q.rng = dateRange{q.ranges[0].since, q.ranges[0].until}
		for _, x := range q.ranges {
			q.rng.since, q.rng.until = min(q.rng.since, x.since), max(q.rng.until, x.until)
		}
		return nil
	}
	q.ranges, err = incrementRanges(r.q.Get("time_increment"), q.rng)
	return err
}

// parseShape reads what splits a row or its lists: breakdowns, action
// breakdowns, attribution windows, and the summary row.
func (q *insightsQuery) parseShape(r *request) *graphError {
	var names []string
	var err *graphError
	if q.actionDims, names, err = parseActionDims(r.q.Get("action_breakdowns")); err != nil {
		return err
	}
	_, explicit := r.q["action_breakdowns"]
	if q.dims, err = parseBreakdowns(r.q.Get("breakdowns"), names, !explicit && q.hasLists()); err != nil {
		return err
	}
	q.cells = breakdownCells(q.dims)
	if q.windows, err = parseWindows(r.q.Get("action_attribution_windows")); err != nil {
		return err
	}
	if q.summary, err = parseSummary(r, q.fields); err != nil {
		return err
	}
	q.ext = len(q.dims) > 0 || len(q.windows) > 0 || len(q.actionDims) > 0 || !baseOnly(q.fields) || !baseOnly(q.summary)
	q.shape = r.q.Get("breakdowns") + "/" + r.q.Get("action_breakdowns") + "/" + r.q.Get("action_attribution_windows") + "/" + r.q.Get("time_ranges")
	return nil
}

// hasLists reports whether q asks for an actions-style list, which the API
// breaks down by action_type unless told otherwise.
func (q *insightsQuery) hasLists() bool {
	for _, f := range q.fields {
		if t, ok := sdkClasses["AdsInsights"].field(f.name); ok && t.kind == tList {
			return true
		}
	}
	return false
}

// parseSummary reads default_summary=true and summary: the summary row
// carries the fields summary lists, or with default_summary the requested
// ones less those naming objects. summary=true, which the SDK's cursors add
// to every request, asks for nothing on insights.
func parseSummary(r *request, fields []field) ([]field, *graphError) {
	list, err := parseList(r.q.Get("summary"))
	if err != nil {
		return nil, errParam("param summary must be a list of fields")
	}
	var named []field
	for _, name := range list {
		if insightWriters[name] == nil {
			named = nil
			break
		}
		named = append(named, field{name: name})
	}
	switch {
	case named != nil:
		return named, nil
	case isTrue(r.q.Get("default_summary")):
		out := []field{}
		for _, f := range fields {
			if !isIDField(f.name) && f.name != "date_start" && f.name != "date_stop" {
				out = append(out, f)
			}
		}
		return out, nil
	}
	return nil, nil
}

// slots is how many rows one ad (or group) can produce: a row per period
// per breakdown cell.
func (q *insightsQuery) slots() int64 { return int64(len(q.ranges) * len(q.cells)) }

// slot splits a slot into its period and cell.
func (q *insightsQuery) slot(s int64) (period, cell int) {
	return int(s) / len(q.cells), int(s) % len(q.cells)
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

// insightKey packs an ad index and a slot into a row's cursor key.
func insightKey(index int, slot int64) int64 { return int64(index)<<bucketBits | slot }

// splitInsightKey reverses insightKey.
func splitInsightKey(k int64) (index int64, slot int64) {
	return k >> bucketBits, k & (1<<bucketBits - 1)
}

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

// serveInsights answers act_{id}/insights and /{ad_id}/insights.
func (s *Server) serveInsights(r *request, acct int, onlyAd *int) ([]byte, int, *graphError) {
	q, err := s.parseInsights(r, acct, onlyAd)
	if err != nil {
		return nil, 0, err
	}
	return s.insightsPage(r, q)
}

// insightsPage pages q's rows, with the summary row when asked for.
func (s *Server) insightsPage(r *request, q *insightsQuery) ([]byte, int, *graphError) {
	if q.slots() >= 1<<bucketBits {
		return nil, 0, errReduceData()
	}
	limit, err := pageLimit(r, s.maxPage())
	if err != nil {
		return nil, 0, err
	}
	scan, err := s.insightsScan(r, q)
	if err != nil {
		return nil, 0, err
	}
	var summary func(*jw)
	if q.summary != nil {
		summary = func(j *jw) { s.renderSummary(j, r, q) }
	}
	return page(r, "insights", limit, scan, summary)
}

// insightsScan is the scan answering q: in ad order, or in the order its
// sort asks for, which may fail when the result is too big to sort.
func (s *Server) insightsScan(r *request, q *insightsQuery) (scanFunc, *graphError) {
	if q.sort == nil {
		return s.rendered(r, q, s.rowScan(r, q)), nil
	}
	return s.sortedScan(r, q)
}
