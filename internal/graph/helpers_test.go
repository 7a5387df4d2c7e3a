package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// testToken looks like a real token so that a leak is unmistakable.
const testToken Token = "EAABsecretTOKEN0123456789abcdef"

// harness is a Client against an httptest server, with a fake clock that
// the recorded sleeps advance and a captured debug log.
type harness struct {
	c   *Client
	srv *httptest.Server

	mu     sync.Mutex
	calls  []*http.Request // clones, in order
	sleeps []time.Duration
	clock  time.Time
	logs   bytes.Buffer
}

// handlerFunc serves call n (1-based).
type handlerFunc func(w http.ResponseWriter, r *http.Request, n int)

func newHarness(t *testing.T, h handlerFunc, mods ...func(*Config)) *harness {
	t.Helper()
	hs := &harness{clock: time.Date(2024, 1, 15, 10, 0, 0, 0, time.UTC)}
	hs.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hs.mu.Lock()
		hs.calls = append(hs.calls, r.Clone(context.Background()))
		n := len(hs.calls)
		hs.mu.Unlock()
		h(w, r, n)
	}))
	t.Cleanup(hs.srv.Close)
	cfg := Config{
		BaseURL: hs.srv.URL,
		Logger:  slog.New(slog.NewTextHandler(lockedWriter{hs}, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Sleep: func(ctx context.Context, d time.Duration) error {
			hs.mu.Lock()
			defer hs.mu.Unlock()
			hs.sleeps = append(hs.sleeps, d)
			hs.clock = hs.clock.Add(d)
			return ctx.Err()
		},
	}
	for _, m := range mods {
		m(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c.now = func() time.Time {
		hs.mu.Lock()
		defer hs.mu.Unlock()
		return hs.clock
	}
	c.jit = func() float64 { return 0.5 }
	hs.c = c
	return hs
}

func (h *harness) callCount() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.calls)
}

func (h *harness) sleepsSoFar() []time.Duration {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]time.Duration(nil), h.sleeps...)
}

func (h *harness) logText() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.logs.String()
}

type lockedWriter struct{ h *harness }

func (l lockedWriter) Write(p []byte) (int, error) {
	l.h.mu.Lock()
	defer l.h.mu.Unlock()
	return l.h.logs.Write(p)
}

// graphError writes an error envelope.
func graphError(w http.ResponseWriter, status, code, subcode int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"error":{"message":%q,"type":"OAuthException","code":%d,"error_subcode":%d,"fbtrace_id":"AbCdEf"}}`, msg, code, subcode)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
