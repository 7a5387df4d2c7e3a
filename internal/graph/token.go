package graph

import (
	"log/slog"
	"strings"
)

const redacted = "[REDACTED]"

// Token is a Graph API access token. It is a secret: fmt, slog and
// encoding/json all print a placeholder, and the client sends it only in the
// Authorization header, never in a URL, so request URLs can be logged.
type Token string

// String keeps the token out of fmt output.
func (Token) String() string { return redacted }

// GoString keeps the token out of %#v output.
func (Token) GoString() string { return redacted }

// LogValue keeps the token out of slog output.
func (Token) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalText keeps the token out of JSON and other text encodings; store
// tokens encrypted from Reveal, never by marshalling a Token.
func (Token) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// Reveal returns the token itself, for the one place that must send it.
func (t Token) Reveal() string { return string(t) }

// scrub removes the token from s, for text the server wrote (error messages
// may echo a malformed token).
func (t Token) scrub(s string) string {
	if t == "" {
		return s
	}
	return strings.ReplaceAll(s, string(t), redacted)
}
