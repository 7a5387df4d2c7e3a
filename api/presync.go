package api

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/adstream/adstream/internal/jobs"
)

// Presync is which ranges a brand's registration (and POST
// /api/brands/:brandId/presync) warms.
type Presync struct {
	// Days are the lengths of the ranges, each ending yesterday; none turns
	// pre-sync off.
	Days []int
	// FreshFor skips a range whose sync completed this recently (the
	// refresh interval: the scheduler keeps it fresh from there).
	FreshFor time.Duration
}

// presyncBrand serves POST /api/brands/:brandId/presync.
func (s *server) presyncBrand(c *fiber.Ctx) error {
	brand := c.Params("brandId")
	if !brandIDPattern.MatchString(brand) {
		return badRequest("brandId", "%q must be 1-128 letters, digits, '_', '.' or '-'", brand)
	}
	if _, err := s.deps.Store.GetBrand(c.Context(), brand); err != nil {
		return err
	}
	ranges, err := s.presync(c.Context(), brand)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"success": true, "brandId": brand, "ranges": ranges})
}

// presync queues the brand's default ranges and describes each.
func (s *server) presync(ctx context.Context, brandID string) ([]fiber.Map, error) {
	done, err := s.jobs.Presync(ctx, jobs.PresyncRanges(brandID, s.deps.Presync.Days, time.Now()), s.deps.Presync.FreshFor)
	out := make([]fiber.Map, 0, len(done))
	for _, p := range done {
		m := fiber.Map{"startDate": p.StartDate, "endDate": p.EndDate, "queued": p.Queued, "fresh": p.Fresh}
		if p.JobID != "" {
			m["jobId"] = p.JobID
		}
		out = append(out, m)
	}
	return out, err
}
