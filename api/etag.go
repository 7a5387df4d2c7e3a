package api

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// cacheRevalidate is the Cache-Control of reads: they may be kept but must
// be revalidated every time (a 304 costs a round trip and no body), so a
// client never shows figures older than the last completed sync. Errors are
// never kept (securityHeaders marks them no-store).
const cacheRevalidate = "private, no-cache"

// fetchTime says how long an answer took, not what it holds: the ETag
// ignores it, or no two answers would ever match.
var fetchTime = regexp.MustCompile(`"fetchTime":[0-9]+`)

// revalidate gives every successful GET of /api/* (lists, aggregations,
// status, series, brands) a strong ETag, a hash of the body, and answers 304
// with no body when If-None-Match holds it; it marks those reads
// "private, no-cache". The progress stream is neither tagged nor cached.
func (s *server) revalidate(c *fiber.Ctx) error {
	if err := c.Next(); err != nil {
		return err
	}
	resp := &c.Context().Response
	if resp.StatusCode() != fiber.StatusOK || resp.IsBodyStream() || !cacheableRead(c) {
		return nil
	}
	c.Set(fiber.HeaderCacheControl, cacheRevalidate)
	sum := sha256.Sum256(fetchTime.ReplaceAll(resp.Body(), []byte(`"fetchTime":0`)))
	tag := `"` + hex.EncodeToString(sum[:16]) + `"`
	if held := matchingTag(c.Get(fiber.HeaderIfNoneMatch), tag); held != "" {
		c.Set(fiber.HeaderETag, held) // the representation the client holds, coding suffix and all
		c.Context().ResetBody()
		resp.Header.Del(fiber.HeaderContentType)
		c.Status(fiber.StatusNotModified)
		return nil
	}
	c.Set(fiber.HeaderETag, tag)
	return nil
}

// cacheableRead is a GET (or HEAD) of an /api/* route.
func cacheableRead(c *fiber.Ctx) bool {
	m := c.Method()
	return (m == fiber.MethodGet || m == fiber.MethodHead) && strings.HasPrefix(c.Route().Path, "/api/")
}

// matchingTag returns the entity tag of an If-None-Match header that names
// tag, as the client sent it, or "". Comparison is weak, as RFC 9110 has it
// for If-None-Match: a W/ prefix and compress's coding suffix are ignored.
func matchingTag(ifNoneMatch, tag string) string {
	for _, t := range strings.Split(ifNoneMatch, ",") {
		t = strings.TrimSpace(t)
		if t == "*" {
			return tag
		}
		bare := strings.TrimPrefix(t, "W/")
		for _, coding := range []string{"br", "gzip", "deflate"} {
			if s, ok := strings.CutSuffix(bare, "-"+coding+`"`); ok {
				bare = s + `"`
				break
			}
		}
		if bare == tag {
			return strings.TrimPrefix(t, "W/")
		}
	}
	return ""
}
