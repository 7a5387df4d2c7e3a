package api

import (
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

// compress encodes answers as the client's Accept-Encoding asks (br, else
// gzip), once they are complete: a 500-row page shrinks about ninefold.
// Streams are left alone, so each progress event leaves when it is written
// instead of waiting in a compressor's buffer. Bodies under 200 bytes stay
// as they are. A compressed answer's ETag gets the coding as a suffix
// ("…-br"), as each coding is a different representation; revalidate
// strips it when comparing.
func (s *server) compress() fiber.Handler {
	encode := fasthttp.CompressHandlerBrotliLevel(func(*fasthttp.RequestCtx) {},
		fasthttp.CompressBrotliDefaultCompression, fasthttp.CompressDefaultCompression)
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
