package main

import (
	"context"
	"errors"
	"log/slog"

	"github.com/oklog/run"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/adstream/adstream/api"
	"github.com/adstream/adstream/consumers"
	"github.com/adstream/adstream/internal/bus"
	"github.com/adstream/adstream/internal/config"
	"github.com/adstream/adstream/internal/telemetry"
	"github.com/adstream/adstream/producers"
)

func apiCommand() command {
	return command{summary: "serve the REST API (reads ClickHouse, queues syncs on Kafka)",
		run: func(ctx context.Context, e *config.Env, io stdio) error {
			s := settings{ClickHouse: config.LoadClickHouse(e), Kafka: config.LoadKafka(e),
				Telemetry: config.LoadTelemetry(e, ""), HTTPAddr: loadHTTPAddr(e), Topics: config.LoadTopics(e)}
			requireBrokers(e, s.Kafka)
			if err := e.Check(); err != nil {
				return err
			}
			log := telemetry.NewLogger(io.err, s.Telemetry)
			reg := telemetry.NewRegistry()
			deps, cleanup, err := apiDeps(ctx, s, log, reg)
			if err != nil {
				return err
			}
			defer cleanup()
			return api.Run(ctx, api.Config{Addr: s.HTTPAddr}, deps)
		}}
}

// apiDeps opens what the API needs; cleanup closes it after the API stopped.
func apiDeps(ctx context.Context, s settings, log *slog.Logger, reg *prometheus.Registry) (api.Deps, func(), error) {
	st, conn, err := openStore(ctx, s.ClickHouse, log)
	if err != nil {
		return api.Deps{}, nil, err
	}
	codec, err := newCodec(ctx, s.Kafka)
	if err != nil {
		conn.Close()
		return api.Deps{}, nil, err
	}
	cl, err := bus.NewClient(s.Kafka.Brokers, log)
	if err != nil {
		conn.Close()
		return api.Deps{}, nil, err
	}
	deps := api.Deps{Store: st, Queue: bus.NewSyncQueue(cl, s.Topics.SyncRequests, codec), Log: log, Registry: reg}
	return deps, func() { cl.Close(); conn.Close() }, nil
}

func producerCommand() command {
	return command{summary: "run sync jobs: page the Graph API and publish records to Kafka",
		run: func(ctx context.Context, e *config.Env, io stdio) error {
			s := settings{ClickHouse: config.LoadClickHouse(e), Kafka: config.LoadKafka(e), Graph: config.LoadGraph(e),
				Telemetry: config.LoadTelemetry(e, "127.0.0.1:9101"), Sync: config.LoadSync(e), Topics: config.LoadTopics(e)}
			requireBrokers(e, s.Kafka)
			requireTokenKey(e, s.Sync)
			if s.Graph.URL == "" && !e.Help {
				e.Fail("ADSTREAM_GRAPH_URL", "is required (only `adstream dev` serves graphsim by itself)")
			}
			if err := e.Check(); err != nil {
				return err
			}
			log := telemetry.NewLogger(io.err, s.Telemetry)
			reg := telemetry.NewRegistry()
			cfg, deps, cleanup, err := producerDeps(ctx, s, log, reg)
			if err != nil {
				return err
			}
			defer cleanup()
			return withMetrics(ctx, s.Telemetry.MetricsAddr, reg, func(ctx context.Context) error {
				return producers.Run(ctx, cfg, deps)
			})
		}}
}

func producerDeps(ctx context.Context, s settings, log *slog.Logger, reg prometheus.Registerer) (producers.Config, producers.Deps, func(), error) {
	st, conn, err := openStore(ctx, s.ClickHouse, log)
	if err != nil {
		return producers.Config{}, producers.Deps{}, nil, err
	}
	fail := func(err error) (producers.Config, producers.Deps, func(), error) {
		conn.Close()
		return producers.Config{}, producers.Deps{}, nil, err
	}
	codec, err := newCodec(ctx, s.Kafka)
	if err != nil {
		return fail(err)
	}
	gc, err := newGraphClient(s.Graph, log, reg)
	if err != nil {
		return fail(err)
	}
	box, err := newTokenBox(s.Sync.TokenKey)
	if err != nil {
		return fail(err)
	}
	cfg := producers.Config{Brokers: s.Kafka.Brokers, Topics: s.Topics, Group: s.Kafka.GroupPrefix + "-producers"}
	deps := producers.Deps{Brands: st, Graph: gc, Tokens: box, Codec: codec, Log: log, Metrics: reg}
	return cfg, deps, func() { conn.Close() }, nil
}

func consumerCommand() command {
	return command{summary: "move records from Kafka into ClickHouse in batches",
		run: func(ctx context.Context, e *config.Env, io stdio) error {
			s := settings{ClickHouse: config.LoadClickHouse(e), Kafka: config.LoadKafka(e),
				Telemetry: config.LoadTelemetry(e, "127.0.0.1:9102"), Topics: config.LoadTopics(e)}
			batch := loadBatch(e)
			requireBrokers(e, s.Kafka)
			if err := e.Check(); err != nil {
				return err
			}
			log := telemetry.NewLogger(io.err, s.Telemetry)
			reg := telemetry.NewRegistry()
			cfg, deps, cleanup, err := consumerDeps(ctx, s, batch, log, reg)
			if err != nil {
				return err
			}
			defer cleanup()
			return withMetrics(ctx, s.Telemetry.MetricsAddr, reg, func(ctx context.Context) error {
				return consumers.Run(ctx, cfg, deps)
			})
		}}
}

func loadBatch(e *config.Env) consumers.Config {
	return consumers.Config{
		BatchRows:  e.Int("ADSTREAM_BATCH_ROWS", 5000, 1, "consumer: insert when this many records are pending"),
		FlushEvery: e.Duration("ADSTREAM_FLUSH_INTERVAL", 1_000_000_000, "consumer: or when the oldest pending record is this old"),
	}
}

func consumerDeps(ctx context.Context, s settings, batch consumers.Config, log *slog.Logger, reg prometheus.Registerer) (consumers.Config, consumers.Deps, func(), error) {
	st, conn, err := openStore(ctx, s.ClickHouse, log)
	if err != nil {
		return consumers.Config{}, consumers.Deps{}, nil, err
	}
	codec, err := newCodec(ctx, s.Kafka)
	if err != nil {
		conn.Close()
		return consumers.Config{}, consumers.Deps{}, nil, err
	}
	batch.Brokers, batch.Topics, batch.Group = s.Kafka.Brokers, s.Topics, s.Kafka.GroupPrefix+"-consumers"
	return batch, consumers.Deps{Sink: st, Codec: codec, Log: log, Metrics: reg}, func() { conn.Close() }, nil
}

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
