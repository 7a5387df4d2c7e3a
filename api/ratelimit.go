package api

import (
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
)

// limit allows perMinute requests a minute per caller, the bucket identify
// chose: the API key, or the client IP without one. Past it the request gets
// 429 with Retry-After (whole seconds until the caller's window ends).
// perMinute 0 disables it. Limited requests show in
// adstream_http_requests_total with code 429. Counts live in this process:
// n API instances behind a load balancer allow up to n × perMinute.
//
// (Fiber's limiter middleware would do the same, but it needs a module that
// go.mod does not carry.)
func (s *server) limit(perMinute int, what string) fiber.Handler {
	if perMinute <= 0 {
		return func(c *fiber.Ctx) error { return c.Next() }
	}
	w := newWindows(perMinute, time.Minute, time.Now)
	limit := strconv.Itoa(perMinute)
	return func(c *fiber.Ctx) error {
		client, ok := c.Locals(localClient).(string)
		if !ok {
			client = "ip:" + c.IP()
		}
		allowed, remaining, reset := w.take(client)
		secs := strconv.FormatInt(int64((reset+time.Second-1)/time.Second), 10)
		c.Set("X-RateLimit-Limit", limit)
		c.Set("X-RateLimit-Remaining", strconv.Itoa(remaining))
		c.Set("X-RateLimit-Reset", secs)
		if !allowed {
			c.Set(fiber.HeaderRetryAfter, secs)
			return writeError(c, fiber.StatusTooManyRequests, "rate_limited",
				fmt.Sprintf("rate limit of %d %s a minute reached; retry after %s seconds", perMinute, what, secs))
		}
		return c.Next()
	}
}

// syncLimit is the stricter limit shared by the endpoints that queue syncs:
// each one makes the producers page the Graph API for a whole range.
func (s *server) syncLimit() fiber.Handler {
	return s.limit(s.deps.Access.SyncRateLimit, "sync requests")
}

// windows counts requests per caller in fixed windows that start at the
// caller's first request. It is safe for concurrent use; expired windows are
// dropped as calls come, so memory follows the callers of the last window.
type windows struct {
	max    int
	length time.Duration
	now    func() time.Time

	mu        sync.Mutex
	byClient  map[string]*window
	lastSweep time.Time
}

type window struct {
	start time.Time
	n     int
}

func newWindows(max int, length time.Duration, now func() time.Time) *windows {
	return &windows{max: max, length: length, now: now, byClient: map[string]*window{}, lastSweep: now()}
}

// take counts one request of client and says whether it is allowed, how
// many more the window allows and how long until the window ends.
func (w *windows) take(client string) (allowed bool, remaining int, reset time.Duration) {
	now := w.now()
	w.mu.Lock()
	defer w.mu.Unlock()
	if now.Sub(w.lastSweep) >= w.length {
		for k, win := range w.byClient {
			if now.Sub(win.start) >= w.length {
				delete(w.byClient, k)
			}
		}
		w.lastSweep = now
	}
	win, ok := w.byClient[client]
	if !ok || now.Sub(win.start) >= w.length {
		win = &window{start: now}
		w.byClient[client] = win
	}
	reset = w.length - now.Sub(win.start)
	if win.n >= w.max {
		return false, 0, reset
	}
	win.n++
	return true, w.max - win.n, reset
}
