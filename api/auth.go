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
	// <key>" or "X-API-Key: <key>", each with the brands it may use; empty
	// serves /api/* without keys.
	Keys []Key
	// RateLimit is /api/* requests per minute per key (per client IP
	// without keys); 0 disables it.
	RateLimit int
	// SyncRateLimit is POST sync and refresh requests per minute per key
	// (or client IP), counted on top of RateLimit; 0 disables it.
	SyncRateLimit int
}

// AllBrands as a key's only brand makes it an admin key: every brand, and
// the brand registry.
const AllBrands = "*"

// Key is an API key and the brands it may read, sync and delete.
type Key struct {
	Secret string
	// Brands are brand ids, or AllBrands alone. A brand outside them
	// answers 404, exactly as a brand that does not exist.
	Brands []string
}

// Locals set by identify for the middleware and handlers after it.
const (
	localClient = "adstream.client" // string: "key:<n>" or "ip:<addr>", the rate-limit bucket
	localKeyOK  = "adstream.key_ok" // bool: the request presented a configured key
	localScope  = "adstream.scope"  // *scope: what the caller may use
)

// keyring holds SHA-256 digests of the API keys, so comparing a presented
// key costs the same whatever its length and whichever key it matches.
type keyring struct {
	sums   [][sha256.Size]byte
	scopes []*scope
}

func newKeyring(keys []Key) *keyring {
	k := &keyring{}
	for _, key := range keys {
		k.sums = append(k.sums, sha256.Sum256([]byte(key.Secret)))
		k.scopes = append(k.scopes, newScope(key.Brands))
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

// accessChain is the middleware of every /api/* route, in order: identify
// the caller, count it against the rate limit (so wrong keys are limited per
// client IP too), then refuse callers without a valid key.
type accessChain struct {
	identify, limit, requireKey fiber.Handler
}

// access returns the chain; its one limit counts every /api/* request.
func (s *server) access() accessChain {
	return accessChain{identify: s.identify, limit: s.limit(s.deps.Access.RateLimit, "requests"), requireKey: s.requireKey}
}

// identify notes which key the request presented, its scope and its
// rate-limit bucket; it refuses nothing.
func (s *server) identify(c *fiber.Ctx) error {
	client := "ip:" + c.IP()
	sc := openScope
	if len(s.keys.sums) > 0 {
		sc = noScope
		if i := s.keys.match(presentedKey(c)); i >= 0 {
			client = "key:" + strconv.Itoa(i)
			sc = s.keys.scopes[i]
			c.Locals(localKeyOK, true)
		}
	}
	c.Locals(localClient, client)
	c.Locals(localScope, sc)
	return c.Next()
}

func (s *server) requireKey(c *fiber.Ctx) error {
	if !s.keyPresented(c) {
		return refuseKey(c)
	}
	return c.Next()
}

// keyPresented says whether the request may pass as far as keys go: it
// presented a configured key, or none are configured.
func (s *server) keyPresented(c *fiber.Ctx) bool {
	return len(s.keys.sums) == 0 || c.Locals(localKeyOK) == true
}

// refuseKey answers 401 to a request without a valid key.
func refuseKey(c *fiber.Ctx) error {
	msg := "invalid API key"
	if presentedKey(c) == "" {
		msg = "missing API key: send 'Authorization: Bearer <key>' or 'X-API-Key: <key>'"
	}
	return unauthorized(c, msg)
}

// unauthorized answers 401 with the Bearer challenge.
func unauthorized(c *fiber.Ctx, msg string) error {
	c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="adstream"`)
	return writeError(c, fiber.StatusUnauthorized, "unauthorized", msg)
}

// writeError answers in the error handler's shape, for middleware that
// stops a request with a code of its own.
func writeError(c *fiber.Ctx, status int, code, msg string) error {
	return c.Status(status).JSON(fiber.Map{"success": false, "error": fiber.Map{"code": code, "message": msg}})
}
