package graph

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// InsightsQuery is a level=ad insights request of one ad account, as the
// synchronous edge (Insights) and report runs (StartReportRun) both take it.
type InsightsQuery struct {
	AccountID    string   // "123" or "act_123"
	Since, Until string   // inclusive range, YYYY-MM-DD
	Fields       []string // nil asks for InsightFields
	Daily        bool     // one row per ad and day (time_increment=1) instead of one per ad
	Filtering    []Filter // optional, e.g. ad.effective_status IN [...]
}

// account is the query's account id without "act_".
func (q InsightsQuery) account() string { return strings.TrimPrefix(q.AccountID, "act_") }

// dateLayout is how the Graph API writes days.
const dateLayout = "2006-01-02"

// params are the query's request parameters; an unreadable range or
// filtering is an error naming it, so that no call is spent on it.
func (q InsightsQuery) params() (url.Values, error) {
	s, errS := time.Parse(dateLayout, q.Since)
	u, errU := time.Parse(dateLayout, q.Until)
	switch {
	case q.account() == "":
		return nil, fmt.Errorf("insights query: no ad account")
	case errS != nil || errU != nil:
		return nil, fmt.Errorf("insights query act_%s: range %q..%q: want YYYY-MM-DD days", q.account(), q.Since, q.Until)
	case u.Before(s):
		return nil, fmt.Errorf("insights query act_%s: range %s..%s ends before it starts", q.account(), q.Since, q.Until)
	}
	fields := q.Fields
	if fields == nil {
		fields = InsightFields
	}
	tr, _ := json.Marshal(map[string]string{"since": q.Since, "until": q.Until})
	params := url.Values{
		"level":      {"ad"},
		"time_range": {string(tr)},
		"fields":     {strings.Join(fields, ",")},
	}
	if q.Daily {
		params.Set("time_increment", "1")
	}
	if len(q.Filtering) > 0 {
		f, err := json.Marshal(q.Filtering)
		if err != nil {
			return nil, fmt.Errorf("insights query act_%s filtering: %w", q.account(), err)
		}
		params.Set("filtering", string(f))
	}
	return params, nil
}

// days is how many days the query's range spans; 0 when it is unreadable.
func (q InsightsQuery) days() int {
	s, errS := time.Parse(dateLayout, q.Since)
	u, errU := time.Parse(dateLayout, q.Until)
	if errS != nil || errU != nil || u.Before(s) {
		return 0
	}
	return int(u.Sub(s).Hours()/24) + 1
}

// halves splits the query's range into two, the first the longer by a day
// when the count is odd; ok is false for a single day.
func (q InsightsQuery) halves() (a, b InsightsQuery, ok bool) {
	n := q.days()
	if n < 2 {
		return q, q, false
	}
	s, _ := time.Parse(dateLayout, q.Since)
	mid := s.AddDate(0, 0, (n+1)/2)
	a, b = q, q
	a.Until = mid.AddDate(0, 0, -1).Format(dateLayout)
	b.Since = mid.Format(dateLayout)
	return a, b, true
}
