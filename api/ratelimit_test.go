package api_test

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/adstream/adstream/api"
)

const syncBody = `{"startDate":"2026-11-01","endDate":"2026-11-30"}`

// call is one request of a rate-limit scenario and the status it must get.
type call struct {
	method, target, body string
	headers              []string
	want                 int
}

func TestRateLimits(t *testing.T) {
	status := func(want int, headers ...string) call {
		return call{method: http.MethodGet, target: statusURL, headers: headers, want: want}
	}
	post := func(path string, want int) call {
		return call{method: http.MethodPost, target: "/api/creatives/" + path + "/acme", body: syncBody, want: want}
	}
	tests := []struct {
		name   string
		access api.Access
		give   []call
	}{
		{name: "per client without keys", access: api.Access{RateLimit: 3},
			give: []call{status(404), status(404), status(404), status(429), status(429),
				{method: http.MethodGet, target: "/healthz", want: 200}, {method: http.MethodGet, target: "/metrics", want: 200}}},
		{name: "per key: each key has its own budget", access: api.Access{Keys: adminKeys(keyA, keyB), RateLimit: 2},
			give: []call{status(404, "X-API-Key: "+keyA), status(404, "Authorization: Bearer "+keyA), status(429, "X-API-Key: "+keyA),
				status(404, "X-API-Key: "+keyB), status(404, "X-API-Key: "+keyB), status(429, "X-API-Key: "+keyB)}},
		{name: "wrong keys are limited per client", access: api.Access{Keys: adminKeys(keyA), RateLimit: 2},
			give: []call{status(401, "X-API-Key: wrong-0123456789abcdef"), status(401, "X-API-Key: wrong-1123456789abcdef"),
				status(429, "X-API-Key: wrong-2123456789abcdef"), status(404, "X-API-Key: "+keyA)}},
		{name: "sync and refresh share a stricter budget", access: api.Access{RateLimit: 100, SyncRateLimit: 2},
			give: []call{post("sync", 200), post("refresh", 200), post("sync", 429), post("refresh", 429), status(200)}},
		{name: "sync requests also count against the general limit", access: api.Access{RateLimit: 2, SyncRateLimit: 10},
			give: []call{post("sync", 200), status(200), post("sync", 429)}},
		{name: "zero disables", access: api.Access{},
			give: []call{post("sync", 200), post("sync", 200), post("sync", 200), post("refresh", 200), status(200)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newAccessAPI(t, tt.access)
			for i, c := range tt.give {
				r := a.send(t, c.method, c.target, c.body, c.headers...)
				if r.status != c.want {
					t.Fatalf("call %d %s %s: status %d, want %d; body %s", i+1, c.method, c.target, r.status, c.want, r.body)
				}
				if c.want != http.StatusTooManyRequests {
					continue
				}
				if got := decodeError(t, r.body).Error.Code; got != "rate_limited" {
					t.Errorf("call %d: error code %q, want rate_limited", i+1, got)
				}
				if s, err := strconv.Atoi(r.header.Get("Retry-After")); err != nil || s < 1 || s > 60 {
					t.Errorf("call %d: Retry-After %q, want 1-60 seconds", i+1, r.header.Get("Retry-After"))
				}
			}
		})
	}
}

func TestRateLimitHeaders(t *testing.T) {
	a := newAccessAPI(t, api.Access{RateLimit: 5})
	for want := 4; want >= 0; want-- {
		r := a.send(t, http.MethodGet, statusURL, "")
		if r.header.Get("X-RateLimit-Limit") != "5" || r.header.Get("X-RateLimit-Remaining") != strconv.Itoa(want) {
			t.Fatalf("headers %v, want limit 5 and %d remaining", r.header, want)
		}
	}
}
