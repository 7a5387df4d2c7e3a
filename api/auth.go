package api

import (
	"crypto/sha256"
	"crypto/subtle"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// Access is who may call /api/* and how often. The zero value leaves the
// API open and unlimited (tests, and `adstream dev`).
type Access struct {
	// Keys are the API keys a request presents as "Authorization: Bearer
	// <key>" or "X-API-Key: <key>"; empty serves /api/* without keys.
	Keys []string
	// RateLimit is /api/* requests per minute per key (per client IP
	// without keys); 0 disables it.
	RateLimit int
	// SyncRateLimit is POST sync and refresh requests per minute per key
	// (or client IP), counted on top of RateLimit; 0 disables it.
	SyncRateLimit int
}

// Locals set by identify for the middleware and handlers after it.
const (
	localClient = "adstream.client" // string: "key:<n>" or "ip:<addr>", the rate-limit bucket
	localKeyOK  = "adstream.key_ok" // bool: the request presented a configured key
)

// keyring holds SHA-256 digests of the API keys, so comparing a presented
// key costs the same whatever its length and whichever key it matches.
type keyring struct{ sums [][sha256.Size]byte }

func newKeyring(keys []string) *keyring {
	k := &keyring{}
	for _, key := range keys {
		k.sums = append(k.sums, sha256.Sum256([]byte(key)))
	}
	return k
}

// match returns the index of the key presented, or -1. It compares against
// every key in constant time, so timing tells nothing about which matched.
func (k *keyring) match(presented string) int {
	sum := sha256.Sum256([]byte(presented))
	found := -1
	for i := range k.sums {
		if subtle.ConstantTimeCompare(sum[:], k.sums[i][:]) == 1 {
			found = i
		}
	}
	return found
}

// presentedKey reads the key from "Authorization: Bearer <key>" or
// "X-API-Key: <key>".
func presentedKey(c *fiber.Ctx) string {
	if h := c.Get(fiber.HeaderAuthorization); len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return strings.TrimSpace(c.Get("X-API-Key"))
}

// access returns the middleware of every /api/* route, in order: identify
// the caller, count it against the rate limit (so wrong keys are limited per
// client IP too), then refuse callers without a valid key.
func (s *server) access() []fiber.Handler {
	ring := newKeyring(s.deps.Access.Keys)
	identify := func(c *fiber.Ctx) error {
		client := "ip:" + c.IP()
		if len(ring.sums) > 0 {
			if i := ring.match(presentedKey(c)); i >= 0 {
				client = "key:" + strconv.Itoa(i)
				c.Locals(localKeyOK, true)
			}
		}
		c.Locals(localClient, client)
		return c.Next()
	}
	requireKey := func(c *fiber.Ctx) error {
		if len(ring.sums) == 0 || c.Locals(localKeyOK) == true {
			return c.Next()
		}
		msg := "invalid API key"
		if presentedKey(c) == "" {
			msg = "missing API key: send 'Authorization: Bearer <key>' or 'X-API-Key: <key>'"
		}
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="adstream"`)
		return writeError(c, fiber.StatusUnauthorized, "unauthorized", msg)
	}
	return []fiber.Handler{identify, s.limit(s.deps.Access.RateLimit, "requests"), requireKey}
}

// writeError answers in the error handler's shape, for middleware that
// stops a request with a code of its own.
func writeError(c *fiber.Ctx, status int, code, msg string) error {
	return c.Status(status).JSON(fiber.Map{"success": false, "error": fiber.Map{"code": code, "message": msg}})
}
