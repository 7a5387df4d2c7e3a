package api

import (
	_ "embed"

	"github.com/gofiber/fiber/v2"
)

// OpenAPI is the OpenAPI 3.0 document of every route, served at
// GET /openapi.json; a test checks it against the routes New registers.
//
//go:embed openapi.json
var OpenAPI []byte

// openAPI serves GET /openapi.json (open, like /healthz: it holds no data).
func (s *server) openAPI(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	return c.Send(OpenAPI)
}
