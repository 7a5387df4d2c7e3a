package api_test

import (
	"errors"
	"net"
	"net/http"
	"slices"
	"testing"

	"github.com/adstream/adstream/api"
)

// wantSecurityHeaders checks the headers every answer carries, and that an
// error is not cached.
func wantSecurityHeaders(t *testing.T, what string, r reply) {
	t.Helper()
	want := map[string]string{
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "no-referrer",
		"X-Frame-Options":         "DENY",
		"Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
	}
	if r.status >= 400 {
		want["Cache-Control"] = "no-store"
	}
	for k, v := range want {
		if got := r.header.Get(k); got != v {
			t.Errorf("%s (status %d): %s = %q, want %q", what, r.status, k, got, v)
		}
	}
}

// Every route the app serves, asked with and without an API key, answers
// with the security headers, whatever its status.
func TestSecurityHeadersOnEveryRoute(t *testing.T) {
	a := newAccessAPI(t, api.Access{Keys: adminKeys(keyA)})
	a.store.countErr = errors.New("disk on fire") // lists answer 500
	statuses := map[int]bool{}
	for _, rt := range a.app.GetRoutes(true) {
		path := fiberParam.ReplaceAllString(rt.Path, "acme")
		if rt.Path == "/" {
			path = "/no/such/route" // the catch-all: 404
		}
		body := ""
		if rt.Method == http.MethodPost {
			body = rangeJSON
		}
		for _, key := range []string{"", "X-API-Key: " + keyA} {
			r := a.send(t, rt.Method, path+"?"+goodRange, body, key)
			statuses[r.status] = true
			wantSecurityHeaders(t, rt.Method+" "+path+" ["+key+"]", r)
		}
	}
	for _, code := range []int{http.StatusOK, http.StatusUnauthorized, http.StatusNotFound, http.StatusInternalServerError, http.StatusServiceUnavailable} {
		if !statuses[code] {
			t.Errorf("no route answered %d; the test covers less than it claims (seen %v)", code, statuses)
		}
	}
}

// Answers that middleware or the error handler write on their own carry the
// headers too: rate limited, and a dependency down.
func TestSecurityHeadersOnRefusals(t *testing.T) {
	limited := newAccessAPI(t, api.Access{RateLimit: 1})
	limited.send(t, http.MethodGet, "/api/brands/acme", "")
	r := limited.send(t, http.MethodGet, "/api/brands/acme", "")
	if r.status != http.StatusTooManyRequests {
		t.Fatalf("second request: status %d, want 429", r.status)
	}
	wantSecurityHeaders(t, "rate limited", r)

	down := newAccessAPI(t, api.Access{})
	down.store.countErr = &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	r = down.send(t, http.MethodGet, "/api/creatives/acme?"+goodRange, "")
	if r.status != http.StatusServiceUnavailable {
		t.Fatalf("store down: status %d, want 503; body %s", r.status, r.body)
	}
	wantSecurityHeaders(t, "store down", r)
	if r.header.Get("Retry-After") == "" {
		t.Errorf("store down: no Retry-After")
	}
	if !slices.Contains([]string{"application/json", "application/json; charset=utf-8"}, r.header.Get("Content-Type")) {
		t.Errorf("store down: Content-Type %q, want JSON", r.header.Get("Content-Type"))
	}
}
