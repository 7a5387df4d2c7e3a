package api_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/adstream/adstream/api"
)

const allowedOrigin = "https://app.example.com"

// newCORSAPI is the API with keys and one allowed origin.
func newCORSAPI(t *testing.T) *testAPI {
	t.Helper()
	st := newFakeStore("acme")
	app := api.New(api.Deps{Store: st, Queue: &fakeQueue{}, Log: slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil)),
		Registry: prometheus.NewRegistry(), Access: api.Access{Keys: adminKeys(keyA)}, Now: testNow,
		CORSOrigins: []string{allowedOrigin}})
	return &testAPI{app: app, store: st}
}

// A browser on an allowed origin gets its preflight answered without a
// key, and may read the answers; any other origin gets no CORS header.
func TestCORS(t *testing.T) {
	a := newCORSAPI(t)
	preflight := func(origin string) reply {
		return a.send(t, http.MethodOptions, statusURL, "", "Origin: "+origin,
			"Access-Control-Request-Method: GET", "Access-Control-Request-Headers: authorization")
	}
	t.Run("preflight from an allowed origin", func(t *testing.T) {
		r := preflight(allowedOrigin)
		if r.status != http.StatusNoContent {
			t.Fatalf("status %d, want 204; body %s", r.status, r.body)
		}
		for h, want := range map[string]string{
			"Access-Control-Allow-Origin":  allowedOrigin,
			"Access-Control-Allow-Methods": "GET",
			"Access-Control-Allow-Headers": "Authorization",
			"Access-Control-Max-Age":       "600",
			"Vary":                         "Origin",
		} {
			if got := r.header.Get(h); !strings.Contains(got, want) {
				t.Errorf("%s = %q, want it to hold %q", h, got, want)
			}
		}
		if r.header.Get("Access-Control-Allow-Credentials") != "" {
			t.Error("credentials allowed: keys are headers, never cookies")
		}
	})
	t.Run("preflight from another origin", func(t *testing.T) {
		r := preflight("https://evil.example.com")
		assertNoCORS(t, r)
		if r.header.Get("Vary") != "Origin" {
			t.Errorf("Vary = %q, want Origin", r.header.Get("Vary"))
		}
	})
	t.Run("a read from an allowed origin", func(t *testing.T) {
		r := a.send(t, http.MethodGet, statusURL, "", "Origin: "+allowedOrigin, "Authorization: Bearer "+keyA)
		if r.status != http.StatusNotFound { // acme has no job: the read itself went through
			t.Fatalf("status %d, want 404; body %s", r.status, r.body)
		}
		if r.header.Get("Access-Control-Allow-Origin") != allowedOrigin || !strings.Contains(r.header.Get("Access-Control-Expose-Headers"), "ETag") {
			t.Errorf("headers %v; want the origin allowed and ETag exposed", r.header)
		}
	})
	t.Run("an unauthorized read still tells the page why", func(t *testing.T) {
		r := a.send(t, http.MethodGet, statusURL, "", "Origin: "+allowedOrigin)
		if r.status != http.StatusUnauthorized || r.header.Get("Access-Control-Allow-Origin") != allowedOrigin {
			t.Errorf("status %d, Allow-Origin %q; want 401 readable by the page", r.status, r.header.Get("Access-Control-Allow-Origin"))
		}
	})
	t.Run("a read from another origin", func(t *testing.T) {
		assertNoCORS(t, a.send(t, http.MethodGet, statusURL, "", "Origin: https://app.example.com.evil.com", "Authorization: Bearer "+keyA))
	})
}

func assertNoCORS(t *testing.T, r reply) {
	t.Helper()
	for h := range r.header {
		if strings.HasPrefix(h, "Access-Control-") {
			t.Errorf("%s: %q sent to an origin not allowed", h, r.header.Get(h))
		}
	}
}

// Without configured origins nothing changes: a preflight is no route.
func TestNoCORSOriginsConfigured(t *testing.T) {
	a := newAccessAPI(t, api.Access{})
	r := a.send(t, http.MethodOptions, statusURL, "", "Origin: "+allowedOrigin, "Access-Control-Request-Method: GET")
	if r.status == http.StatusNoContent {
		t.Errorf("preflight answered 204 with no origin configured")
	}
	assertNoCORS(t, r)
}
