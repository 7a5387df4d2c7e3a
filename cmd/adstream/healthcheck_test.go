package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestHealthcheck(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/readyz" {
			http.Error(w, "clickhouse unreachable", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	tests := []struct {
		name      string
		give      string
		wantErrIn string // "" means healthy
	}{
		{name: "2xx is healthy", give: srv.URL + "/metrics"},
		{name: "503 is not", give: srv.URL + "/readyz", wantErrIn: "503"},
		{name: "nothing listening is not", give: "http://127.0.0.1:1/metrics", wantErrIn: "healthcheck"},
		{name: "not a URL", give: "127.0.0.1:8080", wantErrIn: "--url"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := runMain(context.Background(), []string{"healthcheck", "--url", tt.give}, func(string) string { return "" }, &out, &errOut)
			if tt.wantErrIn == "" {
				if err != nil {
					t.Fatalf("healthcheck %s: %v", tt.give, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErrIn) {
				t.Errorf("healthcheck %s: err = %v, want one naming %q", tt.give, err, tt.wantErrIn)
			}
		})
	}
}
