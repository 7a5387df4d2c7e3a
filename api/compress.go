package api

import (
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

// compress encodes answers as the client's Accept-Encoding asks (br, else
// gzip), once they are complete, at the codings' fast levels: a 50-row page
// of 45 KB is 5.8 KB in gzip at level 1 against 5.2 KB at the default 6,
// and the default's compression was a third of a cached read's CPU (16
// clients read 1,008 pages/s at 6 against 1,378 at 1: BenchmarkReadAPI).
// brotliLevel is 1: 5.1 KB for that page, as at brotli's default 4 (its
// fastest, 0, gave 6.5 KB).
// Streams are left alone, so each progress event leaves when it is written
// instead of waiting in a compressor's buffer. Bodies under 200 bytes stay
// as they are. A compressed answer's ETag gets the coding as a suffix
// ("…-br"), as each coding is a different representation; revalidate
// strips it when comparing.
func (s *server) compress() fiber.Handler {
	const brotliLevel = 1
	encode := fasthttp.CompressHandlerBrotliLevel(func(*fasthttp.RequestCtx) {},
		brotliLevel, fasthttp.CompressBestSpeed)
	return func(c *fiber.Ctx) error {
		if err := c.Next(); err != nil {
			return err
		}
		resp := &c.Context().Response
		if resp.IsBodyStream() || resp.StatusCode() == fiber.StatusNotModified {
			return nil
		}
		encode(c.Context())
		if coding := string(resp.Header.ContentEncoding()); coding != "" {
			if tag := string(resp.Header.Peek(fiber.HeaderETag)); strings.HasSuffix(tag, `"`) {
				c.Set(fiber.HeaderETag, strings.TrimSuffix(tag, `"`)+"-"+coding+`"`)
			}
		}
		return nil
	}
}

// renderErrors turns a handler's error into its JSON answer right away, so
// the middleware around it (compression, cache headers, the access log)
// sees the status and body the client gets.
func (s *server) renderErrors(c *fiber.Ctx) error {
	if err := c.Next(); err != nil {
		return c.App().ErrorHandler(c, err)
	}
	return nil
}
