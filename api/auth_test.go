package api_test

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/adstream/adstream/api"
)

const (
	keyA = "key-a-0123456789abcdef"
	keyB = "key-b-0123456789abcdef"
)

// newAccessAPI is the API over a fake store knowing brand "acme", with the
// given keys and limits.
func newAccessAPI(t *testing.T, access api.Access) *testAPI {
	t.Helper()
	logs := &bytes.Buffer{}
	st := newFakeStore("acme")
	q := &fakeQueue{}
	app := api.New(api.Deps{Store: st, Queue: q, Log: slog.New(slog.NewTextHandler(logs, nil)),
		Registry: prometheus.NewRegistry(), Access: access, Now: testNow})
	return &testAPI{app: app, store: st, queue: q, logs: logs}
}

// reply is what one request got back.
type reply struct {
	status int
	header http.Header
	body   []byte
}

// send sends one request with headers ("Name: value" each).
func (a *testAPI) send(t *testing.T, method, target, body string, headers ...string) reply {
	t.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ": ")
		req.Header.Set(k, v)
	}
	resp, err := a.app.Test(req, 5000)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{status: resp.StatusCode, header: resp.Header, body: b}
}

const statusURL = "/api/creatives/sync/status/acme?startDate=2026-11-01&endDate=2026-11-30"

func TestAPIKeys(t *testing.T) {
	a := newAccessAPI(t, api.Access{Keys: adminKeys(keyA, keyB)})
	tests := []struct {
		name     string
		target   string
		headers  []string
		want     int
		wantCode string // error.code when want is an error
	}{
		{name: "no key", target: statusURL, want: http.StatusUnauthorized, wantCode: "unauthorized"},
		{name: "wrong bearer key", target: statusURL, headers: []string{"Authorization: Bearer wrong-s3cr3t-0123456789"}, want: http.StatusUnauthorized, wantCode: "unauthorized"},
		{name: "wrong X-API-Key", target: statusURL, headers: []string{"X-API-Key: wrong-s3cr3t-0123456789"}, want: http.StatusUnauthorized, wantCode: "unauthorized"},
		{name: "a prefix of a key", target: statusURL, headers: []string{"X-API-Key: " + keyA[:10]}, want: http.StatusUnauthorized, wantCode: "unauthorized"},
		{name: "a key with a suffix", target: statusURL, headers: []string{"X-API-Key: " + keyA + "x"}, want: http.StatusUnauthorized, wantCode: "unauthorized"},
		{name: "basic scheme", target: statusURL, headers: []string{"Authorization: Basic " + keyA}, want: http.StatusUnauthorized, wantCode: "unauthorized"},
		{name: "bearer key", target: statusURL, headers: []string{"Authorization: Bearer " + keyA}, want: http.StatusNotFound, wantCode: "not_found"},
		{name: "bearer in lower case", target: statusURL, headers: []string{"Authorization: bearer " + keyB}, want: http.StatusNotFound, wantCode: "not_found"},
		{name: "X-API-Key, second key", target: statusURL, headers: []string{"X-API-Key: " + keyB}, want: http.StatusNotFound, wantCode: "not_found"},
		{name: "brands need a key", target: "/api/brands", want: http.StatusUnauthorized, wantCode: "unauthorized"},
		{name: "upper-case path needs a key", target: "/API/brands", want: http.StatusUnauthorized, wantCode: "unauthorized"},
		{name: "trailing slash needs a key", target: "/api/creatives/acme/", want: http.StatusUnauthorized, wantCode: "unauthorized"},
		{name: "unknown /api path needs a key", target: "/api/nope", want: http.StatusUnauthorized, wantCode: "unauthorized"},
		{name: "unknown /api path with a key", target: "/api/nope", headers: []string{"X-API-Key: " + keyA}, want: http.StatusNotFound, wantCode: "http_error"},
		{name: "healthz is open", target: "/healthz", want: http.StatusOK},
		{name: "readyz is open", target: "/readyz", want: http.StatusOK},
		{name: "metrics is open", target: "/metrics", want: http.StatusOK},
		{name: "openapi.json is open", target: "/openapi.json", want: http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := a.send(t, http.MethodGet, tt.target, "", tt.headers...)
			if r.status != tt.want {
				t.Fatalf("status %d, want %d; body %s", r.status, tt.want, r.body)
			}
			if tt.wantCode != "" {
				if got := decodeError(t, r.body).Error.Code; got != tt.wantCode {
					t.Errorf("error code %q, want %q", got, tt.wantCode)
				}
			}
			if tt.want == http.StatusUnauthorized && r.header.Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
			for _, leak := range []string{"s3cr3t", keyA[:10]} {
				if strings.Contains(string(r.body), leak) {
					t.Errorf("the response echoes a key: %s", r.body)
				}
			}
		})
	}
	if strings.Contains(a.logs.String(), "s3cr3t") || strings.Contains(a.logs.String(), keyA) {
		t.Errorf("a key reached the logs:\n%s", a.logs.String())
	}
}

// Without keys (dev) every route is open.
func TestNoKeysConfiguredLeavesTheAPIOpen(t *testing.T) {
	a := newAccessAPI(t, api.Access{})
	for _, target := range []string{statusURL, "/api/nope"} {
		if r := a.send(t, http.MethodGet, target, ""); r.status == http.StatusUnauthorized {
			t.Errorf("GET %s without keys configured: 401 %s", target, r.body)
		}
	}
}

// adminKeys are keys that may use every brand and the brand registry.
func adminKeys(secrets ...string) []api.Key {
	out := make([]api.Key, len(secrets))
	for i, s := range secrets {
		out[i] = api.Key{Secret: s, Brands: []string{api.AllBrands}}
	}
	return out
}
