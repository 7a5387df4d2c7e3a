package migrate_test

import (
	"context"
	"log/slog"
	"strconv"
	"testing"
	"time"

	"github.com/adstream/adstream/clickhouse/migrate"
	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/internal/testenv"
	"github.com/adstream/adstream/schemas"
)

// Days stored before ad_day_versions existed are in it once its migration
// ran, so a redelivery of such a day after the upgrade changes no total.
func TestDayVersionsHoldTheDaysStoredBefore(t *testing.T) {
	conn, cfg := testenv.ClickHouse(t)
	st := store.New(conn, cfg.Database)
	ctx := context.Background()
	at := time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)
	var days []*schemas.AdInsight
	for i, date := range []string{"2026-11-01", "2026-11-02"} {
		days = append(days, &schemas.AdInsight{BrandID: "b1", AdID: "ad0", StartDate: date, EndDate: date, Daily: true,
			CreativeType: schemas.CreativeVideo, AdEffectiveStatus: "ACTIVE", SpendMicros: int64(10 + i),
			FetchedAt: at, Version: schemas.VersionAt(at)})
	}
	if err := st.InsertInsights(ctx, days); err != nil {
		t.Fatal(err)
	}
	version := dayVersionsMigration(t)
	// The database as it was before the migration, holding the days.
	for _, stmt := range []string{
		"DROP TABLE " + cfg.Database + ".ad_day_versions_mv",
		"DROP TABLE " + cfg.Database + ".ad_day_versions",
		"ALTER TABLE " + cfg.Database + ".schema_migrations DELETE WHERE version = " + strconv.Itoa(int(version)),
	} {
		if err := conn.Exec(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		var running uint64
		if err := conn.QueryRow(ctx, "SELECT count() FROM system.mutations WHERE database = ? AND is_done = 0", cfg.Database).
			Scan(&running); err != nil {
			t.Fatal(err)
		}
		if running == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the delete of the migration's record did not finish")
		}
	}
	if n, err := migrate.Apply(ctx, conn, cfg.Database, slog.New(slog.DiscardHandler)); err != nil || n != 1 {
		t.Fatalf("the upgrade applied %d migrations (%v), want 1", n, err)
	}
	if err := st.InsertInsights(ctx, days); err != nil { // Kafka redelivers them
		t.Fatal(err)
	}
	if drift, err := st.RollupDrift(ctx, "b1"); err != nil || drift != "" {
		t.Fatalf("the redelivered days changed the rollup (%v): %s", err, drift)
	}
}

// dayVersionsMigration is the version of the migration that creates
// ad_day_versions.
func dayVersionsMigration(t *testing.T) uint32 {
	t.Helper()
	all, err := migrate.All()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range all {
		if m.Name == "ad_day_versions" {
			return m.Version
		}
	}
	t.Fatal("no migration named ad_day_versions")
	return 0
}
