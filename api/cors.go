package api

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
)

// corsMaxAge is how long a browser may reuse a preflight's answer.
const corsMaxAge = 10 * time.Minute

// What a page on an allowed origin may send and read. Keys travel in
// headers, never cookies, so credentials are not allowed.
var (
	corsAllowMethods  = strings.Join([]string{fiber.MethodGet, fiber.MethodHead, fiber.MethodPost, fiber.MethodDelete}, ", ")
	corsAllowHeaders  = strings.Join([]string{fiber.HeaderAuthorization, "X-API-Key", fiber.HeaderContentType, fiber.HeaderIfNoneMatch, headerRequestID}, ", ")
	corsExposeHeaders = strings.Join([]string{fiber.HeaderETag, headerRequestID, fiber.HeaderRetryAfter, fiber.HeaderWWWAuthenticate,
		"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"}, ", ")
)

// cors lets pages on the configured origins call the API. A preflight
// (OPTIONS with Access-Control-Request-Method) is answered here with 204,
// before API keys are checked: a browser never sends credentials with it.
// An origin not configured gets no CORS header at all, so the browser keeps
// the answer from its page. Every answer varies by Origin once any origin is
// configured, so a shared cache never hands one origin's answer to another.
func (s *server) cors() fiber.Handler {
	allowed := make(map[string]bool, len(s.deps.CORSOrigins))
	for _, o := range s.deps.CORSOrigins {
		allowed[o] = true
	}
	maxAge := strconv.Itoa(int(corsMaxAge / time.Second))
	return func(c *fiber.Ctx) error {
		if len(allowed) == 0 {
			return c.Next()
		}
		c.Vary(fiber.HeaderOrigin)
		origin := c.Get(fiber.HeaderOrigin)
		ok := origin != "" && allowed[origin]
		if c.Method() == fiber.MethodOptions && c.Get(fiber.HeaderAccessControlRequestMethod) != "" {
			if ok {
				c.Set(fiber.HeaderAccessControlAllowOrigin, origin)
				c.Set(fiber.HeaderAccessControlAllowMethods, corsAllowMethods)
				c.Set(fiber.HeaderAccessControlAllowHeaders, corsAllowHeaders)
				c.Set(fiber.HeaderAccessControlMaxAge, maxAge)
			}
			return c.SendStatus(fiber.StatusNoContent)
		}
		if ok {
			c.Set(fiber.HeaderAccessControlAllowOrigin, origin)
			c.Set(fiber.HeaderAccessControlExposeHeaders, corsExposeHeaders)
		}
		return c.Next()
	}
}
