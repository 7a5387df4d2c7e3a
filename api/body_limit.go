package api

import (
	"regexp"

	"github.com/gofiber/fiber/v2"
)

// Request body limits: a posted analysis carries up to 256 KiB of results
// (maxResultsBytes, compacted) plus its other fields and whitespace; every
// other body is a small JSON object.
const (
	maxAnalysisBody = 320 << 10
	maxBody         = 64 << 10
)

var analysisPath = regexp.MustCompile(`^/api/creatives/[^/]+/videos/[^/]+/analyses/?$`)

// limitBodies answers 413 to a body over maxBody on any route but the post
// of an analysis; the server itself refuses any body over maxAnalysisBody.
func limitBodies(c *fiber.Ctx) error {
	if len(c.Body()) > maxBody && !(c.Method() == fiber.MethodPost && analysisPath.MatchString(c.Path())) {
		return fiber.NewError(fiber.StatusRequestEntityTooLarge, "the request body is over 64 KiB")
	}
	return c.Next()
}
