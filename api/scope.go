package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/adstream/adstream/clickhouse/store"
)

// scope is what a caller may use: every brand and the brand registry
// (admin), or the brands its key names.
type scope struct {
	admin  bool
	brands map[string]bool
}

var (
	openScope = &scope{admin: true} // no keys configured: everything
	noScope   = &scope{}            // no valid key: nothing (requireKey refuses it first)
)

func newScope(brands []string) *scope {
	sc := &scope{brands: map[string]bool{}}
	for _, b := range brands {
		if b == AllBrands {
			return &scope{admin: true}
		}
		sc.brands[b] = true
	}
	return sc
}

func (sc *scope) allows(brand string) bool { return sc.admin || sc.brands[brand] }

// scopeOf is the scope identify found for the request.
func scopeOf(c *fiber.Ctx) *scope {
	if sc, ok := c.Locals(localScope).(*scope); ok {
		return sc
	}
	return noScope
}

// inScope guards every route that names a brand: a brand the key may not
// use answers exactly as a brand that does not exist (404 not_found), so a
// key learns nothing about other brands, not even that they exist.
func (s *server) inScope(c *fiber.Ctx) error {
	if !scopeOf(c).allows(c.Params("brandId")) {
		return store.ErrNotFound
	}
	return c.Next()
}

// adminOnly guards the brand registry's writes: registering a brand (with
// its token) and deleting one need a key whose scope is every brand.
func (s *server) adminOnly(c *fiber.Ctx) error {
	if !scopeOf(c).admin {
		return writeError(c, fiber.StatusForbidden, "forbidden",
			"registering and deleting brands needs an admin API key (an ADSTREAM_API_KEYS entry key:*)")
	}
	return c.Next()
}

// visibleBrands keeps the brands the caller's key may use.
func visibleBrands(c *fiber.Ctx, list []store.Brand) []store.Brand {
	sc := scopeOf(c)
	if sc.admin {
		return list
	}
	out := make([]store.Brand, 0, len(list))
	for _, b := range list {
		if sc.brands[b.BrandID] {
			out = append(out, b)
		}
	}
	return out
}
