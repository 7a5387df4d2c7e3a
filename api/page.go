package api

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"mime"
	"path"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// webFiles is the creative browser: plain HTML, CSS and JavaScript, no
// build step, served from the binary.
//
//go:embed web
var webFiles embed.FS

// asset is one embedded file, ready to serve.
type asset struct {
	body        []byte
	contentType string
	etag        string
}

// pageAssets reads the embedded files once.
func pageAssets() map[string]asset {
	out := map[string]asset{}
	entries, _ := webFiles.ReadDir("web")
	for _, e := range entries {
		b, err := webFiles.ReadFile("web/" + e.Name())
		if err != nil {
			panic(err) // embedded at build time: cannot fail
		}
		sum := sha256.Sum256(b)
		out[e.Name()] = asset{body: b, contentType: mime.TypeByExtension(path.Ext(e.Name())), etag: `"` + hex.EncodeToString(sum[:12]) + `"`}
	}
	return out
}

// pageCSP lets the page load only its own files and talk only to this
// API; thumbnails and videos may come from any https origin (the Graph
// API's CDNs) and from mediaOrigins (graphsim's in dev).
func pageCSP(mediaOrigins []string) string {
	media := strings.TrimSpace("'self' https: " + strings.Join(mediaOrigins, " "))
	return strings.Join([]string{
		"default-src 'self'",
		"img-src " + media + " data:",
		"media-src " + media,
		"script-src 'self'",
		"style-src 'self'",
		"connect-src 'self'",
		"object-src 'none'",
		"base-uri 'none'",
		"form-action 'self'",
		"frame-ancestors 'none'",
	}, "; ")
}

// page serves the creative browser at / and its files at /assets/:name,
// with the page's own Content-Security-Policy in place of securityHeaders'
// JSON one. Files are revalidated by ETag, so a new binary's page is
// picked up at once.
func (s *server) page() (index, assets fiber.Handler) {
	files := pageAssets()
	csp := pageCSP(s.deps.MediaOrigins)
	serve := func(c *fiber.Ctx, a asset) error {
		c.Set(fiber.HeaderContentSecurityPolicy, csp)
		c.Set(fiber.HeaderCacheControl, "no-cache")
		c.Set(fiber.HeaderETag, a.etag)
		if matchingTag(c.Get(fiber.HeaderIfNoneMatch), a.etag) != "" {
			return c.SendStatus(fiber.StatusNotModified)
		}
		c.Set(fiber.HeaderContentType, a.contentType)
		return c.Send(a.body)
	}
	index = func(c *fiber.Ctx) error { return serve(c, files["index.html"]) }
	assets = func(c *fiber.Ctx) error {
		a, ok := files[c.Params("name")]
		if !ok || c.Params("name") == "index.html" {
			return fiber.NewError(fiber.StatusNotFound, "no asset "+c.Params("name"))
		}
		return serve(c, a)
	}
	return index, assets
}
