package config

import (
	"net/url"
	"strings"
)

// LoadCORSOrigins reads ADSTREAM_CORS_ORIGINS: the origins whose pages may
// call the API from a browser, comma-separated, each exactly as a browser
// sends it in the Origin header (scheme://host[:port], no path). Empty (the
// default) allows none: only pages the API serves itself. A default port
// (http :80, https :443) is dropped, since browsers never send it.
func LoadCORSOrigins(e *Env) []string {
	const name = "ADSTREAM_CORS_ORIGINS"
	raw := e.lookup(name, "", "comma-separated origins (https://app.example.com) whose pages may call the API from a browser; empty allows none")
	if raw == "" {
		return nil
	}
	var out []string
	for i, v := range strings.Split(raw, ",") {
		o, problem := origin(strings.TrimSpace(v))
		if problem != "" {
			e.Fail(name, "entry %d %q %s", i+1, v, problem)
			continue
		}
		out = append(out, o)
	}
	return out
}

// origin normalizes one configured origin, or says what is wrong with it.
func origin(v string) (string, string) {
	if v == "*" {
		return "", "is not accepted: list each origin that may call the API"
	}
	u, err := url.Parse(v)
	switch {
	case v == "":
		return "", "is empty"
	case err != nil || u.Host == "" || u.Opaque != "":
		return "", "is not an origin like https://app.example.com"
	case u.Scheme != "http" && u.Scheme != "https":
		return "", "must start with http:// or https://"
	case u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "":
		return "", "must be scheme://host[:port] alone, without user, path, query or fragment"
	}
	host := strings.ToLower(u.Host)
	if port := u.Port(); (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		host = strings.ToLower(u.Hostname())
		if strings.Contains(host, ":") { // IPv6 literal
			host = "[" + host + "]"
		}
	}
	return u.Scheme + "://" + host, ""
}
