package migrate_test

import (
	"context"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/adstream/adstream/clickhouse/migrate"
	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/internal/config"
	"github.com/adstream/adstream/internal/testenv"
	"github.com/adstream/adstream/schemas"
)

// replica is one server of the cluster, as a role connected to it sees it.
type replica struct {
	name string
	conn driver.Conn
	st   *store.Store
}

// TestMigrateCluster migrates a two-replica cluster through one replica and
// writes through the store on either, as the consumers do: every rewritten
// statement runs, the other replica holds the same rows and answers the same
// lists, totals and job status, the rollup's materialized view feeds on both
// replicas without losing identical blocks, and migrating again does nothing.
func TestMigrateCluster(t *testing.T) {
	c := testenv.ClickHouseCluster(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	db := testenv.UniqueName(t, "db")
	var r1, r2 replica
	for i, r := range []*replica{&r1, &r2} {
		conn, err := store.Open(ctx, config.ClickHouse{Addr: c.Addrs[i], Username: "default"})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		*r = replica{name: fmt.Sprintf("replica %d (%s)", i+1, c.Addrs[i]), conn: conn, st: store.New(conn, db)}
	}
	// Runs before the connections close; matters on a cluster the test did
	// not start (ADSTREAM_TEST_CLICKHOUSE_CLUSTER).
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		for _, d := range []string{db + "_bi", db} {
			_ = r1.conn.Exec(ctx, "DROP DATABASE IF EXISTS "+d+" ON CLUSTER "+c.Name)
		}
	})
	quiet := slog.New(slog.DiscardHandler)

	all, err := migrate.All()
	if err != nil {
		t.Fatal(err)
	}
	n, err := migrate.ApplyOn(ctx, r1.conn, db, c.Name, quiet)
	if err != nil {
		t.Fatalf("migrate on %s: %v", r1.name, err)
	}
	if n != len(all) {
		t.Fatalf("applied %d migrations, want %d", n, len(all))
	}
	// ON CLUSTER returned: the schema is already on replica 2, and replicated.
	if got, want := schema(ctx, t, r2, db), schema(ctx, t, r1, db); !reflect.DeepEqual(got, want) {
		t.Fatalf("schema of %s:\n%v\nwant (%s):\n%v", r2.name, got, r1.name, want)
	}
	for table, engine := range schema(ctx, t, r2, db) {
		if strings.HasSuffix(engine, "MergeTree") && !strings.HasPrefix(engine, "Replicated") {
			t.Errorf("%s is %s on %s: its rows would stay on one replica", table, engine, r2.name)
		}
	}

	rng := store.Range{BrandID: "acme", StartDate: "2026-11-01", EndDate: "2026-11-03"}
	fetched := time.Date(2026, 11, 4, 6, 0, 0, 0, time.UTC)
	ads, days := clusterWorld(rng, fetched)
	write := func(r replica, batches ...[]*schemas.AdInsight) {
		t.Helper()
		for _, b := range batches {
			if err := r.st.InsertInsights(ctx, b); err != nil {
				t.Fatalf("insert days on %s: %v", r.name, err)
			}
		}
	}
	if err := r1.st.InsertAds(ctx, ads); err != nil {
		t.Fatal(err)
	}
	// One batch per ad: ad-0 and ad-1 have the same type and figures, so
	// their signed changes, and the view's blocks into type_daily, are
	// identical; replicated tables that dropped repeated blocks would lose one.
	for _, d := range days {
		write(r1, []*schemas.AdInsight{d})
	}
	// A refresh restates every day after a fail-over to replica 2, which
	// first catches up (the store reads the stored days to write the
	// rollup's changes): the view runs where the insert lands.
	syncReplicas(ctx, t, db, r2)
	refreshed := fetched.Add(6 * time.Hour)
	var restated []*schemas.AdInsight
	for _, d := range days {
		again := *d
		again.SpendMicros += 500_000
		again.FetchedAt, again.Version = refreshed, schemas.VersionAt(refreshed)
		restated = append(restated, &again)
	}
	write(r2, restated)
	job := "job-cluster"
	events := []*schemas.SyncEvent{
		{JobID: job, BrandID: rng.BrandID, StartDate: rng.StartDate, EndDate: rng.EndDate, Kind: schemas.SyncKindFull,
			Type: schemas.SyncStarted, At: fetched, Seq: 1},
		{JobID: job, BrandID: rng.BrandID, StartDate: rng.StartDate, EndDate: rng.EndDate, Kind: schemas.SyncKindFull,
			Type: schemas.SyncCompleted, TotalAds: int64(len(ads)), PublishedAds: int64(len(ads)),
			PublishedInsights: int64(len(restated)), PublishedDays: int64(len(restated)), At: refreshed, Seq: 2,
			Days: []string{"2026-11-01", "2026-11-02", "2026-11-03"}},
	}
	if err := r1.st.InsertSyncEvents(ctx, events); err != nil {
		t.Fatal(err)
	}
	// What the consumers' aggregator does when a job completes. Each replica
	// must first hold the other's inserts: replication is asynchronous.
	syncReplicas(ctx, t, db, r1, r2)
	if err := r1.st.RecordDaysSynced(ctx, rng.BrandID, events[1].Days, job, refreshed); err != nil {
		t.Fatal(err)
	}
	if err := r1.st.MaterializeRange(ctx, rng); err != nil {
		t.Fatal(err)
	}
	if _, err := r1.st.RebuildAggregations(ctx, rng, job); err != nil {
		t.Fatal(err)
	}
	syncReplicas(ctx, t, db, r1, r2)

	var wantSpend int64
	for _, d := range restated {
		wantSpend += d.SpendMicros
	}
	for _, r := range []replica{r1, r2} {
		held := contents(ctx, t, r, db)
		for _, table := range []string{"ads", "ad_days", "ad_day_versions", "type_daily", "ad_insights", "creative_aggregations", "sync_events", "synced_days"} {
			if held[table].Rows == 0 {
				t.Fatalf("%s holds no %s: %v", r.name, table, held)
			}
		}
		if want := contents(ctx, t, r1, db); !reflect.DeepEqual(held, want) {
			t.Errorf("tables on %s: %v\nwant (%s): %v", r.name, held, r1.name, want)
		}
		agg, err := r.st.Aggregations(ctx, store.AggregationQuery{Range: rng})
		if err != nil {
			t.Fatalf("aggregations on %s: %v", r.name, err)
		}
		if agg.SpendMicros != wantSpend || agg.TotalAds != int64(len(ads)) {
			t.Errorf("aggregations on %s: %d ads, spend %d; want %d ads, spend %d", r.name, agg.TotalAds, agg.SpendMicros, len(ads), wantSpend)
		}
		if drift, err := r.st.RollupDrift(ctx, rng.BrandID); err != nil || drift != "" {
			t.Errorf("type_daily on %s differs from ad_days (%v): %s", r.name, err, drift)
		}
		var rollup int64
		if err := r.conn.QueryRow(ctx, "SELECT toInt64(sum(spend_micros)) FROM "+db+".type_daily WHERE brand_id = ?", rng.BrandID).
			Scan(&rollup); err != nil || rollup != wantSpend {
			t.Errorf("type_daily spend on %s = %d (%v), want %d", r.name, rollup, err, wantSpend)
		}
		var bi string
		if err := r.conn.QueryRow(ctx, "SELECT toString(sum(spend)) FROM "+db+"_bi.v_type_daily WHERE brand_id = ?", rng.BrandID).
			Scan(&bi); err != nil || bi != fmt.Sprintf("%d.%06d", wantSpend/1e6, wantSpend%1e6) {
			t.Errorf("v_type_daily spend on %s = %s (%v), want %d micros", r.name, bi, err, wantSpend)
		}
		jobNow, err := r.st.LatestJob(ctx, rng)
		if err != nil || jobNow.JobID != job || jobNow.Status != "completed" {
			t.Errorf("latest job on %s = %+v (%v), want %s completed", r.name, jobNow, err, job)
		}
	}
	page := func(r replica) []store.Creative {
		t.Helper()
		got, err := r.st.ListCreatives(ctx, store.ListQuery{Range: rng, SortBy: "spend", Limit: 50})
		if err != nil {
			t.Fatalf("list on %s: %v", r.name, err)
		}
		return got
	}
	if got, want := page(r2), page(r1); len(want) != len(ads) || !reflect.DeepEqual(got, want) {
		t.Errorf("first page on %s:\n%+v\nwant (%s, %d ads):\n%+v", r2.name, got, r1.name, len(ads), want)
	}

	for _, r := range []replica{r2, r1} {
		if n, err := migrate.ApplyOn(ctx, r.conn, db, c.Name, quiet); err != nil || n != 0 {
			t.Errorf("second migrate on %s applied %d (%v), want 0", r.name, n, err)
		}
	}
}

// clusterWorld is six ads of three types, each with three days; ad-0 and
// ad-1 are alike but for their ids.
func clusterWorld(r store.Range, at time.Time) ([]*schemas.Ad, []*schemas.AdInsight) {
	types := []schemas.CreativeType{schemas.CreativeVideo, schemas.CreativeImage, schemas.CreativeCarousel}
	var ads []*schemas.Ad
	var days []*schemas.AdInsight
	for i := range 6 {
		id := fmt.Sprintf("ad-%d", i)
		typ, figure := types[i/2%len(types)], int64(i+1)
		if i == 1 {
			figure = 1
		}
		ads = append(ads, &schemas.Ad{BrandID: r.BrandID, AdAccountID: "act_1", AdID: id, AdName: "Ad " + id,
			CreativeType: typ, AdEffectiveStatus: "ACTIVE", FetchedAt: at})
		for _, date := range []string{"2026-11-01", "2026-11-02", "2026-11-03"} {
			days = append(days, &schemas.AdInsight{BrandID: r.BrandID, AdAccountID: "act_1", AdID: id, StartDate: date,
				EndDate: date, Daily: true, CreativeType: typ, AdEffectiveStatus: "ACTIVE", SpendMicros: 1_000_000 * figure,
				RevenueMicros: 2_000_000 * figure, Impressions: 1000 * figure, Clicks: 10 * figure, Reach: 900 * figure,
				FetchedAt: at, Version: schemas.VersionAt(at), SyncID: "job-cluster"})
		}
	}
	return ads, days
}

// schema is the engine of every table and view of the database and its
// analysts' database on r.
func schema(ctx context.Context, t *testing.T, r replica, db string) map[string]string {
	t.Helper()
	rows, err := r.conn.Query(ctx, "SELECT database || '.' || name, engine FROM system.tables WHERE database IN (?, ?)", db, db+"_bi")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var name, engine string
		if err := rows.Scan(&name, &engine); err != nil {
			t.Fatal(err)
		}
		out[strings.TrimPrefix(name, db+".")] = engine
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// replicatedTables are the replicated tables of db on r.
func replicatedTables(ctx context.Context, t *testing.T, r replica, db string) []string {
	t.Helper()
	var out []string
	for name, engine := range schema(ctx, t, r, db) {
		if strings.HasPrefix(engine, "Replicated") {
			out = append(out, name)
		}
	}
	return out
}

// syncReplicas waits until each replica has fetched every part the other
// wrote (SYSTEM SYNC REPLICA pulls the replication log, then waits for its
// queue to empty).
func syncReplicas(ctx context.Context, t *testing.T, db string, rs ...replica) {
	t.Helper()
	for _, r := range rs {
		for _, table := range replicatedTables(ctx, t, r, db) {
			if err := r.conn.Exec(ctx, "SYSTEM SYNC REPLICA "+db+"."+table); err != nil {
				t.Fatalf("sync %s on %s: %v", table, r.name, err)
			}
		}
	}
}

// stored is what a replicated table holds after merges: its rows and a
// hash of their values.
type stored struct{ Rows, Hash uint64 }

// contents is what every replicated table of db holds on r. It reads with
// FINAL, as each replica merges in its own time, and hashes every column:
// count() alone under FINAL reads no column, and SummingMergeTree drops rows
// whose read columns sum to zero.
func contents(ctx context.Context, t *testing.T, r replica, db string) map[string]stored {
	t.Helper()
	out := map[string]stored{}
	engines := schema(ctx, t, r, db)
	for _, table := range replicatedTables(ctx, t, r, db) {
		final := " FINAL"
		if engines[table] == "ReplicatedMergeTree" {
			final = ""
		}
		var s stored
		if err := r.conn.QueryRow(ctx, "SELECT count(), sum(cityHash64(*)) FROM "+db+"."+table+final).Scan(&s.Rows, &s.Hash); err != nil {
			t.Fatalf("read %s on %s: %v", table, r.name, err)
		}
		out[table] = s
	}
	return out
}

// A cluster the server does not define stops the migration before anything
// is created, with an error that says so.
func TestApplyOnUnknownCluster(t *testing.T) {
	ctx := context.Background()
	conn, err := store.Open(ctx, config.ClickHouse{Addr: testenv.ClickHouseAddr(t), Username: "default"})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	db := testenv.UniqueName(t, "db")
	_, err = migrate.ApplyOn(ctx, conn, db, "no_such_cluster", slog.New(slog.DiscardHandler))
	if want := `cluster "no_such_cluster" is not in the server's remote_servers`; err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("ApplyOn = %v, want an error containing %q", err, want)
	}
	var n uint64
	if err := conn.QueryRow(ctx, "SELECT count() FROM system.databases WHERE name = ?", db).Scan(&n); err != nil || n != 0 {
		t.Errorf("database %s exists after the refused migration (%d, %v)", db, n, err)
	}
}
