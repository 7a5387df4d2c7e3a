package api

import (
	"strings"

	"github.com/gofiber/fiber/v2"
)

// endStalenessAfter ends the staleness bound once a request has written
// through this replica (any method but GET, HEAD and OPTIONS) or read a sync
// state (a job's status, or its progress stream's events: see
// streamProgress): the reads that follow it on this replica, such as a
// client's first read once its sync completed, see at least what it did.
func (s *server) endStalenessAfter(c *fiber.Ctx) error {
	err := c.Next()
	if s.gate == nil {
		return err
	}
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		if !strings.HasPrefix(c.Path(), "/api/creatives/sync/status/") {
			return err
		}
	}
	s.gate.endStaleness()
	return err
}
