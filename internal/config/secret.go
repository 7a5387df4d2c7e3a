package config

import "log/slog"

// Secret is a value such as a password or key that must never reach logs,
// metrics or Kafka. Printing it in any way shows a placeholder.
type Secret string

const redacted = "[REDACTED]"

// LogValue keeps the secret out of slog output.
func (s Secret) LogValue() slog.Value { return slog.StringValue(redacted) }

// String keeps the secret out of fmt output.
func (s Secret) String() string { return redacted }

// GoString keeps the secret out of %#v output.
func (s Secret) GoString() string { return redacted }

// MarshalText keeps the secret out of encoding/json (and so out of slog's
// JSON handler when a struct holding it is logged) and other text encoders.
func (s Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// Reveal returns the value itself, for the one place that must use it.
func (s Secret) Reveal() string { return string(s) }
