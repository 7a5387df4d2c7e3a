package api

import "github.com/gofiber/fiber/v2"

// jsonCSP is the Content-Security-Policy of every answer that sets none of
// its own: JSON needs no scripts, styles or frames. A page served later sets
// its own policy, which replaces this one.
const jsonCSP = "default-src 'none'; frame-ancestors 'none'"

// securityHeaders sets headers that keep browsers from misreading or
// framing any answer, and from caching an error. Registered first, it sees
// the final status of every answer: errors are rendered inside it (by
// observe, or by the middleware that stopped the request).
func securityHeaders(c *fiber.Ctx) error {
	h := &c.Response().Header
	h.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	h.Set(fiber.HeaderReferrerPolicy, "no-referrer")
	h.Set(fiber.HeaderXFrameOptions, "DENY")
	h.Set(fiber.HeaderContentSecurityPolicy, jsonCSP)
	err := c.Next()
	if err != nil || c.Response().StatusCode() >= fiber.StatusBadRequest {
		h.Set(fiber.HeaderCacheControl, "no-store")
	}
	return err
}
