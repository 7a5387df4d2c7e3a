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
	"github.com/ClickHouse/clickhouse-go/v2/lib/proto"
)

//go:embed sql/*.sql
var files embed.FS

// Migration is one numbered SQL file: one statement, or several that each end
// with a semicolon at the end of a line. In its text {db} stands for the
// database and {definer} for the security clause that lets a view read what
// its reader may not (see viewDefiner).
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
// recorded in its schema_migrations table, in order, on the one server conn
// reaches. Two processes migrating at once both succeed: a statement the
// other ran first is taken as done (ranBefore).
func Apply(ctx context.Context, conn driver.Conn, database string, log *slog.Logger) (applied int, err error) {
	return ApplyOn(ctx, conn, database, "", log)
}

// ApplyOn is Apply for the ClickHouse cluster named cluster, defined in the
// remote_servers of the server conn reaches; an empty cluster is Apply. Every
// statement runs ON CLUSTER with replicated engines (see ForCluster), so each
// DDL returns once every server ran it, and schema_migrations is replicated:
// whichever replica a later run reaches, it finds what ran.
func ApplyOn(ctx context.Context, conn driver.Conn, database, cluster string, log *slog.Logger) (applied int, err error) {
	server, err := conn.ServerVersion()
	if err != nil {
		return 0, fmt.Errorf("server version: %w", err)
	}
	expand := strings.NewReplacer("{db}", database, "{definer}", viewDefiner(server.Version)).Replace
	prepare := func(stmt string) (string, error) {
		if cluster == "" {
			return expand(stmt), nil
		}
		out, err := ForCluster(stmt, cluster)
		return expand(out), err
	}
	if cluster != "" {
		if err := checkCluster(ctx, conn, cluster); err != nil {
			return 0, err
		}
	}
	for _, bootstrap := range []struct{ what, stmt string }{
		{"create database " + database, "CREATE DATABASE IF NOT EXISTS {db}"},
		{"create schema_migrations", "CREATE TABLE IF NOT EXISTS {db}.schema_migrations (version UInt32, name String, applied_at DateTime DEFAULT now()) ENGINE = MergeTree ORDER BY version"},
	} {
		stmt, err := prepare(bootstrap.stmt)
		if err == nil {
			if err = conn.Exec(ctx, stmt); ranBefore(stmt, err) {
				err = nil
			}
		}
		if err != nil {
			return 0, fmt.Errorf("%s: %w", bootstrap.what, err)
		}
	}
	if cluster != "" {
		// Records inserted on another replica may not have reached this one.
		if err := conn.Exec(ctx, "SYSTEM SYNC REPLICA "+database+".schema_migrations"); err != nil {
			return 0, fmt.Errorf("sync schema_migrations: %w", err)
		}
	}
	done, err := appliedVersions(ctx, conn, database)
	if err != nil {
		return 0, err
	}
	all, err := All()
	if err != nil {
		return 0, err
	}
	// Every pending statement is prepared before the first runs, so a
	// statement the cluster rewrite refuses leaves the schema as it was.
	var pending []Migration
	var stmts [][]string
	for _, m := range all {
		if done[m.Version] {
			continue
		}
		var ready []string
		for i, stmt := range Statements(m.SQL) {
			s, err := prepare(stmt)
			if err != nil {
				return 0, fmt.Errorf("migration %04d_%s, statement %d: %w", m.Version, m.Name, i+1, err)
			}
			ready = append(ready, s)
		}
		pending, stmts = append(pending, m), append(stmts, ready)
	}
	for k, m := range pending {
		for i, stmt := range stmts[k] {
			if err := conn.Exec(ctx, stmt); err != nil && !ranBefore(stmt, err) {
				return applied, fmt.Errorf("migration %04d_%s, statement %d: %w", m.Version, m.Name, i+1, err)
			}
		}
		if err := record(ctx, conn, database, m); err != nil {
			return applied, fmt.Errorf("record migration %04d: %w", m.Version, err)
		}
		log.Info("migration applied", "version", m.Version, "name", m.Name)
		applied++
	}
	return applied, nil
}

// Statements splits a migration's text into its statements: a statement ends
// with a line whose last character is a semicolon (comment lines aside); a
// text without one is one statement. Parts holding only comments are dropped.
func Statements(sql string) []string {
	var out []string
	var cur []string
	flush := func() {
		stmt := strings.TrimSpace(strings.Join(cur, "\n"))
		cur = nil
		code := false
		for line := range strings.SplitSeq(stmt, "\n") {
			if t := strings.TrimSpace(line); t != "" && !strings.HasPrefix(t, "--") {
				code = true
			}
		}
		if code {
			out = append(out, strings.TrimSuffix(stmt, ";"))
		}
	}
	for line := range strings.SplitSeq(sql, "\n") {
		cur = append(cur, line)
		t := strings.TrimSpace(line)
		if strings.HasSuffix(t, ";") && !strings.HasPrefix(t, "--") {
			flush()
		}
	}
	flush()
	return out
}

// viewDefiner is the clause that makes a view run its query with the rights
// of the user who ran the migration, so that the adstream_bi user, who may
// read only the views' database, can read the views: on 24.x a view checks
// its reader's rights on every table it reads unless it says SQL SECURITY
// DEFINER. The clause came with the 24 releases; 24.4 is a conservative floor
// (docker-compose.yml runs 24.8). 18.16 knows no such clause, and needs none
// for our views: they read the raw_* materialized views of their own
// database, and 18.16 reads a materialized view's TO table without checking
// the reader's rights on it (measured).
func viewDefiner(v proto.Version) string {
	if v.Major > 24 || v.Major == 24 && v.Minor >= 4 {
		return "DEFINER = CURRENT_USER SQL SECURITY DEFINER"
	}
	return ""
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

// checkCluster fails unless the server conn reaches defines cluster as one
// shard: adstream replicates its tables and reads them locally, which is
// exact only when every replica holds every row (README "Scale-out").
func checkCluster(ctx context.Context, conn driver.Conn, cluster string) error {
	var shards, replicas uint64
	if err := conn.QueryRow(ctx, "SELECT uniqExact(shard_num), count() FROM system.clusters WHERE cluster = ?", cluster).
		Scan(&shards, &replicas); err != nil {
		return fmt.Errorf("read cluster %s: %w", cluster, err)
	}
	switch {
	case replicas == 0:
		return fmt.Errorf("cluster %q is not in the server's remote_servers (system.clusters)", cluster)
	case shards > 1:
		return fmt.Errorf("cluster %q has %d shards: adstream's tables are replicated, not sharded; define one shard with every replica in it", cluster, shards)
	}
	return nil
}
