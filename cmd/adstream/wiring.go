package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/adstream/adstream/clickhouse/migrate"
	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/internal/config"
	"github.com/adstream/adstream/internal/graph"
	"github.com/adstream/adstream/internal/tokenbox"
	"github.com/adstream/adstream/schemas"
)

// openStore connects to ClickHouse and applies pending migrations, so every
// role can start on an empty server.
func openStore(ctx context.Context, cfg config.ClickHouse, log *slog.Logger) (*store.Store, driver.Conn, error) {
	conn, err := store.Open(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	if _, err := migrate.ApplyOn(ctx, conn, cfg.Database, cfg.Cluster, log); err != nil {
		conn.Close()
		return nil, nil, err
	}
	return store.New(conn, cfg.Database), conn, nil
}

// newCodec picks the record framing: Confluent wire format through the schema
// registry when one is configured, else Avro single-object encoding. Subjects
// follow the topics' configured names ("<topic>-value").
func newCodec(ctx context.Context, k config.Kafka, topics config.Topics) (schemas.Codec, error) {
	if k.RegistryURL == "" {
		return schemas.NewSerde()
	}
	cl, err := sr.NewClient(sr.URLs(k.RegistryURL))
	if err != nil {
		return nil, fmt.Errorf("schema registry: %w", err)
	}
	return schemas.NewRegistrySerde(ctx, cl, func(topic, record string) string {
		return schemas.TopicNameStrategy(topics.Named(topic), record)
	})
}

func newGraphClient(g config.Graph, log *slog.Logger, reg prometheus.Registerer) (*graph.Client, error) {
	return graph.New(graph.Config{
		BaseURL:    g.URL,
		Version:    g.Version,
		HTTPClient: &http.Client{Timeout: 60 * time.Second},
		Logger:     log,
		Observer:   graph.NewMetrics(reg, graph.MetricsOptions{AccountLabels: g.AccountLabels}),
	})
}

func newTokenBox(key config.Secret) (*tokenbox.Box, error) {
	box, err := tokenbox.New(key.Reveal())
	if err != nil {
		return nil, fmt.Errorf("ADSTREAM_TOKEN_KEY: %w", err)
	}
	return box, nil
}
