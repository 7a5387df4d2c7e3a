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

// MaxRangeDays bounds a date range: the Graph API serves at most 37 months.
const MaxRangeDays = 37 * 31

// brandRange validates :brandId and a startDate/endDate pair (inclusive,
// YYYY-MM-DD) taken from the query string or the JSON body.
func brandRange(c *fiber.Ctx, start, end string) (store.Range, error) {
	brand := c.Params("brandId")
	if !brandIDPattern.MatchString(brand) {
		return store.Range{}, badRequest("brandId", "%q must be 1-128 letters, digits, '_', '.' or '-'", brand)
	}
	s, err := parseDate("startDate", start)
	if err != nil {
		return store.Range{}, err
	}
	e, err := parseDate("endDate", end)
	if err != nil {
		return store.Range{}, err
	}
	if e.Before(s) {
		return store.Range{}, badRequest("endDate", "%s is before startDate %s", end, start)
	}
	if e.Sub(s) > MaxRangeDays*24*time.Hour {
		return store.Range{}, badRequest("endDate", "range is longer than %d days", MaxRangeDays)
	}
	return store.Range{BrandID: brand, StartDate: start, EndDate: end}, nil
}

func parseDate(field, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, badRequest(field, "is required (YYYY-MM-DD)")
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return time.Time{}, badRequest(field, "%q is not a date in the form YYYY-MM-DD", v)
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
