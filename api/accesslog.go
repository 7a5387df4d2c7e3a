package api

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"regexp"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
)

// headerRequestID names a request in the client's logs and ours.
const headerRequestID = "X-Request-Id"

// localRequestID holds the request's id (string) for the handlers and the
// error handler's log line.
const localRequestID = "adstream.request_id"

// requestIDPattern is what a client's X-Request-Id must look like to be
// kept: a UUID, a trace id or the like. Anything else is replaced, so a
// client cannot write arbitrary text into our logs.
var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:-]{7,127}$`)

// accessLog gives every request an id, the client's X-Request-Id when it
// looks like one or a new random one, sends it back as X-Request-Id, and
// writes one line per request: method, route pattern (never the path or
// the query string, which can hold brand ids, keys or stream tokens),
// status, duration, request id and body bytes. For the progress stream the
// line is written when the stream starts, marked stream=true, without bytes.
func (s *server) accessLog(c *fiber.Ctx) error {
	start := time.Now()
	id := c.Get(headerRequestID)
	if requestIDPattern.MatchString(id) {
		id = strings.Clone(id) // Fiber reuses the header's buffer
	} else {
		id = newRequestID()
	}
	c.Set(headerRequestID, id)
	c.Locals(localRequestID, id)
	err := c.Next()
	resp := c.Response()
	attrs := []slog.Attr{
		slog.String("method", c.Method()),
		slog.String("route", c.Route().Path),
		slog.Int("status", resp.StatusCode()),
		slog.Duration("duration", time.Since(start)),
		slog.String("request_id", id),
	}
	if resp.IsBodyStream() {
		attrs = append(attrs, slog.Bool("stream", true))
	} else {
		attrs = append(attrs, slog.Int("bytes", len(resp.Body())))
	}
	s.deps.Log.LogAttrs(c.Context(), slog.LevelInfo, "http request", attrs...)
	return err
}

// newRequestID returns 16 random bytes in hex.
func newRequestID() string {
	var b [16]byte
	rand.Read(b[:]) // never fails (crypto/rand panics instead)
	return hex.EncodeToString(b[:])
}
