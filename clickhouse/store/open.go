// Package store reads and writes adstream's ClickHouse tables.
package store

import (
	"context"
	"fmt"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/adstream/adstream/internal/config"
)

// Open connects to ClickHouse over the native protocol and pings it. The
// connection is bound to the "default" database: every statement names its
// database, so Open works before the adstream database exists.
func Open(ctx context.Context, cfg config.ClickHouse) (driver.Conn, error) {
	conn, err := ch.Open(&ch.Options{
		Addr:            []string{cfg.Addr},
		Auth:            ch.Auth{Database: "default", Username: cfg.Username, Password: cfg.Password.Reveal()},
		DialTimeout:     5 * time.Second,
		ReadTimeout:     60 * time.Second,
		MaxOpenConns:    16,
		MaxIdleConns:    4,
		ConnMaxLifetime: time.Hour,
	})
	if err != nil {
		return nil, fmt.Errorf("clickhouse %s: %w", cfg.Addr, err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := conn.Ping(pingCtx); err != nil {
		conn.Close()
		return nil, fmt.Errorf("clickhouse %s: %w", cfg.Addr, err)
	}
	return conn, nil
}

// ServerVersion returns the server's version string, e.g. "18.16.1".
func ServerVersion(ctx context.Context, conn driver.Conn) (string, error) {
	var v string
	err := conn.QueryRow(ctx, "SELECT version()").Scan(&v)
	return v, err
}
