package api

import (
	"encoding/json"
	"regexp"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/adstream/adstream/clickhouse/store"
)

var brandIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$`)

// graphMonths is how far back the Graph API reports insights: it refuses a
// time range that starts more than 37 months before today.
const graphMonths = 37

// brandRange validates :brandId and a startDate/endDate pair (inclusive,
// YYYY-MM-DD) taken from the query string or the JSON body. Both days must be
// ones the Graph API reports (graphWindow) and the store holds, so a sync
// can fetch them and no stored Date wraps into another range.
func (s *server) brandRange(c *fiber.Ctx, start, end string) (store.Range, error) {
	brand := c.Params("brandId")
	if !brandIDPattern.MatchString(brand) {
		return store.Range{}, badRequest("brandId", "%q must be 1-128 letters, digits, '_', '.' or '-'", brand)
	}
	w := graphWindow(s.deps.Now())
	first, err := w.day("startDate", start)
	if err != nil {
		return store.Range{}, err
	}
	last, err := w.day("endDate", end)
	if err != nil {
		return store.Range{}, err
	}
	if last.Before(first) {
		return store.Range{}, badRequest("endDate", "%s is before startDate %s", end, start)
	}
	return store.Range{BrandID: brand, StartDate: start, EndDate: end}, nil
}

// dateWindow is the inclusive span of days a request may name.
type dateWindow struct{ first, last time.Time }

// graphWindow returns the days the Graph API reports as of now: from 37
// months before today to today + 1 day. Brands carry no time zone yet, so
// "today" cannot be the ad account's own. The last day is UTC's today + 1,
// the latest "today" of any time zone (UTC+14), so an account east of UTC
// can ask for its today; for such an account the Graph API may refuse the
// first day, which fails the sync with its message and stores nothing. The
// window also keeps a range within the Graph API's longest, 37 months.
func graphWindow(now time.Time) dateWindow {
	y, m, d := now.UTC().Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return dateWindow{first: today.AddDate(0, -graphMonths, 0), last: today.AddDate(0, 0, 1)}
}

// day reads one day of a range: YYYY-MM-DD, inside the window, and one the
// store holds. The store's rule (store.ParseDay) is checked too, so that a
// clock beyond the store's years still lets no unstorable day through.
func (w dateWindow) day(field, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, badRequest(field, "is required (YYYY-MM-DD)")
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return time.Time{}, badRequest(field, "%q is not a date in the form YYYY-MM-DD", v)
	}
	switch {
	case t.Before(w.first):
		return time.Time{}, badRequest(field, "%s is before %s, the earliest day the Graph API reports (%d months back)",
			v, w.first.Format(time.DateOnly), graphMonths)
	case t.After(w.last):
		return time.Time{}, badRequest(field, "%s is after %s, the latest day the Graph API reports", v, w.last.Format(time.DateOnly))
	}
	if _, err := store.ParseDay(v); err != nil {
		return time.Time{}, badRequest(field, "%v", err)
	}
	return t, nil
}

// intParam reads an optional integer query parameter within [min, max].
func intParam(c *fiber.Ctx, name string, def, min, max int) (int, error) {
	raw := c.Query(name)
	if raw == "" {
		return def, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < min || n > max {
		return 0, badRequest(name, "%q must be a whole number from %d to %d", raw, min, max)
	}
	return n, nil
}

// listQuery validates the paging, sorting and filter parameters of a list.
func listQuery(c *fiber.Ctx, r store.Range) (store.ListQuery, int, error) {
	q := store.ListQuery{Range: r}
	page, err := intParam(c, "page", 1, 1, 1_000_000)
	if err != nil {
		return q, 0, err
	}
	if q.Limit, err = intParam(c, "limit", 10, 1, 500); err != nil {
		return q, 0, err
	}
	q.Offset = (page - 1) * q.Limit
	q.SortBy = c.Query("sortBy", "spend")
	if _, ok := store.SortColumns[q.SortBy]; !ok {
		return q, 0, badRequest("sortBy", "%q is not sortable; use one of %s", q.SortBy, keys(store.SortColumns))
	}
	switch order := c.Query("sortOrder", "desc"); order {
	case "asc":
		q.Ascending = true
	case "desc":
	default:
		return q, 0, badRequest("sortOrder", "%q must be asc or desc", order)
	}
	if raw := c.Query("filters"); raw != "" {
		if err := json.Unmarshal([]byte(raw), &q.Filters); err != nil {
			return q, 0, badRequest("filters", "must be a JSON object of string values, e.g. {\"creative_type\":\"image\"}")
		}
		for k, v := range q.Filters {
			if _, ok := store.FilterColumns[k]; !ok {
				return q, 0, badRequest("filters", "%q is not filterable; use one of %s", k, keys(store.FilterColumns))
			}
			if k == "creative_type" && !validCreativeType(v) {
				return q, 0, badRequest("filters", "creative_type %q must be video, image, carousel or unknown", v)
			}
		}
		if q.Filters["creative_type"] == "all" {
			delete(q.Filters, "creative_type")
		}
	}
	return q, page, nil
}

func validCreativeType(v string) bool {
	switch v {
	case "video", "image", "carousel", "unknown", "all":
		return true
	}
	return false
}
