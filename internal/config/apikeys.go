package config

import (
	"strconv"
	"strings"
	"unicode"
)

// MinAPIKeyLength is the shortest API key accepted: shorter ones can be guessed.
const MinAPIKeyLength = 16

// APIAccess is who may call the REST API and how often.
type APIAccess struct {
	Keys          []Secret // ADSTREAM_API_KEYS: comma-separated; every /api/* request must present one
	AllowNoAuth   bool     // ADSTREAM_ALLOW_NO_AUTH, default false: `adstream api` refuses to start without keys unless true
	RateLimit     int      // ADSTREAM_RATE_LIMIT, default 600: requests per minute per key (or client IP); 0 disables
	SyncRateLimit int      // ADSTREAM_SYNC_RATE_LIMIT, default 30: sync and refresh requests per minute per key; 0 disables
	CORSOrigins   []string // ADSTREAM_CORS_ORIGINS, default none: origins whose pages may call the API
}

// LoadAPIAccess reads the API's keys and rate limits. A problem with a key
// is reported by its position in the list, never by its value.
func LoadAPIAccess(e *Env) APIAccess {
	a := APIAccess{
		Keys:        e.Secrets("ADSTREAM_API_KEYS", "comma-separated API keys; /api/* requests send one as 'Authorization: Bearer <key>' or 'X-API-Key: <key>'"),
		AllowNoAuth: e.Bool("ADSTREAM_ALLOW_NO_AUTH", false, "true lets `adstream api` serve /api/* without API keys"),
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

// RevealKeys returns the keys themselves, for the API's key check.
func (a APIAccess) RevealKeys() []string {
	out := make([]string, len(a.Keys))
	for i, k := range a.Keys {
		out[i] = k.Reveal()
	}
	return out
}

// Secrets reads a comma-separated list of secrets; empty is allowed. Each
// must be at least MinAPIKeyLength characters without spaces or control
// characters; a bad one is named by its position, its value is never shown.
func (e *Env) Secrets(name, help string) []Secret {
	raw := e.lookup(name, "", help)
	if raw == "" {
		return nil
	}
	var out []Secret
	for i, v := range strings.Split(raw, ",") {
		v = strings.TrimSpace(v)
		switch {
		case v == "":
			e.Fail(name, "entry %d is empty", i+1)
		case len(v) < MinAPIKeyLength:
			e.Fail(name, "entry %d is shorter than %d characters", i+1, MinAPIKeyLength)
		case strings.IndexFunc(v, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
			e.Fail(name, "entry %d contains a space or control character", i+1)
		default:
			out = append(out, Secret(v))
		}
	}
	return out
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
