package main

import (
	"context"
	"fmt"

	"github.com/adstream/adstream/clickhouse/migrate"
	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/internal/config"
	"github.com/adstream/adstream/internal/telemetry"
)

func migrateCommand() command {
	return command{summary: "apply the embedded ClickHouse migrations and exit",
		run: func(ctx context.Context, e *config.Env, io stdio) error {
			ch := config.LoadClickHouse(e)
			tel := config.LoadTelemetry(e, "")
			if err := e.Check(); err != nil {
				return err
			}
			log := telemetry.NewLogger(io.err, tel)
			conn, err := store.Open(ctx, ch)
			if err != nil {
				return err
			}
			defer conn.Close()
			version, err := store.ServerVersion(ctx, conn)
			if err != nil {
				return err
			}
			n, err := migrate.ApplyOn(ctx, conn, ch.Database, ch.Cluster, log)
			if err != nil {
				return err
			}
			on := ""
			if ch.Cluster != "" {
				on = " on cluster " + ch.Cluster
			}
			fmt.Fprintf(io.out, "clickhouse %s at %s: database %s%s, %d migration(s) applied\n", version, ch.Addr, ch.Database, on, n)
			return nil
		}}
}
