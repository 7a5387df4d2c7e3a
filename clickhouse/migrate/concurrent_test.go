package migrate_test

import (
	"context"
	"log/slog"
	"sync"
	"testing"

	"github.com/adstream/adstream/clickhouse/migrate"
	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/internal/config"
	"github.com/adstream/adstream/internal/testenv"
)

// Every role migrates at start, so two replicas of a role started together
// run the same migrations at once: each must succeed and leave the whole
// schema, although the other ran some statements first.
func TestConcurrentMigrationsAllSucceed(t *testing.T) {
	ctx := context.Background()
	all, err := migrate.All()
	if err != nil {
		t.Fatal(err)
	}
	for round := range 3 {
		db := testenv.UniqueName(t, "db")
		const processes = 4
		errs := make([]error, processes)
		var wg sync.WaitGroup
		for i := range processes {
			wg.Go(func() {
				conn, err := store.Open(ctx, config.ClickHouse{Addr: testenv.ClickHouseAddr(t), Username: "default"})
				if err != nil {
					errs[i] = err
					return
				}
				defer conn.Close()
				_, errs[i] = migrate.Apply(ctx, conn, db, slog.New(slog.DiscardHandler))
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("round %d, process %d: %v", round, i, err)
			}
		}
		conn, err := store.Open(ctx, config.ClickHouse{Addr: testenv.ClickHouseAddr(t), Username: "default"})
		if err != nil {
			t.Fatal(err)
		}
		var versions uint64
		if err := conn.QueryRow(ctx, "SELECT uniqExact(version) FROM "+db+".schema_migrations").Scan(&versions); err != nil {
			t.Fatal(err)
		}
		if int(versions) != len(all) {
			t.Errorf("round %d: %d migrations recorded, want %d", round, versions, len(all))
		}
		if n, err := migrate.Apply(ctx, conn, db, slog.New(slog.DiscardHandler)); err != nil || n != 0 {
			t.Errorf("round %d: a later migrate applied %d (%v), want 0", round, n, err)
		}
		for _, d := range []string{db, db + "_bi"} {
			_ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+d)
		}
		conn.Close()
	}
}
