package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/internal/config"
	"github.com/adstream/adstream/internal/graph"
	"github.com/adstream/adstream/internal/jobs"
	"github.com/adstream/adstream/internal/telemetry"
	"github.com/adstream/adstream/producers"
)

func producerCommand() command {
	return command{summary: "run sync jobs: page the Graph API and publish records to Kafka",
		run: func(ctx context.Context, e *config.Env, io stdio) error {
			s := settings{ClickHouse: config.LoadClickHouse(e), Kafka: config.LoadKafka(e), Graph: config.LoadGraph(e),
				Telemetry: config.LoadTelemetry(e, "127.0.0.1:9101"), Sync: config.LoadSync(e), Topics: config.LoadTopics(e),
				RefreshInterval: loadRefreshInterval(e), InsightsLookback: loadInsightsLookback(e), Membership: config.LoadMembership(e),
				GraphConcurrency: loadGraphConcurrency(e)}
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
			gc, err := newGraphClient(s.Graph, log, reg)
			if err != nil {
				return err
			}
			st, conn, err := openStore(ctx, s.ClickHouse, log)
			if err != nil {
				return err
			}
			defer conn.Close()
			cfg, deps, err := producerDeps(ctx, s, st, log, reg, gc)
			if err != nil {
				return err
			}
			id, release := instanceID(s.Membership, "producer", log)
			defer release()
			cfg.InstanceID = id
			return withMetrics(ctx, s.Telemetry.MetricsAddr, reg, func(ctx context.Context) error {
				return producers.Run(ctx, cfg, deps)
			})
		}}
}

func loadRefreshInterval(e *config.Env) time.Duration {
	return e.Duration("ADSTREAM_REFRESH_INTERVAL", 6*time.Hour, "refresh every range synced in the last 30 days when its last sync is this old (producer); pre-sync skips a range synced more recently (api)")
}

func loadInsightsLookback(e *config.Env) time.Duration {
	return e.Duration("ADSTREAM_INSIGHTS_LOOKBACK", jobs.Lookback,
		"restatement window: a day fetched less than this after it ended is fetched again by the next sync covering it (producer)")
}

func loadGraphConcurrency(e *config.Env) int {
	return e.Int("ADSTREAM_GRAPH_CONCURRENCY", producers.DefaultGraphConcurrency, 1,
		"Graph API calls a sync job has in flight at most; fewer while the API reports high usage (producer)")
}

// producerDeps builds what a producer needs over st (brands and job history).
func producerDeps(ctx context.Context, s settings, st *store.Store, log *slog.Logger, reg prometheus.Registerer, gc *graph.Client) (producers.Config, producers.Deps, error) {
	codec, err := newCodec(ctx, s.Kafka, s.Topics)
	if err != nil {
		return producers.Config{}, producers.Deps{}, err
	}
	box, err := newTokenBox(s.Sync.TokenKey)
	if err != nil {
		return producers.Config{}, producers.Deps{}, err
	}
	cfg := producers.Config{Brokers: s.Kafka.Brokers, Topics: s.Topics, Group: s.Kafka.ProducerGroup(),
		SessionTimeout: s.Membership.SessionTimeout, Refresh: producers.SchedulerConfig{Interval: s.RefreshInterval}, Lookback: s.InsightsLookback,
		GraphConcurrency: s.GraphConcurrency}
	deps := producers.Deps{Brands: st, Graph: gc, Tokens: box, Codec: codec, Log: log, Metrics: reg, Jobs: st}
	return cfg, deps, nil
}
