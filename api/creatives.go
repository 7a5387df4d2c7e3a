package api

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/adstream/adstream/clickhouse/store"
)

// listCreatives serves GET /api/creatives/:brandId: one page of the stored
// creatives of a range, saying whether they are complete and how the range's
// sync is going. The first read of a range queues its full sync and, where a
// Graph API is configured, first stores a live fetch of 3 × limit ads, so the
// page comes from the store either way.
func (s *server) listCreatives(c *fiber.Ctx) error {
	began := time.Now()
	r, err := s.brandRange(c, c.Query("startDate"), c.Query("endDate"))
	if err != nil {
		return err
	}
	q, page, err := listQuery(c, r)
	if err != nil {
		return err
	}
	videoOpts, err := parseListVideoOptions(c, &q)
	if err != nil {
		return err
	}
	if raw := c.Query("cursor"); raw != "" {
		if q.After, err = decodeCursor(raw, q); err != nil {
			return err
		}
		q.Offset = 0
	}
	if vs, ok := s.deps.Store.(versionedStore); ok && !videoOpts.analyses && videoOpts.analysisType == "" {
		return s.listVersioned(c, vs, q, page, began)
	}
	brand, err := s.deps.Store.GetBrand(c.Context(), r.BrandID)
	if err != nil {
		return err
	}
	st, err := s.readRange(c.Context(), r)
	if err != nil {
		return err
	}
	return s.listStored(c, brand, st, q, page, videoOpts, began)
}

// listStored serves a list read from whatever the store holds of the range
// now: its newest snapshot, or its deduplicated insights while it has none,
// after a live fallback fetch when this read queued the range's first sync.
func (s *server) listStored(c *fiber.Ctx, brand store.Brand, st rangeState, q store.ListQuery, page int,
	videoOpts listVideoOptions, began time.Time) error {
	r := q.Range
	source := "database"
	if st.queued.Queued && s.deps.Fallback != nil {
		if n, err := s.deps.Store.CountCreatives(c.Context(), r, nil); err != nil {
			return err
		} else if n == 0 {
			if ok := s.fallback(c, brand, q, st.job.JobID); ok {
				source = "api_fallback"
			}
		}
	}
	total, err := s.deps.Store.CountCreatives(c.Context(), r, q.Filters)
	if err != nil {
		return err
	}
	rows, hasMore, err := listPage(q, total, func(q store.ListQuery) ([]store.Creative, error) {
		return s.deps.Store.ListCreatives(c.Context(), q)
	})
	if err != nil {
		return err
	}
	out := make([]CreativeJSON, len(rows))
	for i, row := range rows {
		out[i] = creativeJSON(r, row)
	}
	if err := s.decorateCreatives(c, brand, videoOpts, out); err != nil {
		return err
	}
	resp := listAnswer(q, page, total, rows, hasMore, out)
	resp["dataSource"] = source
	resp["backgroundSyncTriggered"] = st.queued.Queued
	st.describe(resp, time.Now())
	if source == "api_fallback" {
		resp["hasMore"] = true // the fallback holds a part of the range; the sync brings the rest
		resp["message"] = "Initial data loaded. Full sync in progress..."
	}
	resp["fetchTime"] = time.Since(began).Milliseconds()
	return c.JSON(resp)
}

// listAnswer is a list answer's page fields; creatives are its rows as JSON.
func listAnswer(q store.ListQuery, page int, total int64, rows []store.Creative, hasMore bool, creatives any) fiber.Map {
	resp := fiber.Map{
		"success":                 true,
		"brandId":                 q.BrandID,
		"startDate":               q.StartDate,
		"endDate":                 q.EndDate,
		"total_creatives":         total,
		"page":                    page,
		"limit":                   q.Limit,
		"total_pages":             pages(total, q.Limit),
		"hasMore":                 hasMore,
		"nextCursor":              nil,
		"creatives":               creatives,
		"dataSource":              "database",
		"backgroundSyncTriggered": false,
	}
	if hasMore && len(rows) > 0 {
		resp["nextCursor"] = encodeCursor(q, rows[len(rows)-1])
	}
	return resp
}

// listPage reads q's rows through list and whether more follow: by the
// total for a page number, by one row beyond the page for a cursor (its
// offset is unknown).
func listPage(q store.ListQuery, total int64, list func(store.ListQuery) ([]store.Creative, error)) ([]store.Creative, bool, error) {
	if q.After == nil {
		rows, err := list(q)
		return rows, int64(q.Offset+q.Limit) < total, err
	}
	q.Limit++
	rows, err := list(q)
	if len(rows) < q.Limit {
		return rows, false, err
	}
	return rows[:q.Limit-1], true, err
}

// fallback stores a live fetch for the first read of a range. A failed fetch
// (Graph API down or throttling) is logged, not returned: the answer is then
// the empty database, and the sync fills it.
func (s *server) fallback(c *fiber.Ctx, brand store.Brand, q store.ListQuery, jobID string) bool {
	if _, err := s.deps.Fallback.load(c.Context(), brand, q, "fallback-"+jobID); err != nil {
		s.deps.Log.Warn("live fallback fetch failed; answering from the database", "brand", q.BrandID, "err", err)
		return false
	}
	return true
}

func pages(total int64, limit int) int64 { return (total + int64(limit) - 1) / int64(limit) }
