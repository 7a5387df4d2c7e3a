// Package telemetry builds the logger and the Prometheus registry every role shares.
package telemetry

import (
	"io"
	"log/slog"

	"github.com/adstream/adstream/internal/config"
)

// NewLogger returns the one logger main builds and passes down.
func NewLogger(w io.Writer, cfg config.Telemetry) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
