package main

import (
	"context"
	"errors"

	"github.com/oklog/run"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/adstream/adstream/internal/telemetry"
)

// withMetrics runs fn and a /metrics server side by side; when either ends,
// the other is stopped and awaited.
func withMetrics(ctx context.Context, addr string, reg *prometheus.Registry, fn func(context.Context) error) error {
	var g run.Group
	addActor(&g, ctx, fn)
	addActor(&g, ctx, func(ctx context.Context) error { return telemetry.ServeMetrics(ctx, addr, reg) })
	return g.Run()
}

// addActor adds fn to g with its own cancel as the interrupt.
func addActor(g *run.Group, ctx context.Context, fn func(context.Context) error) {
	actx, cancel := context.WithCancel(ctx)
	g.Add(func() error {
		err := fn(actx)
		if errors.Is(err, context.Canceled) {
			return nil
		}
		return err
	}, func(error) { cancel() })
}
