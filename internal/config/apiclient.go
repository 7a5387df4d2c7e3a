package config

import (
	"strings"
	"unicode"
)

// APIClient is how a command-line client such as `adstream sync` reaches a
// running REST API.
type APIClient struct {
	URL string // ADSTREAM_API_URL, default http://127.0.0.1:8080 (what `adstream dev` serves)
	Key Secret // ADSTREAM_API_KEY, default empty: sent as 'Authorization: Bearer <key>' when set
}

// LoadAPIClient reads the API client section. A bad key is described,
// never shown.
func LoadAPIClient(e *Env) APIClient {
	a := APIClient{
		URL: e.urlOr("ADSTREAM_API_URL", "http://127.0.0.1:8080", "base URL of the adstream REST API"),
		Key: e.Secret("ADSTREAM_API_KEY", "API key sent as 'Authorization: Bearer <key>' (one of the API's ADSTREAM_API_KEYS); empty for an API without keys, as in dev"),
	}
	if strings.IndexFunc(a.Key.Reveal(), func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		e.Fail("ADSTREAM_API_KEY", "contains a space or control character")
	}
	return a
}
