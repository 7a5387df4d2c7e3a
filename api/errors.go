package api

import (
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/internal/bus"
)

// BadRequestError says what in the request was wrong; it maps to 400.
type BadRequestError struct {
	Field   string
	Problem string
}

func (e *BadRequestError) Error() string { return fmt.Sprintf("%s: %s", e.Field, e.Problem) }

func badRequest(field, format string, args ...any) error {
	return &BadRequestError{Field: field, Problem: fmt.Sprintf(format, args...)}
}

// retryAfter is the Retry-After of an answer that a dependency is down:
// about what a restarting ClickHouse or Kafka broker needs to answer again,
// and short enough that a client retrying by it sees the recovery soon.
const retryAfter = 5 * time.Second

// errorHandler maps every error a handler returns to one JSON shape:
// {"success":false,"error":{"code":...,"message":...,"field":...}}.
func errorHandler(log *slog.Logger) fiber.ErrorHandler {
	return func(c *fiber.Ctx, err error) error {
		status, code, field := fiber.StatusInternalServerError, "internal", ""
		msg := "internal error"
		var bad *BadRequestError
		var fe *fiber.Error
		switch {
		case errors.As(err, &bad):
			status, code, field, msg = fiber.StatusBadRequest, "invalid_request", bad.Field, bad.Error()
		case errors.Is(err, store.ErrBadDate): // validation keeps these out; the store's refusal is the backstop
			status, code, msg = fiber.StatusBadRequest, "invalid_request", err.Error()
		case errors.Is(err, store.ErrNotFound):
			status, code, msg = fiber.StatusNotFound, "not_found", err.Error()
		// Before the store: a Kafka outage also fails with network errors.
		case errors.Is(err, bus.ErrUnavailable):
			status, code, msg = fiber.StatusServiceUnavailable, "queue_unavailable", "the job queue (Kafka) is unavailable; nothing was queued; try again later"
			c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(retryAfter.Seconds())))
			log.Warn("kafka unavailable", "method", c.Method(), "path", c.Path(), "err", err)
		case store.IsUnavailable(err):
			status, code, msg = fiber.StatusServiceUnavailable, "store_unavailable", "the database (ClickHouse) is unavailable; try again later"
			c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(retryAfter.Seconds())))
			log.Warn("clickhouse unavailable", "method", c.Method(), "path", c.Path(), "err", err)
		case errors.As(err, &fe):
			status, code, msg = fe.Code, "http_error", fe.Message
		default:
			log.Error("request failed", "method", c.Method(), "path", c.Path(), "request_id", c.Locals(localRequestID), "err", err)
		}
		body := fiber.Map{"code": code, "message": msg}
		if field != "" {
			body["field"] = field
		}
		return c.Status(status).JSON(fiber.Map{"success": false, "error": body})
	}
}
