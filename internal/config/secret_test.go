package config_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/adstream/adstream/internal/config"
)

const secretValue = "s3cr3t-hunter2"

func TestSecretNeverPrinted(t *testing.T) {
	pw := config.Secret(secretValue)
	ch := config.ClickHouse{Addr: "ch:9000", Database: "adstream", Username: "default", Password: pw}
	sync := config.Sync{TokenKey: pw}
	logWith := func(h func(*bytes.Buffer) slog.Handler, args ...any) string {
		var buf bytes.Buffer
		slog.New(h(&buf)).Info("settings", args...)
		return buf.String()
	}
	text := func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) }
	jsonH := func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) }
	marshal := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("json.Marshal: %v", err)
		}
		return string(b)
	}
	tests := []struct {
		name string
		give string // the printed output
	}{
		{name: "fmt %v", give: fmt.Sprintf("%v", pw)},
		//lint:ignore S1025 the test is what fmt prints for %s, not what String returns
		{name: "fmt %s", give: fmt.Sprintf("%s", pw)},
		{name: "fmt %q", give: fmt.Sprintf("%q", pw)},
		{name: "fmt %#v", give: fmt.Sprintf("%#v", pw)},
		{name: "fmt %v of struct", give: fmt.Sprintf("%v", ch)},
		{name: "fmt %+v of struct", give: fmt.Sprintf("%+v", ch)},
		{name: "fmt %#v of struct", give: fmt.Sprintf("%#v", ch)},
		{name: "fmt %+v of pointer to struct", give: fmt.Sprintf("%+v", &sync)},
		{name: "fmt Sprint", give: fmt.Sprint(pw, ch)},
		{name: "error wrapping", give: fmt.Errorf("connect with %v: %w", pw, fmt.Errorf("denied")).Error()},
		{name: "slog text", give: logWith(text, "password", pw)},
		{name: "slog text struct", give: logWith(text, "clickhouse", ch)},
		{name: "slog json", give: logWith(jsonH, "password", pw)},
		{name: "slog json struct", give: logWith(jsonH, "clickhouse", ch)},
		{name: "slog json group", give: logWith(jsonH, slog.Group("cfg", "password", pw))},
		{name: "json.Marshal", give: marshal(pw)},
		{name: "json.Marshal struct", give: marshal(ch)},
		{name: "json.Marshal map", give: marshal(map[string]any{"sync": sync})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if strings.Contains(tt.give, secretValue) {
				t.Errorf("secret printed: %s", tt.give)
			}
			if !strings.Contains(tt.give, "REDACTED") {
				t.Errorf("no placeholder where the secret was: %s", tt.give)
			}
		})
	}
	if pw.Reveal() != secretValue {
		t.Errorf("Reveal() = %q, want the value", pw.Reveal())
	}
}
