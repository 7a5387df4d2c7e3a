package api

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/adstream/adstream/schemas"
)

// listCreatives serves GET /api/creatives/:brandId: one page of the stored
// creatives of a range. When nothing is stored yet it queues a full sync.
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
	if _, err := s.deps.Store.GetBrand(c.Context(), r.BrandID); err != nil {
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
		"total_pages":             (total + int64(q.Limit) - 1) / int64(q.Limit),
		"hasMore":                 int64(q.Offset+q.Limit) < total,
		"creatives":               []CreativeJSON{},
		"dataSource":              "database",
		"backgroundSyncTriggered": false,
	}
	if total == 0 && len(q.Filters) == 0 {
		job, queued, err := s.queueSync(c, r, schemas.SyncKindFull)
		if err != nil {
			return err
		}
		resp["backgroundSyncTriggered"] = queued
		resp["jobId"] = job
		resp["message"] = "No data stored for this range yet; a full sync is in progress."
	}
	if total > 0 {
		rows, err := s.deps.Store.ListCreatives(c.Context(), q)
		if err != nil {
			return err
		}
		out := make([]CreativeJSON, len(rows))
		for i, row := range rows {
			out[i] = creativeJSON(r, row)
		}
		resp["creatives"] = out
	}
	resp["fetchTime"] = time.Since(began).Milliseconds()
	return c.JSON(resp)
}
