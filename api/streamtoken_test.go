package api_test

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/adstream/adstream/api"
	"github.com/adstream/adstream/clickhouse/store"
)

const streamRange = "startDate=2026-11-01&endDate=2026-11-30"

// clock is a test clock that tests move on.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }
func newClock() *clock               { return &clock{t: testNow()} }
func eventsURL(brand, query string) string {
	return "/api/creatives/sync/events/" + brand + "?" + query
}

// newStreamAPI is the API with keyA scoped to acme, over a fake store whose
// acme range has a completed job (so a stream sends one event and ends).
func newStreamAPI(t *testing.T, clk *clock, secret []byte) *testAPI {
	t.Helper()
	st := newFakeStore("acme", "beta")
	st.job = &store.SyncJob{JobID: "job-1", Status: store.StatusCompleted}
	app := api.New(api.Deps{Store: st, Queue: &fakeQueue{}, Log: slog.New(slog.DiscardHandler), Registry: prometheus.NewRegistry(),
		Now: clk.now, StreamKey: secret, ProgressPoll: 10 * time.Millisecond,
		Access: api.Access{Keys: []api.Key{{Secret: keyA, Brands: []string{"acme"}}}}})
	return &testAPI{app: app, store: st}
}

// issueToken asks for a stream token of acme's range with keyA.
func issueToken(t *testing.T, a *testAPI, brand, query string) (string, string, time.Time) {
	t.Helper()
	r := a.send(t, http.MethodPost, "/api/creatives/sync/stream-token/"+brand+"?"+query, "", "Authorization: Bearer "+keyA)
	var body struct {
		Token     string    `json:"token"`
		URL       string    `json:"url"`
		ExpiresAt time.Time `json:"expiresAt"`
	}
	if err := json.Unmarshal(r.body, &body); err != nil || r.status != http.StatusOK || body.Token == "" {
		t.Fatalf("stream token: %d %s", r.status, r.body)
	}
	if r.header.Get("Cache-Control") != "no-store" {
		t.Errorf("a token answer may be cached: Cache-Control %q", r.header.Get("Cache-Control"))
	}
	return body.Token, body.URL, body.ExpiresAt
}

// EventSource cannot send a key: a stream token from an authenticated call
// opens the stream of its brand and range, for minutes, and nothing else.
func TestStreamToken(t *testing.T) {
	clk := newClock()
	a := newStreamAPI(t, clk, nil)
	token, streamURL, exp := issueToken(t, a, "acme", streamRange)
	if d := exp.Sub(clk.now()); d <= 0 || d > 10*time.Minute {
		t.Errorf("token lives %v, want (0, 10m]", d)
	}
	withToken := streamRange + "&streamToken=" + url.QueryEscape(token)

	r := a.send(t, http.MethodGet, streamURL, "")
	if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "text/event-stream") ||
		!strings.Contains(string(r.body), `"status":"completed"`) {
		t.Fatalf("the stream by the answer's url: %d %q %s", r.status, r.header.Get("Content-Type"), r.body)
	}

	tests := []struct {
		name, method, target string
		wantIn               string // in the 401's message
	}{
		{name: "the list", method: http.MethodGet, target: "/api/creatives/acme?" + withToken, wantIn: "missing API key"},
		{name: "the status", method: http.MethodGet, target: "/api/creatives/sync/status/acme?" + withToken, wantIn: "missing API key"},
		{name: "a new token", method: http.MethodPost, target: "/api/creatives/sync/stream-token/acme?" + withToken, wantIn: "missing API key"},
		{name: "another range", method: http.MethodGet, target: eventsURL("acme", "startDate=2026-11-01&endDate=2026-11-29&streamToken="+url.QueryEscape(token)), wantIn: "another brand or range"},
		{name: "another brand", method: http.MethodGet, target: eventsURL("beta", withToken), wantIn: "another brand or range"},
		{name: "a changed token", method: http.MethodGet, target: eventsURL("acme", streamRange+"&streamToken="+url.QueryEscape(token[:len(token)-2]+"xx")), wantIn: "bad signature"},
		{name: "not a token", method: http.MethodGet, target: eventsURL("acme", streamRange+"&streamToken=abc"), wantIn: "malformed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := a.send(t, tt.method, tt.target, "")
			if r.status != http.StatusUnauthorized {
				t.Fatalf("status %d, want 401; body %s", r.status, r.body)
			}
			if msg := decodeError(t, r.body).Error.Message; !strings.Contains(msg, tt.wantIn) {
				t.Errorf("message %q, want it to say %q", msg, tt.wantIn)
			}
		})
	}

	t.Run("expired", func(t *testing.T) {
		clk.add(6 * time.Minute)
		r := a.send(t, http.MethodGet, streamURL, "")
		if r.status != http.StatusUnauthorized || !strings.Contains(string(r.body), "expired") {
			t.Fatalf("a 6-minute-old token: %d %s; want 401 expired", r.status, r.body)
		}
	})
	t.Run("another server's secret", func(t *testing.T) {
		other := newStreamAPI(t, newClock(), []byte("another secret of thirty-two b.."))
		if r := other.send(t, http.MethodGet, eventsURL("acme", withToken), ""); r.status != http.StatusUnauthorized {
			t.Fatalf("a token of another server: %d %s", r.status, r.body)
		}
	})
	t.Run("no token for a brand out of the key's scope", func(t *testing.T) {
		r := a.send(t, http.MethodPost, "/api/creatives/sync/stream-token/beta?"+streamRange, "", "Authorization: Bearer "+keyA)
		if r.status != http.StatusNotFound {
			t.Fatalf("status %d, want 404; body %s", r.status, r.body)
		}
	})
	t.Run("a key still opens the stream", func(t *testing.T) {
		if r := a.send(t, http.MethodGet, eventsURL("acme", streamRange), "", "X-API-Key: "+keyA); r.status != http.StatusOK {
			t.Fatalf("status %d, body %s", r.status, r.body)
		}
		if r := a.send(t, http.MethodGet, eventsURL("acme", streamRange), ""); r.status != http.StatusUnauthorized {
			t.Fatalf("no key, no token: status %d, want 401", r.status)
		}
	})
}

// Two API instances sharing ADSTREAM_STREAM_KEY accept each other's tokens.
func TestStreamTokenSharedSecret(t *testing.T) {
	secret := []byte("a shared secret of 32 bytes here")
	one, two := newStreamAPI(t, newClock(), secret), newStreamAPI(t, newClock(), secret)
	_, streamURL, _ := issueToken(t, one, "acme", streamRange)
	if r := two.send(t, http.MethodGet, streamURL, ""); r.status != http.StatusOK {
		t.Fatalf("the other instance: %d %s", r.status, r.body)
	}
}
