package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/internal/bus"
	"github.com/adstream/adstream/internal/chserver"
	"github.com/adstream/adstream/internal/config"
	"github.com/adstream/adstream/internal/tokenbox"
)

// Ports of the private servers `adstream dev` starts; chosen apart from the
// ones the test scripts use, so `make run` and `make test` can run together.
const (
	devClickHousePort     = 18900
	devClickHouseHTTPPort = 18901
)

// devClickHouse returns a reachable ClickHouse: the configured one if it
// answers, else a private server under dataDir (stop is then non-nil).
func devClickHouse(ctx context.Context, cfg config.ClickHouse, dataDir string, log *slog.Logger) (config.ClickHouse, func(), error) {
	if conn, err := store.Open(ctx, cfg); err == nil {
		conn.Close()
		log.Info("using ClickHouse", "addr", cfg.Addr)
		return cfg, func() {}, nil
	}
	private := cfg
	private.Addr = net.JoinHostPort("127.0.0.1", fmt.Sprint(devClickHousePort))
	if conn, err := store.Open(ctx, private); err == nil {
		conn.Close()
		log.Info("using the private ClickHouse left running", "addr", private.Addr)
		return private, func() {}, nil
	}
	log.Info("ClickHouse not reachable; starting a private server", "configured", cfg.Addr, "dir", filepath.Join(dataDir, "clickhouse"))
	srv, err := chserver.Start(ctx, chserver.Options{
		Dir: filepath.Join(dataDir, "clickhouse"), TCPPort: devClickHousePort, HTTPPort: devClickHouseHTTPPort, Log: log,
	})
	if err != nil {
		return cfg, nil, err
	}
	log.Info("private ClickHouse started", "addr", srv.Addr)
	return private, srv.Stop, nil
}

// devKafka returns the configured brokers, or starts the embedded broker.
func devKafka(k config.Kafka, log *slog.Logger) (config.Kafka, func(), error) {
	if len(k.Brokers) > 0 {
		log.Info("using Kafka", "brokers", strings.Join(k.Brokers, ","))
		return k, func() {}, nil
	}
	emb, err := bus.StartEmbedded(0)
	if err != nil {
		return k, nil, err
	}
	k.Brokers = emb.Brokers()
	log.Info("embedded Kafka broker started (in memory, kfake)", "brokers", strings.Join(k.Brokers, ","))
	return k, emb.Close, nil
}

// devTokenKey returns the configured key, or one kept under dataDir so brand
// tokens stored by an earlier run still open.
func devTokenKey(key config.Secret, dataDir string) (config.Secret, error) {
	if key != "" {
		return key, nil
	}
	path := filepath.Join(dataDir, "token.key")
	if b, err := os.ReadFile(path); err == nil {
		return config.Secret(strings.TrimSpace(string(b))), nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return "", err
	}
	k := tokenbox.NewKey()
	if err := os.WriteFile(path, []byte(k+"\n"), 0o600); err != nil {
		return "", err
	}
	return config.Secret(k), nil
}
