// Package migrate applies adstream's versioned ClickHouse schema, embedded in the binary.
package migrate

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"sort"
	"strconv"
	"strings"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

//go:embed sql/*.sql
var files embed.FS

// Migration is one numbered SQL file; {db} in its text stands for the database.
type Migration struct {
	Version uint32
	Name    string
	SQL     string
}

// All returns the embedded migrations in version order.
func All() ([]Migration, error) {
	entries, err := fs.ReadDir(files, "sql")
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, e := range entries {
		num, name, ok := strings.Cut(strings.TrimSuffix(e.Name(), ".sql"), "_")
		v, err := strconv.ParseUint(num, 10, 32)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must be NNNN_name.sql", e.Name())
		}
		body, err := files.ReadFile("sql/" + e.Name())
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: uint32(v), Name: name, SQL: string(body)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}

// Apply creates the database if needed and applies every migration not yet
// recorded in its schema_migrations table, in order. Each statement is
// idempotent (IF NOT EXISTS), so two processes migrating at once is safe.
func Apply(ctx context.Context, conn driver.Conn, database string, log *slog.Logger) (applied int, err error) {
	if err := conn.Exec(ctx, "CREATE DATABASE IF NOT EXISTS "+database); err != nil {
		return 0, fmt.Errorf("create database %s: %w", database, err)
	}
	if err := conn.Exec(ctx, "CREATE TABLE IF NOT EXISTS "+database+
		".schema_migrations (version UInt32, name String, applied_at DateTime DEFAULT now()) ENGINE = MergeTree ORDER BY version"); err != nil {
		return 0, fmt.Errorf("create schema_migrations: %w", err)
	}
	done, err := appliedVersions(ctx, conn, database)
	if err != nil {
		return 0, err
	}
	all, err := All()
	if err != nil {
		return 0, err
	}
	for _, m := range all {
		if done[m.Version] {
			continue
		}
		if err := conn.Exec(ctx, strings.ReplaceAll(m.SQL, "{db}", database)); err != nil {
			return applied, fmt.Errorf("migration %04d_%s: %w", m.Version, m.Name, err)
		}
		if err := record(ctx, conn, database, m); err != nil {
			return applied, fmt.Errorf("record migration %04d: %w", m.Version, err)
		}
		log.Info("migration applied", "version", m.Version, "name", m.Name)
		applied++
	}
	return applied, nil
}

func appliedVersions(ctx context.Context, conn driver.Conn, database string) (map[uint32]bool, error) {
	rows, err := conn.Query(ctx, "SELECT version FROM "+database+".schema_migrations")
	if err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	defer rows.Close()
	done := map[uint32]bool{}
	for rows.Next() {
		var v uint32
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		done[v] = true
	}
	return done, rows.Err()
}

// record inserts through a batch: ClickHouse 18.16 does not answer an INSERT
// with inline VALUES sent by clickhouse-go.
func record(ctx context.Context, conn driver.Conn, database string, m Migration) error {
	batch, err := conn.PrepareBatch(ctx, "INSERT INTO "+database+".schema_migrations (version, name)")
	if err != nil {
		return err
	}
	if err := batch.Append(m.Version, m.Name); err != nil {
		return err
	}
	return batch.Send()
}
