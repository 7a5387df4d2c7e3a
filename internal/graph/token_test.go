package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestTokenPrintsRedacted(t *testing.T) {
	holder := struct{ Tok Token }{testToken}
	var logs bytes.Buffer
	slog.New(slog.NewTextHandler(&logs, nil)).Info("x", "tok", testToken, "holder", holder)
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("x", "tok", testToken, "holder", holder)
	js, _ := json.Marshal(holder)
	tests := []struct {
		name string
		give string
	}{
		{"%v", fmt.Sprintf("%v", testToken)},
		//lint:ignore S1025 the test is what fmt prints for %s, not what String returns
		{"%s", fmt.Sprintf("%s", testToken)},
		{"%q", fmt.Sprintf("%q", testToken)},
		{"%#v", fmt.Sprintf("%#v", testToken)},
		{"%+v struct", fmt.Sprintf("%+v", holder)},
		{"slog", logs.String()},
		{"json", string(js)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if strings.Contains(tt.give, string(testToken)) || !strings.Contains(tt.give, redacted) {
				t.Errorf("got %s, want %s and no token", tt.give, redacted)
			}
		})
	}
}

// TestTokenNeverLeaks drives errors, retries, paging and debug logs through
// a server that echoes the token back wherever the real API might.
func TestTokenNeverLeaks(t *testing.T) {
	h := newHarness(t, func(w http.ResponseWriter, r *http.Request, n int) {
		switch {
		case strings.HasPrefix(r.URL.Path, "/v21.0/expired"):
			graphError(w, 400, 190, 463, "Malformed access token "+string(testToken))
		case strings.HasPrefix(r.URL.Path, "/v21.0/act_1/broken"):
			fmt.Fprintf(w, `{"data":[{"id":"%s"`, testToken) // truncated
		case n%2 == 0: // every page fails once first, and gets retried
			w.WriteHeader(500)
			fmt.Fprintf(w, `{"error":{"message":"unknown error with %s","code":2}}`, testToken)
		default:
			pagedItems(4)(w, r, n)
		}
	})
	var errs []error
	errs = append(errs, h.c.Get(context.Background(), testToken, "expired", nil, nil))
	p := h.c.Pages(context.Background(), testToken, "act_1/ads", url.Values{"limit": {"2"}, "access_token": {string(testToken)}})
	for !p.Done() {
		if _, err := p.Next(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	h.c.cfg.MaxRetries = 1
	_, err := h.c.Pages(context.Background(), testToken, "act_1/broken", nil).Next(context.Background())
	errs = append(errs, err)

	for _, err := range errs {
		if err == nil || strings.Contains(err.Error(), string(testToken)) {
			t.Errorf("error %q: want an error without the token", err)
		}
	}
	if !strings.Contains(errs[0].Error(), "access token expired or invalid") {
		t.Errorf("190 error = %q, want it to name the expired token", errs[0])
	}
	if logs := h.logText(); !strings.Contains(logs, "graph retry") || strings.Contains(logs, string(testToken)) {
		t.Errorf("logs hold the token or no retry:\n%s", logs)
	}
	for _, r := range h.calls {
		if strings.Contains(r.URL.String(), string(testToken)) || strings.Contains(r.RequestURI, string(testToken)) {
			t.Errorf("request URL %s holds the token", r.RequestURI)
		}
	}
}
