package api

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/internal/jobs"
	"github.com/adstream/adstream/schemas"
)

type rangeBody struct {
	StartDate string `json:"startDate"`
	EndDate   string `json:"endDate"`
}

// startSync serves POST /api/creatives/sync/:brandId and
// POST /api/creatives/refresh/:brandId.
func (s *server) startSync(kind schemas.SyncKind) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var body rangeBody
		if len(c.Body()) > 0 {
			if err := c.BodyParser(&body); err != nil {
				return badRequest("body", "must be JSON like {\"startDate\":\"2024-01-01\",\"endDate\":\"2024-01-31\"}")
			}
		}
		r, err := s.brandRange(c, body.StartDate, body.EndDate)
		if err != nil {
			return err
		}
		if _, err := s.deps.Store.GetBrand(c.Context(), r.BrandID); err != nil {
			return err
		}
		q, err := s.jobs.Sync(c.Context(), r, kind, "api")
		if err != nil {
			return err
		}
		msg := "Creative sync job queued"
		if kind == schemas.SyncKindRefresh {
			msg = "Creative refresh job queued"
		}
		if !q.Queued {
			msg = "A sync of this range is already in progress"
		}
		resp := fiber.Map{"success": true, "message": msg, "jobId": q.JobID, "status": store.StatusPending}
		if j, err := s.deps.Store.LatestJob(c.Context(), r); err == nil && j.JobID == q.JobID {
			resp = statusJSON(j, time.Now())
			resp["message"] = msg
		}
		resp["estimatedTime"] = estimatedTime(resp["estimatedCompletion"], time.Now())
		return c.JSON(resp)
	}
}

// syncStatus serves GET /api/creatives/sync/status/:brandId.
func (s *server) syncStatus(c *fiber.Ctx) error {
	r, err := s.brandRange(c, c.Query("startDate"), c.Query("endDate"))
	if err != nil {
		return err
	}
	j, err := s.deps.Store.LatestJob(c.Context(), r)
	if err != nil {
		return err
	}
	s.endStaleness() // a client that sees its job complete reads its data next
	return c.JSON(statusJSON(j, time.Now()))
}

// statusJSON is the seed's sync-status shape plus when the job was created,
// completed or is expected to complete, and why it failed.
func statusJSON(j store.SyncJob, now time.Time) fiber.Map {
	resp := fiber.Map{"success": true}
	for k, v := range jobJSON(j, now) {
		resp[k] = v
	}
	resp["kind"] = j.Kind
	resp["createdAt"] = j.CreatedAt
	resp["updatedAt"] = j.UpdatedAt
	if !j.StartedAt.IsZero() {
		resp["startedAt"] = j.StartedAt
	}
	if !j.CompletedAt.IsZero() {
		resp["completedAt"] = j.CompletedAt
	}
	return resp
}

// jobJSON is the part of a job's state that reads carry as "sync".
func jobJSON(j store.SyncJob, now time.Time) fiber.Map {
	p := jobs.ProgressOf(j, now)
	progress := fiber.Map{"totalAds": p.TotalAds, "processedAds": p.ProcessedAds, "percentage": p.Percentage}
	m := fiber.Map{"jobId": j.JobID, "status": j.Status, "progress": progress}
	if !p.EstimatedCompletion.IsZero() {
		m["estimatedCompletion"] = p.EstimatedCompletion
	}
	if j.Status == store.StatusFailed {
		code := j.ErrorCode
		if code == "" { // a failure recorded before codes existed
			code = jobs.CodeInternal
		}
		m["error"] = fiber.Map{"code": code, "message": j.Error}
	}
	return m
}

// estimatedTime is the seed's human estimate: the time left until the
// measured estimatedCompletion, or that it is not known yet (a job's rate is
// measured once it runs).
func estimatedTime(eta any, now time.Time) string {
	at, ok := eta.(time.Time)
	if !ok {
		return "unknown until the job has started; the status answer then carries estimatedCompletion"
	}
	left := max(at.Sub(now), time.Second).Round(time.Second)
	return "about " + left.String()
}
