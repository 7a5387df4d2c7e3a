package api_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
)

func TestHealth(t *testing.T) {
	tests := []struct {
		name       string
		give       string
		givePing   error
		wantStatus int
	}{
		{name: "healthz", give: "/healthz", wantStatus: http.StatusOK},
		{name: "healthz with ClickHouse down", give: "/healthz", givePing: errors.New("connection refused"), wantStatus: http.StatusOK},
		{name: "readyz", give: "/readyz", wantStatus: http.StatusOK},
		{name: "readyz with ClickHouse down", give: "/readyz", givePing: errors.New("connection refused"), wantStatus: http.StatusServiceUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := newFakeStore()
			st.pingErr = tt.givePing
			a := newTestAPI(t, st)
			status, body := a.do(t, http.MethodGet, tt.give, "")
			if status != tt.wantStatus {
				t.Errorf("status %d, want %d; body %s", status, tt.wantStatus, body)
			}
		})
	}
}

func TestMetricsCountRoutesAndStatuses(t *testing.T) {
	st := newFakeStore("brand-secret-7")
	st.count = 1
	a := newTestAPI(t, st)
	a.do(t, http.MethodGet, "/api/creatives/brand-secret-7?"+goodRange, "")            // 200
	a.do(t, http.MethodGet, "/api/creatives/brand-secret-7?"+goodRange+"&page=0", "")  // 400
	a.do(t, http.MethodGet, "/api/creatives/brand-secret-7?"+goodRange+"&limit=x", "") // 400
	a.do(t, http.MethodGet, "/api/creatives/brand-other-8?"+goodRange, "")             // 404
	a.do(t, http.MethodPost, "/api/creatives/sync/brand-secret-7", `{`)                // 400
	a.do(t, http.MethodGet, "/no/such/brand-secret-9", "")                             // 404

	status, body := a.do(t, http.MethodGet, "/metrics", "")
	if status != http.StatusOK {
		t.Fatalf("/metrics status %d", status)
	}
	text := string(body)
	for _, want := range []string{
		`adstream_http_requests_total{code="200",route="/api/creatives/:brandId"} 1`,
		`adstream_http_requests_total{code="400",route="/api/creatives/:brandId"} 2`,
		`adstream_http_requests_total{code="404",route="/api/creatives/:brandId"} 1`,
		`adstream_http_requests_total{code="400",route="/api/creatives/sync/:brandId"} 1`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %s; it has:\n%s", want, grepLines(text, "adstream_http_requests_total{"))
		}
	}
	if strings.Contains(text, "brand-secret") || strings.Contains(text, "brand-other") {
		t.Errorf("/metrics has a brand id in a label value:\n%s", grepLines(text, "brand-"))
	}
}

func grepLines(text, sub string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func TestUnknownRoute(t *testing.T) {
	tests := []struct {
		name   string
		method string
		give   string
	}{
		{name: "unknown path", method: http.MethodGet, give: "/api/nothing"},
		{name: "too deep", method: http.MethodGet, give: "/api/creatives/acme/extra/parts"},
		{name: "outside /api and the page", method: http.MethodGet, give: "/nothing"}, // GET / is the creative browser
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newTestAPI(t, newFakeStore("acme"))
			status, body := a.do(t, tt.method, tt.give, "")
			if status != http.StatusNotFound {
				t.Fatalf("status %d, want 404; body %s", status, body)
			}
			if e := decodeError(t, body); !strings.Contains(e.Error.Message, tt.give) {
				t.Errorf("message %q does not name the path %s", e.Error.Message, tt.give)
			}
		})
	}
}
