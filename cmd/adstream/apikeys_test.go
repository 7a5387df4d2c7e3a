package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// `adstream api` refuses to serve /api/* without keys unless told to, and
// never shows a key; `dev` reads only the rate limits.
func TestAPICommandAccessSettings(t *testing.T) {
	base := map[string]string{"ADSTREAM_KAFKA_BROKERS": "127.0.0.1:1", "ADSTREAM_CLICKHOUSE_ADDR": "127.0.0.1:1"}
	tests := []struct {
		name       string
		give       []string
		env        map[string]string
		wantIn     []string // each must appear in the error or output
		wantNotIn  []string // none may appear in the error or output
		wantErrNow bool     // the settings are refused before anything is dialled
	}{
		{name: "no keys", give: []string{"api"}, wantErrNow: true,
			wantIn: []string{"ADSTREAM_API_KEYS", "ADSTREAM_ALLOW_NO_AUTH"}},
		{name: "a key too short, never shown", give: []string{"api"}, env: map[string]string{"ADSTREAM_API_KEYS": "s3cr3t"}, wantErrNow: true,
			wantIn: []string{"ADSTREAM_API_KEYS: entry 1 is shorter than 16"}, wantNotIn: []string{"s3cr3t"}},
		{name: "a bad rate limit", give: []string{"api"}, env: map[string]string{"ADSTREAM_ALLOW_NO_AUTH": "true", "ADSTREAM_RATE_LIMIT": "-5"}, wantErrNow: true,
			wantIn: []string{"ADSTREAM_RATE_LIMIT"}, wantNotIn: []string{"ADSTREAM_API_KEYS"}},
		{name: "api help lists the access settings", give: []string{"api", "--help"},
			wantIn: []string{"ADSTREAM_API_KEYS", "ADSTREAM_ALLOW_NO_AUTH", "ADSTREAM_RATE_LIMIT", "ADSTREAM_SYNC_RATE_LIMIT"}},
		{name: "dev help lists the limits, not keys", give: []string{"dev", "--help"},
			wantIn: []string{"ADSTREAM_RATE_LIMIT", "ADSTREAM_SYNC_RATE_LIMIT"}, wantNotIn: []string{"ADSTREAM_API_KEYS", "ADSTREAM_ALLOW_NO_AUTH"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{}
			for k, v := range base {
				env[k] = v
			}
			for k, v := range tt.env {
				env[k] = v
			}
			var out, errOut bytes.Buffer
			err := runMain(context.Background(), tt.give, func(k string) string { return env[k] }, &out, &errOut)
			all := out.String() + errOut.String()
			if err != nil {
				all += err.Error()
			}
			if tt.wantErrNow && err == nil {
				t.Fatalf("no error; output:\n%s", all)
			}
			for _, w := range tt.wantIn {
				if !strings.Contains(all, w) {
					t.Errorf("output lacks %q:\n%s", w, all)
				}
			}
			for _, w := range tt.wantNotIn {
				if strings.Contains(all, w) {
					t.Errorf("output shows %q:\n%s", w, all)
				}
			}
		})
	}
}
