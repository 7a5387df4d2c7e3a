package api

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/schemas"
)

// staleAfter is how long a pending or processing job blocks a new one for the
// same range; past it the job is presumed lost and a new one may be queued.
const staleAfter = 30 * time.Minute

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
		r, err := brandRange(c, body.StartDate, body.EndDate)
		if err != nil {
			return err
		}
		if _, err := s.deps.Store.GetBrand(c.Context(), r.BrandID); err != nil {
			return err
		}
		job, queued, err := s.queueSync(c, r, kind)
		if err != nil {
			return err
		}
		msg := "Creative sync job queued"
		if kind == schemas.SyncKindRefresh {
			msg = "Creative refresh job queued"
		}
		if !queued {
			msg = "A sync of this range is already in progress"
		}
		return c.JSON(fiber.Map{
			"success": true, "message": msg, "jobId": job, "status": store.StatusPending,
			"estimatedTime": "5-10 minutes",
		})
	}
}

// queueSync publishes a sync request unless one for the range is already
// pending or running; it returns the job id either way.
func (s *server) queueSync(c *fiber.Ctx, r store.Range, kind schemas.SyncKind) (string, bool, error) {
	latest, err := s.deps.Store.LatestJob(c.Context(), r)
	switch {
	case err == nil && (latest.Status == store.StatusPending || latest.Status == store.StatusProcessing) &&
		time.Since(latest.UpdatedAt) < staleAfter:
		return latest.JobID, false, nil
	case err != nil && !errors.Is(err, store.ErrNotFound):
		return "", false, err
	}
	now := time.Now().UTC()
	req := &schemas.SyncRequest{
		JobID: newJobID(kind), BrandID: r.BrandID, StartDate: r.StartDate, EndDate: r.EndDate,
		Kind: kind, RequestedAt: now, RequestedBy: "api",
	}
	// Publish before recording: a pending record of a request that never
	// reached Kafka would block every sync of the range for staleAfter.
	if err := s.deps.Queue.Enqueue(c.Context(), req); err != nil {
		return "", false, err
	}
	if err := s.deps.Store.RecordQueued(c.Context(), r, req.JobID, kind, now); err != nil {
		return "", false, err
	}
	s.metrics.queued.WithLabelValues(string(kind)).Inc()
	return req.JobID, true, nil
}

func newJobID(kind schemas.SyncKind) string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	prefix := "sync"
	if kind == schemas.SyncKindRefresh {
		prefix = "refresh"
	}
	return prefix + "-job-" + hex.EncodeToString(b)
}

// syncStatus serves GET /api/creatives/sync/status/:brandId.
func (s *server) syncStatus(c *fiber.Ctx) error {
	r, err := brandRange(c, c.Query("startDate"), c.Query("endDate"))
	if err != nil {
		return err
	}
	j, err := s.deps.Store.LatestJob(c.Context(), r)
	if err != nil {
		return err
	}
	return c.JSON(statusJSON(j))
}

// statusJSON is the seed's sync-status shape. Until the job completes the
// percentage stays below 100: producers learn the total as they page.
func statusJSON(j store.SyncJob) fiber.Map {
	pct := int64(0)
	if j.TotalAds > 0 {
		pct = min(j.PublishedAds*100/j.TotalAds, 99)
	}
	if j.Status == store.StatusCompleted {
		pct = 100
	}
	resp := fiber.Map{
		"success": true, "jobId": j.JobID, "kind": j.Kind, "status": j.Status,
		"progress":  fiber.Map{"totalAds": j.TotalAds, "processedAds": j.PublishedAds, "percentage": pct},
		"startedAt": j.StartedAt, "updatedAt": j.UpdatedAt,
	}
	if j.Error != "" {
		resp["error"] = j.Error
	}
	return resp
}
