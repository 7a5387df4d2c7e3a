package api

import (
	"context"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"

	"github.com/adstream/adstream/internal/telemetry"
)

// healthz says the process is up.
func (s *server) healthz(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"status": "ok"})
}

// readyz says whether ClickHouse answers within 2 s.
func (s *server) readyz(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.Context(), 2*time.Second)
	defer cancel()
	if err := s.deps.Store.Ping(ctx); err != nil {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(retryAfter.Seconds())))
		return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"status": "unavailable", "clickhouse": err.Error()})
	}
	return c.JSON(fiber.Map{"status": "ready"})
}

func (s *server) metricsHandler() fiber.Handler {
	return adaptor.HTTPHandler(telemetry.Handler(s.deps.Registry))
}
