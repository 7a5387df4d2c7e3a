package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/internal/bus"
	"github.com/adstream/adstream/internal/chserver"
	"github.com/adstream/adstream/internal/config"
	"github.com/adstream/adstream/internal/tokenbox"
)

// devClickHousePort is the default native port of the private ClickHouse
// `adstream dev` starts (its HTTP interface takes the next port); it is apart
// from the ports the test scripts use, so `make run` and `make test` can run
// together.
const devClickHousePort = 18900

// loadDevClickHousePort reads the private server's native port.
func loadDevClickHousePort(e *config.Env) int {
	const name = "ADSTREAM_PRIVATE_CLICKHOUSE_PORT"
	port := e.Int(name, devClickHousePort, 1, "native port of the private ClickHouse dev starts; its HTTP interface takes the next port")
	if port > 65534 {
		e.Fail(name, "%d leaves no port above it for the HTTP interface", port)
	}
	return port
}

// devClickHouse returns a reachable ClickHouse: the configured one if it
// answers, else a private server under dataDir/clickhouse on port (stop then
// ends it). The private server dies with this process however it ends (see
// chserver.Start); a server some earlier dev left running is never reused:
// one of this data directory is replaced, one of another directory is
// reported with the port it holds.
func devClickHouse(ctx context.Context, cfg config.ClickHouse, dataDir string, port int, log *slog.Logger) (config.ClickHouse, func(), error) {
	if conn, err := store.Open(ctx, cfg); err == nil {
		conn.Close()
		log.Info("using ClickHouse", "addr", cfg.Addr)
		return cfg, func() {}, nil
	}
	dir := filepath.Join(dataDir, "clickhouse")
	log.Info("ClickHouse not reachable; starting a private server", "configured", cfg.Addr, "dir", dir)
	srv, err := chserver.Start(ctx, chserver.Options{Dir: dir, TCPPort: port, HTTPPort: port + 1, Log: log})
	var taken *chserver.PortTakenError
	switch {
	case errors.As(err, &taken):
		return cfg, nil, fmt.Errorf("private ClickHouse: %w; stop it, or set ADSTREAM_PRIVATE_CLICKHOUSE_PORT "+
			"to a free port (the next port must be free too)", err)
	case err != nil:
		return cfg, nil, fmt.Errorf("private ClickHouse: %w", err)
	}
	log.Info("private ClickHouse started", "addr", srv.Addr, "pid", srv.PID())
	private := cfg
	private.Addr = srv.Addr
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
