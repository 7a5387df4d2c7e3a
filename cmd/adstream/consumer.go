package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/consumers"
	"github.com/adstream/adstream/internal/config"
	"github.com/adstream/adstream/internal/telemetry"
)

func consumerCommand() command {
	return command{summary: "move records from Kafka into ClickHouse in batches",
		run: func(ctx context.Context, e *config.Env, io stdio) error {
			s := settings{ClickHouse: config.LoadClickHouse(e), Kafka: config.LoadKafka(e),
				Telemetry: config.LoadTelemetry(e, "127.0.0.1:9102"), Topics: config.LoadTopics(e), Membership: config.LoadMembership(e)}
			batch := loadBatch(e, consumers.DefaultBatchRows)
			requireBrokers(e, s.Kafka)
			if err := e.Check(); err != nil {
				return err
			}
			log := telemetry.NewLogger(io.err, s.Telemetry)
			reg := telemetry.NewRegistry()
			st, conn, err := openStore(ctx, s.ClickHouse, log)
			if err != nil {
				return err
			}
			defer conn.Close()
			cfg, deps, err := consumerDeps(ctx, s, st, batch, log, reg)
			if err != nil {
				return err
			}
			id, release := instanceID(s.Membership, "consumer", log)
			defer release()
			cfg.InstanceID = id
			return withMetrics(ctx, s.Telemetry.MetricsAddr, reg, func(ctx context.Context) error {
				return consumers.Run(ctx, cfg, deps)
			})
		}}
}

// loadBatch reads the consumer's batching, whose size is batchRows unless
// ADSTREAM_BATCH_ROWS says otherwise.
func loadBatch(e *config.Env, batchRows int) consumers.Config {
	return consumers.Config{
		BatchRows:  e.Int("ADSTREAM_BATCH_ROWS", batchRows, 1, "consumer: insert when this many records are pending"),
		FlushEvery: e.Duration("ADSTREAM_FLUSH_INTERVAL", time.Second, "consumer: or when the oldest pending record is this old"),
	}
}

// consumerDeps builds what a consumer needs over st, its sink and aggregates.
func consumerDeps(ctx context.Context, s settings, st *store.Store, batch consumers.Config, log *slog.Logger, reg prometheus.Registerer) (consumers.Config, consumers.Deps, error) {
	codec, err := newCodec(ctx, s.Kafka, s.Topics)
	if err != nil {
		return consumers.Config{}, consumers.Deps{}, err
	}
	batch.Brokers, batch.Topics, batch.Group = s.Kafka.Brokers, s.Topics, s.Kafka.ConsumerGroup()
	batch.SessionTimeout = s.Membership.SessionTimeout
	return batch, consumers.Deps{Sink: st, Aggregates: st, Codec: codec, Log: log, Metrics: reg}, nil
}

// withMetrics runs fn and a /metrics server side by side; when either ends,
// the other is stopped and awaited.
