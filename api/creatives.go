package api

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/schemas"
)

// listCreatives serves GET /api/creatives/:brandId: one page of the stored
// creatives of a range. When nothing of the range is stored yet it queues a
// full sync and, where a Graph API is configured, answers from a live fetch
// of 3 × limit ads that it also stores for the next request.
func (s *server) listCreatives(c *fiber.Ctx) error {
	began := time.Now()
	r, err := brandRange(c, c.Query("startDate"), c.Query("endDate"))
	if err != nil {
		return err
	}
	q, page, err := listQuery(c, r)
	if err != nil {
		return err
	}
	brand, err := s.deps.Store.GetBrand(c.Context(), r.BrandID)
	if err != nil {
		return err
	}
	total, err := s.deps.Store.CountCreatives(c.Context(), r, q.Filters)
	if err != nil {
		return err
	}
	resp := fiber.Map{
		"success":                 true,
		"brandId":                 r.BrandID,
		"startDate":               r.StartDate,
		"endDate":                 r.EndDate,
		"total_creatives":         total,
		"page":                    page,
		"limit":                   q.Limit,
		"total_pages":             pages(total, q.Limit),
		"hasMore":                 int64(q.Offset+q.Limit) < total,
		"creatives":               []CreativeJSON{},
		"dataSource":              "database",
		"backgroundSyncTriggered": false,
	}
	switch {
	case total > 0:
		rows, err := s.deps.Store.ListCreatives(c.Context(), q)
		if err != nil {
			return err
		}
		out := make([]CreativeJSON, len(rows))
		for i, row := range rows {
			out[i] = creativeJSON(r, row)
		}
		resp["creatives"] = out
	case len(q.Filters) == 0:
		if err := s.firstRead(c, brand, q, resp); err != nil {
			return err
		}
	}
	resp["fetchTime"] = time.Since(began).Milliseconds()
	return c.JSON(resp)
}

// firstRead handles a range with nothing stored: it queues the full sync and
// fills resp from a live fetch when one is configured and succeeds. A failed
// live fetch (Graph API down or throttling) is logged, not returned: the
// answer is then the empty database, and the sync fills it.
func (s *server) firstRead(c *fiber.Ctx, brand store.Brand, q store.ListQuery, resp fiber.Map) error {
	job, queued, err := s.queueSync(c, q.Range, schemas.SyncKindFull)
	if err != nil {
		return err
	}
	resp["backgroundSyncTriggered"] = queued
	resp["jobId"] = job
	resp["message"] = "No data stored for this range yet; a full sync is in progress."
	if s.deps.Fallback == nil {
		return nil
	}
	res, err := s.deps.Fallback.fetch(c.Context(), brand, q, "fallback-"+job)
	if err != nil {
		s.deps.Log.Warn("live fallback fetch failed; answering from the database", "brand", q.BrandID, "err", err)
		return nil
	}
	n := int64(len(res.creatives))
	end := min(q.Offset+q.Limit, len(res.creatives))
	resp["creatives"] = res.creatives[min(q.Offset, end):end]
	resp["total_creatives"] = n
	resp["total_pages"] = pages(n, q.Limit)
	resp["hasMore"] = res.hasMore || end < len(res.creatives)
	resp["dataSource"] = "api_fallback"
	resp["message"] = "Initial data loaded. Full sync in progress..."
	return nil
}

func pages(total int64, limit int) int64 { return (total + int64(limit) - 1) / int64(limit) }
