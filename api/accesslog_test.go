package api_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/adstream/adstream/api"
)

var generatedID = regexp.MustCompile(`^[0-9a-f]{32}$`)

// Every request gets an id, echoed in X-Request-Id and in its one
// access-log line, which names the route pattern and never a key, a token
// or the query string.
func TestAccessLogAndRequestID(t *testing.T) {
	a := newAccessAPI(t, api.Access{Keys: adminKeys(keyA)})
	auth := "Authorization: Bearer " + keyA

	kept := a.send(t, http.MethodGet, statusURL, "", auth, "X-Request-Id: 3f2a9c1e-7b4d-4e8a-9c0f-123456789abc")
	if got := kept.header.Get("X-Request-Id"); got != "3f2a9c1e-7b4d-4e8a-9c0f-123456789abc" {
		t.Errorf("a plausible client id: X-Request-Id %q, want it echoed", got)
	}
	var ids []string
	for _, give := range []string{"", "short", `"><script>alert(1)</script>`, strings.Repeat("a", 200)} {
		r := a.send(t, http.MethodGet, statusURL, "", auth, "X-Request-Id: "+give)
		id := r.header.Get("X-Request-Id")
		if !generatedID.MatchString(id) {
			t.Errorf("client id %q: X-Request-Id %q, want a new 32-hex id", give, id)
		}
		ids = append(ids, id)
	}
	if ids[0] == ids[1] {
		t.Errorf("two requests got the same id %s", ids[0])
	}

	tok := a.send(t, http.MethodPost, "/api/creatives/sync/stream-token/acme?startDate=2026-11-01&endDate=2026-11-30", "", auth)
	var body struct{ Token string }
	if err := json.Unmarshal(tok.body, &body); err != nil || body.Token == "" {
		t.Fatalf("stream token: %d %s", tok.status, tok.body)
	}
	a.send(t, http.MethodGet, "/api/creatives/sync/events/acme?startDate=2026-11-01&endDate=2026-11-30&streamToken="+url.QueryEscape(body.Token), "")
	a.send(t, http.MethodGet, "/api/creatives/acme?startDate=2026-11-01&endDate=2026-11-30&api_key="+keyA, "", "X-API-Key: "+keyA)
	a.send(t, http.MethodGet, "/healthz", "")

	logs := a.logs.String()
	var lines []string
	for _, l := range strings.Split(logs, "\n") {
		if strings.Contains(l, `msg="http request"`) {
			lines = append(lines, l)
		}
	}
	if len(lines) != 9 {
		t.Fatalf("%d access-log lines for 9 requests:\n%s", len(lines), logs)
	}
	for _, want := range []string{
		"method=GET route=/api/creatives/sync/status/:brandId status=404 ",
		"request_id=3f2a9c1e-7b4d-4e8a-9c0f-123456789abc",
		"method=POST route=/api/creatives/sync/stream-token/:brandId status=200 ",
		"route=/api/creatives/sync/events/:brandId status=404 ",
		"method=GET route=/healthz status=200 ",
		"request_id=" + ids[0],
	} {
		if !strings.Contains(logs, want) {
			t.Errorf("the access log lacks %q:\n%s", want, logs)
		}
	}
	if !regexp.MustCompile(`route=/healthz status=200 duration=\S+ request_id=[0-9a-f]{32} bytes=15`).MatchString(logs) {
		t.Errorf("the healthz line lacks its duration, id or bytes:\n%s", logs)
	}
	for _, secret := range []string{keyA, body.Token, "streamToken", "startDate=", "<script>"} {
		if strings.Contains(logs, secret) {
			t.Errorf("the log holds %q:\n%s", secret, logs)
		}
	}
}
