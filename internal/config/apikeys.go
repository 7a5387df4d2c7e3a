package config

import (
	"encoding/hex"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// MinAPIKeyLength is the shortest API key accepted: shorter ones can be guessed.
const MinAPIKeyLength = 16

// AllBrands is the scope of a key that may use every brand and the brand
// registry (an admin key).
const AllBrands = "*"

// APIKey is one entry of ADSTREAM_API_KEYS: a key and the brands it may use.
type APIKey struct {
	Key Secret
	// Brands are the brand ids the key may read, sync and delete; AllBrands
	// alone makes it an admin key.
	Brands []string
}

// APIAccess is who may call the REST API and how often.
type APIAccess struct {
	Keys          []APIKey // ADSTREAM_API_KEYS: see LoadAPIAccess; every /api/* request must present one
	AllowNoAuth   bool     // ADSTREAM_ALLOW_NO_AUTH, default false: `adstream api` refuses to start without keys unless true
	RateLimit     int      // ADSTREAM_RATE_LIMIT, default 600: requests per minute per key (or client IP); 0 disables
	SyncRateLimit int      // ADSTREAM_SYNC_RATE_LIMIT, default 30: sync and refresh requests per minute per key; 0 disables
	CORSOrigins   []string // ADSTREAM_CORS_ORIGINS, default none: origins whose pages may call the API
	// StreamKey signs the progress stream's tokens (ADSTREAM_STREAM_KEY, 64
	// hex characters); empty: the API makes one at start.
	StreamKey Secret
}

// LoadAPIAccess reads the API's keys and rate limits. ADSTREAM_API_KEYS is
// "key:brand1,brand2;key2:*": entries separated by ';', each a key, ':' and
// the brands it may use ('*': every brand and the brand registry). The
// older form, keys separated by ',' without ':', still works: each such key
// may use everything. A problem with a key is reported by its position in
// the list, never by its value.
func LoadAPIAccess(e *Env) APIAccess {
	a := APIAccess{
		Keys: e.APIKeys("ADSTREAM_API_KEYS", "API keys and their brands: 'key:brand1,brand2;key2:*' ('*' = every brand and the brand registry; "+
			"plain comma-separated keys mean '*'); /api/* requests send one as 'Authorization: Bearer <key>' or 'X-API-Key: <key>'"),
		AllowNoAuth: e.Bool("ADSTREAM_ALLOW_NO_AUTH", false, "true lets `adstream api` serve /api/* without API keys"),
		StreamKey:   e.HexKey("ADSTREAM_STREAM_KEY", 32, "64 hex characters that sign the progress stream's short-lived tokens; empty: made at start (tokens then work only on this instance)"),
	}
	a.RateLimit, a.SyncRateLimit = LoadRateLimits(e)
	a.CORSOrigins = LoadCORSOrigins(e)
	return a
}

// LoadRateLimits reads only the rate limits, for `adstream dev`, whose API
// runs without keys (callers are then counted by client IP).
func LoadRateLimits(e *Env) (perMinute, syncPerMinute int) {
	perMinute = e.Int("ADSTREAM_RATE_LIMIT", 600, 0, "API requests per minute per API key (or client IP without keys); 0 disables")
	syncPerMinute = e.Int("ADSTREAM_SYNC_RATE_LIMIT", 30, 0, "sync and refresh requests (POST) per minute per API key (or client IP), on top of ADSTREAM_RATE_LIMIT; 0 disables")
	return perMinute, syncPerMinute
}

// RevealKeys returns the keys themselves, without their brands.
func (a APIAccess) RevealKeys() []string {
	out := make([]string, len(a.Keys))
	for i, k := range a.Keys {
		out[i] = k.Key.Reveal()
	}
	return out
}

var brandID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$`)

// APIKeys reads API keys with their brands (see LoadAPIAccess); empty is
// allowed. Each key must be at least MinAPIKeyLength characters without
// spaces, control characters, ',', ':' or ';'; a bad one is named by its
// position, its value is never shown.
func (e *Env) APIKeys(name, help string) []APIKey {
	raw := e.lookup(name, "", help)
	if raw == "" {
		return nil
	}
	sep := ","
	if strings.ContainsAny(raw, ":;") {
		sep = ";"
	}
	var out []APIKey
	for i, entry := range strings.Split(raw, sep) {
		key, scope, scoped := strings.Cut(strings.TrimSpace(entry), ":")
		k := APIKey{Key: Secret(key), Brands: []string{AllBrands}}
		switch {
		case strings.TrimSpace(entry) == "":
			e.Fail(name, "entry %d is empty", i+1)
			continue
		case key == "":
			e.Fail(name, "entry %d has no key before ':'", i+1)
			continue
		case strings.Contains(key, ","):
			e.Fail(name, "entry %d holds a ',': separate entries with ';' once any names its brands (key:brand1,brand2;key2:*)", i+1)
			continue
		case len(key) < MinAPIKeyLength:
			e.Fail(name, "entry %d is shorter than %d characters", i+1, MinAPIKeyLength)
			continue
		case strings.IndexFunc(key, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
			e.Fail(name, "entry %d contains a space or control character", i+1)
			continue
		}
		if scoped {
			brands, problem := keyScope(scope)
			if problem != "" {
				e.Fail(name, "entry %d: %s", i+1, problem)
				continue
			}
			k.Brands = brands
		}
		out = append(out, k)
	}
	return out
}

// keyScope reads the brands after a key's ':'.
func keyScope(scope string) ([]string, string) {
	scope = strings.TrimSpace(scope)
	if scope == AllBrands {
		return []string{AllBrands}, ""
	}
	if scope == "" {
		return nil, "no brands after ':' (list brand ids, or '*' for every brand)"
	}
	var brands []string
	for _, b := range strings.Split(scope, ",") {
		b = strings.TrimSpace(b)
		switch {
		case b == AllBrands:
			return nil, "'*' must stand alone: it already means every brand"
		case !brandID.MatchString(b):
			return nil, fmt.Sprintf("brand %q is not a brand id (letters, digits, '_', '.' or '-')", b)
		}
		brands = append(brands, b)
	}
	return brands, ""
}

// HexKey reads an optional secret of n bytes written as 2n hex characters.
func (e *Env) HexKey(name string, n int, help string) Secret {
	v := e.Secret(name, help)
	if v == "" {
		return ""
	}
	if b, err := hex.DecodeString(v.Reveal()); err != nil || len(b) != n {
		e.Fail(name, "must be %d hex characters", 2*n)
		return ""
	}
	return v
}

// Bool reads true or false (also 1/0, t/f as strconv.ParseBool accepts).
func (e *Env) Bool(name string, def bool, help string) bool {
	raw := e.lookup(name, strconv.FormatBool(def), help)
	v, err := strconv.ParseBool(raw)
	if err != nil {
		e.Fail(name, "%q is not true or false", raw)
		return def
	}
	return v
}
