package api

import (
	"errors"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"github.com/adstream/adstream/clickhouse/store"
)

// deleteCreatives serves DELETE /api/creatives/:brandId: it deletes the
// stored creatives (insights) and aggregations of a range and answers once
// reads no longer see them. Ads are kept: they may belong to other ranges.
func (s *server) deleteCreatives(c *fiber.Ctx) error {
	r, err := s.brandRange(c, c.Query("startDate"), c.Query("endDate"))
	if err != nil {
		return err
	}
	if _, err := s.deps.Store.GetBrand(c.Context(), r.BrandID); err != nil {
		return err
	}
	n, err := s.deps.Store.DeleteRange(c.Context(), r)
	if errors.Is(err, store.ErrMutationPending) {
		return fiber.NewError(fiber.StatusServiceUnavailable, "the delete was accepted and is still running; retry to confirm")
	}
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"success": true, "message": fmt.Sprintf("Deleted %d creatives", n), "deletedCount": n})
}
