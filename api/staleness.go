package api

import (
	"github.com/gofiber/fiber/v2"
)

// endStalenessAfter ends the read staleness bound (see versionGate) once a
// request has written through this replica: any method but GET, HEAD and
// OPTIONS. The reads that follow on this replica see at least what it
// wrote. Handing out a sync state ends it too (syncStatus, streamProgress),
// so a client's first read once it saw its sync complete has the new data.
func (s *server) endStalenessAfter(c *fiber.Ctx) error {
	err := c.Next()
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
	default:
		s.endStaleness()
	}
	return err
}

// endStaleness makes every read from now on take a read stamp read after it.
func (s *server) endStaleness() {
	if s.gate != nil {
		s.gate.endStaleness()
	}
}
